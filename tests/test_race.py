"""The race condition lesson: its truth (lost updates without a lock, none with it), its twin,
and its tab driven as a learner would."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demos import race
from demos.events import Kind, State
from demos.intervals import IntervalStore
from demos.protocol import Msg
from demos.ring import DETAIL_BYTES
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent


def run_twin(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.race", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_here(threads: int, increments: int, lock: bool) -> tuple[dict, ListSink]:
    sink = ListSink()
    specs = race.build_workers(threads, increments, lock)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    assert run.join(60.0).ended
    return race.result(specs), sink


# ------------------------------------------------------------------ the twin
def test_twin_loses_updates_without_the_lock_at_default_settings() -> None:
    lost = [run_twin()["lost_updates"] for _ in range(5)]
    assert sum(n > 0 for n in lost) >= 4, lost


def test_twin_with_the_lock_is_exact() -> None:
    result = run_twin("--threads", "4", "--increments", "10000", "--lock")
    assert result["expected"] == result["actual"] == 40_000
    assert result["lost_updates"] == 0


def test_twin_json_has_the_issue_keys_and_adds_up() -> None:
    result = run_twin("--threads", "3", "--increments", "2000")
    assert {"expected", "actual", "lost_updates"} <= result.keys()
    assert result["expected"] == 6000
    assert result["lost_updates"] == result["expected"] - result["actual"]
    assert 0 < result["actual"] <= result["expected"]


# ---------------------------------------------------------------- in process
def test_build_workers_share_one_new_counter_per_run() -> None:
    first = race.build_workers(3, 10, False)
    second = race.build_workers(3, 10, False)
    counters = {id(spec.params["counter"]) for spec in first}
    assert len(counters) == 1
    assert first[0].params["counter"] is not second[0].params["counter"]
    assert [spec.params["index"] for spec in first] == [0, 1, 2]


def test_run_in_process_loses_updates_and_reports_live_and_final() -> None:
    result, sink = run_here(threads=4, increments=5000, lock=False)
    assert result["expected"] == 20_000
    assert result["lost_updates"] > 0
    assert result["lost_updates"] == result["expected"] - result["actual"]
    store = IntervalStore()
    store.add_messages(sink.messages)
    live = store.values(race.COUNTER)
    # At most one value per thread every REPORT_PERIOD_NS, plus one per thread when it is done.
    assert len(live) >= 4
    for lane in {entry[1] for entry in live}:
        times = [t for t, ln, _ in live if ln == lane]
        gaps = [b - a for a, b in zip(times, times[1:-1], strict=False)]
        assert all(gap >= race.REPORT_PERIOD_NS for gap in gaps), gaps
    assert all(0 <= v["actual"] <= v["expected"] <= 20_000 for _t, _ln, v in live)
    finals = [v for _t, _ln, v in store.values(race.FINAL_COUNT)]
    assert finals == [{k: result[k] for k in ("actual", "expected", "lost_updates")}]
    done = [e for e in sink.events if e[2] == int(State.DONE)]
    assert len(done) == 4


def test_run_in_process_with_the_lock_is_exact() -> None:
    result, _ = run_here(threads=8, increments=3000, lock=True)
    assert result["actual"] == result["expected"] == 24_000
    assert result["lost_updates"] == 0


def test_a_cancelled_run_compares_completed_increments() -> None:
    sink = ListSink()
    specs = race.build_workers(4, 100_000, True)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    # Cancel mid-run, once every thread is counting: a thread cancelled before its first step
    # never runs the function whose last finisher reports the final count (it went missing
    # once when only one thread had started).
    deadline = time.monotonic() + 10.0
    while len({e[1] for e in list(sink.events) if e[2] == int(State.RUNNING)}) < 4:
        assert time.monotonic() < deadline, "not every thread started counting"
        time.sleep(0.005)
    assert run.cancel(10.0).ended
    result = race.result(specs)
    assert result["expected"] < result["planned"]
    assert result["lost_updates"] == 0  # the lock still made every completed increment count
    finals = [payload[3] for kind, payload in sink.messages if kind == Msg.VALUE]
    assert {"actual": result["actual"], "expected": result["expected"], "lost_updates": 0} in finals


def test_reports_fit_the_lab_ring_at_the_largest_settings() -> None:
    counter = race.SharedCounter(32, 100_000, True)
    counter.value = 3_200_000
    counter.done = [100_000] * 32
    for detail in (race.live_detail(counter), race.final_detail(race.summarize(counter))):
        assert len(detail.encode()) <= DETAIL_BYTES, detail


def test_settings_outside_the_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="increments must be between"):
        race.build_workers(2, 0, False)
    with pytest.raises(ValueError, match="threads must be between"):
        race.build_workers(33, 10, False)


# ------------------------------------------------------ the typed result
def race_result(lock: bool, expected: int, actual: int) -> race.RaceResult:
    return race.RaceResult(4, 10_000, lock, 40_000, expected, actual)


def test_the_verdict_follows_the_count_not_the_lock_switch() -> None:
    # Without the Lock the settings predict lost updates; a run that lost none is told so.
    lucky = race_result(lock=False, expected=40_000, actual=40_000).verdict()
    assert lucky.startswith("No update was lost this time")
    assert "were lost" not in lucky
    lossy = race_result(lock=False, expected=40_000, actual=30_000).verdict()
    assert lossy.startswith("10,000 updates (25%) were lost")
    assert "Exact" in race_result(lock=True, expected=40_000, actual=40_000).verdict()
    # With the Lock the settings predict "exact"; a count that disagrees is not called exact.
    assert "Exact" not in race_result(lock=True, expected=40_000, actual=39_999).verdict()


def test_the_result_json_round_trips_and_refuses_nonsense() -> None:
    outcome = race.RaceResult(3, 100, False, 300, 250, 200, elapsed_s=0.5)
    data = json.loads(json.dumps(outcome.as_json()))
    assert data["lost_updates"] == 50
    assert data["verdict"] == outcome.verdict()
    assert race.RaceResult.from_json(data) == outcome
    for bad in (
        {**data, "actual": "200"},
        {**data, "lock": 1},
        {**data, "lost_updates": 7},
        {**data, "planned": 301},
        [1, 2],
    ):
        with pytest.raises((KeyError, TypeError, ValueError)):
            race.RaceResult.from_json(bad)
    with pytest.raises(KeyError):
        race.RaceResult.from_json({k: v for k, v in data.items() if k != "expected"})


# ---------------------------------------------------------------------- GUI
@pytest.mark.gui
def test_challenges_tab_shows_lost_updates_then_none_with_the_lock(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lessons.challenges import EXACT_COLOUR, LOST_COLOUR, ChallengesTab
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, ChallengesTab))
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    assert isinstance(tab, ChallengesTab)
    assert tab.challenge.currentText() == "Race condition"
    try:
        tab.page.threads.setValue(4)
        tab.page.increments.setValue(5000)
        tab.page.use_lock.setChecked(False)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
        assert tab.page.expected_label.text() == "20,000"
        lost = int(tab.page.lost_label.text().split(">")[1].split("<")[0].replace(",", ""))
        assert lost > 0, tab.page.lost_label.text()
        assert LOST_COLOUR in tab.page.lost_label.text()
        assert "lost" in tab.page.verdict_label.text()

        tab.page.use_lock.setChecked(True)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
        assert tab.page.actual_label.text() == "20,000"
        assert ">0<" in tab.page.lost_label.text()
        assert EXACT_COLOUR in tab.page.lost_label.text()
        assert "Exact" in tab.page.verdict_label.text()
    finally:
        tab.page.use_lock.setChecked(False)
        win.tabs.setCurrentIndex(0)  # leave the remembered tab as other GUI tests expect it
        win.close()


@pytest.mark.gui
def test_race_page_shows_the_counter_live_then_the_final_count(qtbot, challenge_page) -> None:  # noqa: ANN001
    win, tab, page = challenge_page("Race condition")
    try:
        page.threads.setValue(4)
        page.increments.setValue(100_000)
        page.use_lock.setChecked(True)  # slow enough to watch: the threads queue for the lock
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        # Live: the COUNTER values the threads report while the run goes on.
        qtbot.waitUntil(
            lambda: win.lab.running and page.expected_label.text() not in ("-", "0"),
            timeout=20_000,
        )
        assert ">0<" in page.lost_label.text()  # the Lock: nothing lost, even live
        win.cancel()
        qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)
        qtbot.waitUntil(lambda: "Cancelled" in page.verdict_label.text(), timeout=5000)
        final = tab.store.latest(race.FINAL_COUNT)
        assert final["lost_updates"] == 0
        assert final["actual"] == final["expected"]
        assert page.actual_label.text() == f"{final['actual']:,}"
    finally:
        page.use_lock.setChecked(False)
        page.threads.setValue(race.DEFAULTS["threads"])
        page.increments.setValue(race.DEFAULTS["increments"])


def test_challenges_settings_are_remembered(qtbot, qloop) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    tab = next(t for t in win.lessons if t.title == "Challenges")
    tab.page.threads.setValue(9)
    tab.page.increments.setValue(1234)
    tab.page.use_lock.setChecked(True)
    win.close()
    again = MainWindow(start_lab=False)
    qtbot.addWidget(again)
    tab = next(t for t in again.lessons if t.title == "Challenges")
    assert (
        tab.page.threads.value(),
        tab.page.increments.value(),
        tab.page.use_lock.isChecked(),
    ) == (
        9,
        1234,
        True,
    )
    tab.page.threads.setValue(race.DEFAULTS["threads"])
    tab.page.increments.setValue(race.DEFAULTS["increments"])
    tab.page.use_lock.setChecked(False)
    again.close()
