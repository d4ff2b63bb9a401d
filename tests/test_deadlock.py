"""The deadlock lesson: detected within 2 s and recovered by Cancel; no cycle with lock ordering;
timeouts finish every round; the wait-for graph and its compact form; the page driven by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from demos import deadlock
from demos.events import Kind, State
from demos.intervals import IntervalStore
from demos.ring import DETAIL_BYTES
from demos.runtime import Run
from demos.transport import ListSink
from demos.waitgraph import WaitGraph, find_cycle

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent


def run_twin(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.deadlock", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}\n{proc.stdout}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the twin
@pytest.mark.parametrize("extra", [(), ("--philosophers", "5")], ids=["two", "philosophers5"])
def test_twin_detects_the_deadlock_within_2_s_and_cancel_recovers(extra: tuple[str, ...]) -> None:
    result = run_twin(*extra)
    assert {"deadlock_detected", "detected_after_s", "recovered"} <= result.keys()
    assert result["deadlock_detected"] is True
    assert 0 <= result["detected_after_s"] < 2.0
    assert result["cancelled"] is True
    assert result["recovered"] is True
    assert result["stopped_after_cancel_s"] < 2.0
    threads = result["threads"]
    assert len(result["graph"]["cycle"]) == threads  # every thread is on the ring
    assert result["completed"] is False


@pytest.mark.parametrize("extra", [(), ("--philosophers", "5")], ids=["two", "philosophers5"])
def test_twin_with_lock_ordering_never_deadlocks(extra: tuple[str, ...]) -> None:
    result = run_twin(*extra, "--fix", "ordering")
    assert result["deadlock_detected"] is False
    assert result["detected_after_s"] is None
    assert result["cycles_broken_by_timeout"] == 0
    assert result["completed"] is True
    assert result["recovered"] is True
    assert result["cancelled"] is False


@pytest.mark.parametrize("extra", [(), ("--philosophers", "5")], ids=["two", "philosophers5"])
def test_twin_with_timeouts_finishes_every_round(extra: tuple[str, ...]) -> None:
    result = run_twin(*extra, "--fix", "timeout")
    assert result["completed"] is True
    assert result["rounds_done"] == [result["rounds"]] * result["threads"]
    assert result["deadlock_detected"] is False  # rings may form, but a timeout breaks each
    assert result["recovered"] is True
    assert result["cancelled"] is False


# ---------------------------------------------------------- the graph model
def test_find_cycle_on_hand_built_graphs() -> None:
    # T0 holds L0 and waits L1; T1 holds L1 and waits L0: the classic pair.
    assert sorted(find_cycle(holder=[0, 1], waits=[1, 0])) == [0, 1]
    # A chain that ends at a free lock is no cycle: T0 -> L1 (T1) -> L2 (free).
    assert find_cycle(holder=[0, 1, None], waits=[1, 2, None]) == []
    # A waiter outside the ring is not part of it: T3 waits for L0 of the ring T0 -> T1 -> T2.
    cycle = find_cycle(holder=[0, 1, 2, 3], waits=[1, 2, 0, 0])
    assert sorted(cycle) == [0, 1, 2]
    nxt = {0: 1, 1: 2, 2: 0}
    assert all(cycle[(k + 1) % 3] == nxt[t] for k, t in enumerate(cycle))
    assert find_cycle(holder=[None] * 4, waits=[None] * 4) == []


def test_wait_graph_names_edges_path_and_compact_form() -> None:
    graph = WaitGraph("two", (0, 1), (1, 0))
    assert graph.path_text() == "T1→B→T2→A→T1"
    assert set(graph.edges()) == {
        ("A", "T1", "holds"),
        ("B", "T2", "holds"),
        ("T1", "B", "waits"),
        ("T2", "A", "waits"),
    }
    assert graph.encode() == "wfg t 01/10"
    big = WaitGraph("philosophers", tuple(range(10)), (*range(1, 10), 0))
    assert len(big.encode().encode()) <= DETAIL_BYTES
    assert len(big.cycle()) == 10
    assert WaitGraph.from_dict(json.loads(json.dumps(big.as_dict()))) == big
    detail = deadlock.detection_detail(0.08, big)
    assert len(detail.encode()) <= DETAIL_BYTES


def test_ordering_takes_the_lower_numbered_lock_first() -> None:
    table = deadlock.LockTable("philosophers", 5, "ordering", 1)
    assert [table.order(i) for i in range(5)] == [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)]
    plain = deadlock.LockTable("philosophers", 5, "none", 1)
    assert plain.order(4) == (4, 0)


# ---------------------------------------------------------------- in process
def test_in_process_deadlock_is_seen_then_cancel_ends_every_thread() -> None:
    sink = ListSink()
    specs = deadlock.build_workers("philosophers", 4, "none", 3)
    table = specs[0].params["table"]
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    try:
        run.workers[-1].join(2.0)  # the detector never ends by itself here
        assert table.detected_ns, "no deadlock detected within 2 s"
    finally:
        report = run.cancel(2.0)
    assert report.ended
    figures = deadlock.result(specs)
    assert figures["recovered"]
    assert figures["deadlock_detected"]
    assert figures["detected_after_s"] < 1.0
    assert all(lock.acquire(blocking=False) for lock in table.locks)  # all released on cancel
    details = [e[3] for e in sink.events]
    assert any(d.startswith("waits fork ") for d in details)
    assert any(d.startswith("holds fork ") for d in details)
    assert all(len(d.encode()) <= DETAIL_BYTES for d in details)
    store = IntervalStore()
    store.add_messages(sink.messages)
    assert store.latest(deadlock.DETECTED_AFTER_S) == figures["detected_after_s"]
    graphs = [WaitGraph.from_dict(v) for _t, _lane, v in store.values(deadlock.WAIT_GRAPH)]
    assert any(len(g.cycle()) == 4 for g in graphs)  # the deadlock's graph went out as a value
    assert all(a != b for a, b in zip(graphs, graphs[1:], strict=False))  # only on change
    assert ("mark" in {kind for kind, _ in sink.messages}) is True
    finals = {e[1]: e[2] for e in sink.events}
    assert set(finals.values()) == {int(State.CANCELLED)}


# ---------------------------------------------------------------------- GUI
@pytest.mark.gui
def test_deadlock_page_detects_then_cancel_ends_every_lane(qtbot, challenge_page) -> None:  # noqa: ANN001
    from app.lessons.challenge_deadlock import DeadlockPage

    win, tab, page = challenge_page(DeadlockPage.name)
    assert isinstance(page, DeadlockPage)
    try:
        page.mode.setCurrentIndex(page.mode.findData("philosophers"))
        page.philosophers.setValue(5)
        page.fix.setCurrentIndex(page.fix.findData("none"))
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: page.detected_label.text() == "yes", timeout=10_000)
        assert page.graph.graph is not None
        assert len(page.graph.graph.cycle()) == 5
        assert "Cancel" in page.verdict_label.text()
        win.cancel()
        qtbot.waitUntil(lambda: not win.lab.running, timeout=3000)
        store = win.lab.store
        workers = [lane for lane in store.lanes if lane.name != "MainThread"]
        assert len(workers) == 6  # five philosophers and the detector
        for lane in workers:
            assert store.current_state(lane.lane_id) is State.CANCELLED, lane.name
        assert "yes" in page.recovered_label.text()
        assert page.graph.graph is not None
        assert page.graph.graph.cycle()
        assert any(mark.label.startswith("deadlock: P") for mark in store.marks)
        page.grab()  # paint the graph once: the drawing code runs without error
    finally:
        page.mode.setCurrentIndex(page.mode.findData(deadlock.DEFAULTS["mode"]))


# ------------------------------------------------------------- the result
def figures(fix: str, rounds_done: tuple[int, ...], **extra: object) -> deadlock.DeadlockResult:
    plain = {
        "mode": "two",
        "fix": fix,
        "threads": 2,
        "rounds": 5,
        "rounds_done": rounds_done,
        "detected_after_s": None,
        "cycles_broken_by_timeout": 0,
        "retries": 0,
        "recovered": True,
        "graph": WaitGraph("two", (None, None), (None, None)),
    }
    return deadlock.DeadlockResult(**{**plain, **extra})  # type: ignore[arg-type]


def test_the_verdict_follows_the_figures_not_the_fix() -> None:
    # No fix, yet no ring formed this time: not told it deadlocked.
    lucky = figures("none", (5, 5), elapsed_s=0.4).verdict()
    assert lucky == "All rounds done in 0.40 s: this time no ring formed."
    # The timeout fix, but no timeout ever fired: no "a ring formed 0 times".
    quiet = figures("timeout", (5, 5)).verdict()
    assert "ring formed" not in quiet.replace("no ring formed", "")
    broken = figures("timeout", (5, 5), cycles_broken_by_timeout=3, retries=4).verdict()
    assert "A ring formed 3 times" in broken
    ring = WaitGraph("two", (0, 1), (1, 0))
    stuck = figures("ordering", (0, 0), detected_after_s=0.1, graph=ring, recovered=False)
    assert stuck.verdict() == "Deadlock: T1→B→T2→A→T1. Some threads did NOT end, even after Cancel."


def test_the_result_json_round_trips_and_rejects_nonsense() -> None:
    ring = WaitGraph("two", (0, 1), (1, 0))
    result = figures("none", (0, 0), detected_after_s=0.1, graph=ring, cancelled=True)
    data = json.loads(json.dumps(result.as_json()))
    assert data["deadlock_detected"] is True
    assert data["cycle"] == "T1→B→T2→A→T1"
    assert deadlock.DeadlockResult.from_json(data) == result
    for bad in ({"threads": "2"}, {"rounds_done": [9, 9]}, {"graph": {"mode": "x"}}):
        with pytest.raises((KeyError, TypeError, ValueError)):
            deadlock.DeadlockResult.from_json({**data, **bad})
    with pytest.raises(KeyError):
        deadlock.DeadlockResult.from_json({k: v for k, v in data.items() if k != "retries"})
