"""The starvation lesson: its twin, the FIFO lock raising Jain's index, and its page."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from demos import starvation
from demos.events import Kind
from demos.intervals import IntervalStore
from demos.ring import DETAIL_BYTES
from demos.runtime import Run
from demos.starvation_result import WAIT_BIN_LABELS, StarvationResult, WorkerTurns
from demos.transport import ListSink

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(120), pytest.mark.serial]
ROOT = Path(__file__).resolve().parent.parent


def run_here(fair: bool, duration_s: float = 1.5) -> dict:
    specs = starvation.build_workers(2, 2, duration_s, 2, fair)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    assert run.join(30.0).ended
    return starvation.result(specs)


def test_twin_json_has_the_issue_keys() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.starvation", "--duration-s", "1", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"acquisitions", "jain_index"} <= result.keys()
    assert set(result["acquisitions"]) == {"greedy-1", "greedy-2", "polite-1", "polite-2"}
    assert 0.25 <= result["jain_index"] <= 1.0


def test_the_fair_lock_raises_jains_index() -> None:
    unfair = run_here(fair=False)
    fair = run_here(fair=True)
    assert fair["jain_index"] > unfair["jain_index"], (unfair, fair)
    assert fair["jain_index"] > 0.9, fair
    # The plain lock favours the greedy: they got more turns than the polite ones.
    counts = unfair["acquisitions"]
    assert min(counts["greedy-1"], counts["greedy-2"]) > max(counts["polite-1"], counts["polite-2"])


def test_jain_index_bounds() -> None:
    assert starvation.jain_index([5, 5, 5, 5]) == 1.0
    assert starvation.jain_index([8, 0, 0, 0]) == 0.25
    assert starvation.jain_index([0, 0]) == 0.0


def test_fair_lock_is_mutually_exclusive_and_first_come_first_served() -> None:
    lock = starvation.FairLock()
    assert lock.acquire(lambda: False)
    order: list[int] = []
    inside = [0]

    def waiter(n: int) -> None:
        assert lock.acquire(lambda: False)
        inside[0] += 1
        assert inside[0] == 1
        order.append(n)
        inside[0] -= 1
        lock.release()

    threads = []
    for n in range(4):
        thread = threading.Thread(target=waiter, args=(n,))
        thread.start()
        threads.append(thread)
        # Let each waiter queue before the next arrives, so the arrival order is known.
        while len(lock._waiters) < n + 1:  # noqa: SLF001 - white-box check of the queue
            time.sleep(0.001)
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3]


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    lock = starvation.FairLock()
    assert lock.acquire(lambda: False)
    assert not lock.acquire(lambda: True)
    assert not lock._waiters  # noqa: SLF001
    lock.release()
    assert lock.acquire(lambda: False)  # free again
    lock.release()


def test_a_cancelled_run_stops_within_its_poll() -> None:
    specs = starvation.build_workers(3, 3, 10, 2, False)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    assert run.cancel(5.0).ended


def test_acquisitions_travel_as_values_at_a_modest_rate() -> None:
    sink = ListSink()
    specs = starvation.build_workers(2, 2, 1, 2, False)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    assert run.join(10.0).ended
    store = IntervalStore()
    store.add_messages(sink.messages)
    reports = store.values(starvation.ACQUISITIONS)
    by_lane: dict[int, list[tuple[int, int]]] = {}
    for t, lane, n in reports:
        by_lane.setdefault(lane, []).append((t, n))
    counts = starvation.result(specs)["acquisitions"]
    names = {lane.lane_id: lane.name for lane in store.lanes}
    assert {names[lane]: seen[-1][1] for lane, seen in by_lane.items()} == counts  # the last: final
    for seen in by_lane.values():
        times = [t for t, _ in seen[:-1]]  # the last report comes when the worker is done
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(gap >= starvation.REPORT_PERIOD_NS for gap in gaps)
        assert [n for _, n in seen] == sorted(n for _, n in seen)  # counts only grow


def test_details_fit_the_ring_and_limits_are_enforced() -> None:
    assert len(b"holds lock #999999") <= DETAIL_BYTES
    with pytest.raises(ValueError, match="at least two"):
        starvation.build_workers(1, 0)
    with pytest.raises(ValueError, match="duration_s must be between"):
        starvation.build_workers(2, 2, 60)


def turns(fair: bool, *counts: int) -> StarvationResult:
    names = [f"greedy-{i + 1}" for i in range(len(counts) // 2)]
    names += [f"polite-{i + 1}" for i in range(len(counts) - len(names))]
    workers = tuple(
        WorkerTurns(n, c, 1.0 if c else None) for n, c in zip(names, counts, strict=True)
    )
    bins = (0,) * len(WAIT_BIN_LABELS)
    return StarvationResult(fair, 2.0, 2.0, workers, 12.5, bins, bins)


def test_the_verdict_follows_the_turns_not_the_lock_kind() -> None:
    # The fair lock is expected to share evenly; a run that did not is called unfair.
    assert turns(True, 400, 400, 100, 100).verdict().startswith("Unfair: with the fair lock")
    # threading.Lock is expected to starve; a run that shared evenly is called fair.
    even = turns(False, 300, 290, 310, 300).verdict()
    assert even.startswith("Fair enough: with threading.Lock")
    assert "Try the fair lock" not in even
    starved = turns(False, 500, 500, 0, 3).verdict()
    assert starved.startswith("With threading.Lock, polite-1 never got the lock in 2 s.")
    assert starved.endswith("1,003 acquisitions in all.")


def test_the_result_json_round_trips_and_refuses_nonsense() -> None:
    outcome = turns(False, 500, 500, 0, 3)
    data = json.loads(json.dumps(outcome.as_json()))
    assert data["acquisitions"] == {"greedy-1": 500, "greedy-2": 500, "polite-1": 0, "polite-2": 3}
    assert data["mean_wait_ms"]["polite-1"] is None
    assert StarvationResult.from_json(data) == outcome
    histogram = {"greedy": [1, 2], "polite": data["wait_histogram"]["polite"]}
    for bad in (
        {**data, "workers": ["lazy-1"]},
        {**data, "acquisitions": {**data["acquisitions"], "greedy-1": 1.5}},
        {**data, "wait_histogram": histogram},
        {k: v for k, v in data.items() if k != "fair"},
    ):
        with pytest.raises((KeyError, TypeError, ValueError)):
            StarvationResult.from_json(bad)


@pytest.mark.gui
def test_starvation_page_runs_and_keeps_both_indexes(qtbot, challenge_page) -> None:  # noqa: ANN001
    win, tab, page = challenge_page("Starvation")

    def live_total() -> float:
        return sum(sum(item.opts["height"]) for item in page.acquisitions_chart.items)

    try:
        assert page.name == "Starvation"
        page.sliders["greedy"].setValue(2)
        page.sliders["polite"].setValue(2)
        page.sliders["duration_s"].setValue(1)
        for fair in (False, True):
            page.fair.setChecked(fair)
            win.start()
            qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
            # Live bars from the workers' ACQUISITIONS values, while the run goes on.
            qtbot.waitUntil(lambda: win.lab.running and live_total() > 0, timeout=5000)
            qtbot.waitUntil(lambda: not win.lab.running, timeout=30_000)
            qtbot.waitUntil(
                lambda: "acquisitions in all" in page.verdict_label.text(), timeout=5000
            )
        unfair, fair_j = float(page.unfair_label.text()), float(page.fair_label.text())
        assert fair_j > 0.9
        assert fair_j > unfair
    finally:
        page.fair.setChecked(False)
        page.sliders["duration_s"].setValue(starvation.DEFAULTS["duration_s"])
