"""The synchronization primitives lesson: each primitive keeps its promise on real threads, every
wait is cancellable, the twin prints the issue's JSON keys, and the tab runs through the lab."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from demos import primitives
from demos.events import Kind, State
from demos.intervals import IntervalStore
from demos.runtime import Run
from demos.transport import ListSink

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(180), pytest.mark.serial]
ROOT = Path(__file__).resolve().parent.parent


def run_here(primitive: str, **params: Any) -> tuple[dict[str, Any], ListSink, Run]:
    """One run in this process; returns its figures, its events and the run."""
    sink = ListSink()
    specs = primitives.build_workers(primitive, **params)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    assert run.join(primitives.deadline_s(primitive, **params)).ended
    return primitives.result(specs), sink, run


def run_twin(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.primitives", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def reported(sink: ListSink, name: str) -> list[tuple[int, int, Any]]:
    """The values reported under ``name``, through a store as a twin or the GUI keeps them."""
    store = IntervalStore()
    store.add_messages(sink.messages)
    return store.values(name)


def final_states(sink: ListSink) -> dict[int, int]:
    finals: dict[int, int] = {}
    for _, lane, state, _ in sink.events:
        if State(state).is_terminal:
            finals[lane] = state
    return finals


# --------------------------------------------------------------------- lock
def test_lock_holds_never_overlap_and_fill_the_elapsed_time() -> None:
    figures, sink, run = run_here("lock", workers=4, rounds=4, hold_ms=40, work_ms=0)
    holds = figures["holds"]
    assert len(holds) == 16 == figures["acquisitions"]
    for (_, _, end), (_, start, _) in zip(holds, holds[1:], strict=False):
        assert start >= end  # mutual exclusion: the next hold begins after the last one ended
    assert figures["overlaps"] == 0
    elapsed_s = (run.t_end_ns() - run.t_start_ns) / 1e9
    assert figures["total_hold_s"] == pytest.approx(sum(figures["hold_s"].values()), abs=1e-3)
    # With no work outside the lock, someone holds it nearly all the time.
    assert figures["total_hold_s"] / elapsed_s > 0.85, (figures["total_hold_s"], elapsed_s)
    assert figures["max_waiters"] >= 1
    blocked = [d for _, _, s, d in sink.events if s == int(State.BLOCKED)]
    assert blocked
    assert all("waiting for lock" in d and "not FIFO" in d for d in blocked)
    assert any("holds lock" in d for *_, d in sink.events)


def test_a_blocked_waiter_is_cancelled_promptly() -> None:
    sink = ListSink()
    specs = primitives.build_workers("lock", workers=4, rounds=20, hold_ms=500, work_ms=0)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    deadline = time.monotonic() + 10
    while not any(s == int(State.BLOCKED) for _, _, s, _ in sink.events):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    report = run.cancel(3.0)
    assert report.ended
    assert not report.escalations
    assert set(final_states(sink).values()) == {int(State.CANCELLED)}


# ---------------------------------------------------------------- semaphore
def test_semaphore_occupancy_never_exceeds_the_permits_over_many_runs() -> None:
    reached = 0
    for run_no in range(20):
        permits = 1 + run_no % 4
        figures, sink, _ = run_here(
            "semaphore", permits=permits, workers=permits + 4, rounds=3, hold_ms=10
        )
        assert figures["max_occupancy"] <= permits, (run_no, figures)
        samples = reported(sink, primitives.semaphore.OCCUPANCY)
        assert len(samples) == 2 * figures["entries"]  # one sample per acquire and per release
        times = [t for t, _, _ in samples]
        assert times == sorted(times)
        assert max(v for _, _, v in samples) == figures["max_occupancy"] <= permits
        assert min(v for _, _, v in samples) >= 0
        assert figures["entries"] == (permits + 4) * 3
        reached += figures["max_occupancy"] == permits
    assert reached >= 18  # with more threads than permits the semaphore fills up


def test_semaphore_shows_blocked_threads_naming_the_semaphore() -> None:
    figures, sink, _ = run_here("semaphore", permits=2, workers=6, rounds=2, hold_ms=50)
    assert figures["times_blocked"] > 0
    blocked = [d for _, _, s, d in sink.events if s == int(State.BLOCKED)]
    assert blocked
    assert all("Semaphore(2)" in d for d in blocked)


# ------------------------------------------------------------------ barrier
def test_barrier_releases_every_party_together() -> None:
    figures, sink, _ = run_here("barrier", parties=8, rounds=3, work_ms=300, seed=1)
    assert figures["rounds_released"] == 3
    assert figures["release_spread_ms"] < 50, figures
    assert min(figures["arrival_spread_ms_per_round"]) > 50  # arrivals were far apart
    marks = [p for kind, p in sink.messages if kind == "mark"]
    assert [label for _, label in marks] == [f"barrier released (round {i})" for i in (1, 2, 3)]
    assert set(final_states(sink).values()) == {int(State.DONE)}


def test_a_late_party_breaks_the_barrier_and_everyone_ends_cleanly() -> None:
    t0 = time.perf_counter()
    figures, sink, run = run_here(
        "barrier", parties=4, rounds=2, work_ms=100, late=True, timeout_ms=300, seed=2
    )
    assert time.perf_counter() - t0 < 5
    assert figures["broken"] is True
    assert figures["broken_barrier_errors"] == 4
    assert figures["rounds_released"] == 0
    assert all(w.outcome.state is State.DONE for w in run.workers)
    caught = [d for *_, d in sink.events if d.startswith("BrokenBarrierError caught")]
    assert len(caught) == 4
    marks = [payload[1] for kind, payload in sink.messages if kind == "mark"]
    assert any(label.startswith("barrier broken") for label in marks)


def test_a_cancelled_barrier_run_frees_the_waiters() -> None:
    sink = ListSink()
    specs = primitives.build_workers("barrier", parties=4, rounds=1, work_ms=2000, seed=3)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    deadline = time.monotonic() + 10
    while not any(s == int(State.BLOCKED) for _, _, s, _ in sink.events):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    report = run.cancel(3.0)
    assert report.ended
    assert not report.escalations
    assert set(final_states(sink).values()) == {int(State.CANCELLED)}


# -------------------------------------------------------------------- queue
def test_queue_depth_stays_within_capacity_and_producers_block_when_consumers_are_slow() -> None:
    figures, sink, _ = run_here(
        "queue", capacity=3, producers=2, consumers=1, produce_ms=10, consume_ms=60, items=8
    )
    assert figures["max_depth"] <= figures["capacity"] == 3
    assert figures["max_depth"] == 3
    assert figures["producer_blocks"] > 0
    assert figures["consumed"] == figures["items"] == 16
    depths = [v for _, _, v in reported(sink, primitives.bounded_buffer.DEPTH)]
    assert len(depths) == 16 + 16  # a sample after every put and every get
    assert max(depths) == figures["max_depth"]
    blocked = [d for _, _, s, d in sink.events if s == int(State.BLOCKED)]
    assert any("queue full" in d for d in blocked)


def test_queue_consumers_block_when_producers_are_slow() -> None:
    figures, sink, _ = run_here(
        "queue", capacity=5, producers=1, consumers=3, produce_ms=60, consume_ms=10, items=6
    )
    assert figures["consumer_blocks"] > 0
    assert figures["max_depth"] <= 2
    assert figures["consumed"] == 6
    assert any("queue empty" in d for _, _, s, d in sink.events if s == int(State.BLOCKED))


# ------------------------------------------------------------------ limits
def test_settings_outside_the_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="permits must be between 1 and 8"):
        primitives.build_workers("semaphore", permits=9, workers=10, rounds=1, hold_ms=10)
    with pytest.raises(ValueError, match="primitive must be one of"):
        primitives.build_workers("mutex")


# --------------------------------------------------------------------- twin
@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (("lock", "--workers", "3", "--rounds", "2", "--hold-ms", "20"), {"hold_s", "max_waiters"}),
        (
            ("semaphore", "--permits", "2", "--workers", "5", "--hold-ms", "20"),
            {"permits", "max_occupancy"},
        ),
        (("barrier", "--parties", "4", "--work-ms", "100", "--seed", "4"), {"release_spread_ms"}),
        (
            ("queue", "--capacity", "2", "--items", "5", "--consume-ms", "20"),
            {"max_depth", "capacity"},
        ),
    ],
)
def test_twin_prints_the_issue_keys(args: tuple[str, ...], keys: set[str]) -> None:
    figures = run_twin(*args)
    assert keys <= figures.keys()
    assert figures["primitive"] == args[0]
    if "max_occupancy" in keys:
        assert figures["max_occupancy"] <= figures["permits"] == 2
    if "max_depth" in keys:
        assert figures["max_depth"] <= figures["capacity"] == 2
    if "hold_s" in keys:
        assert len(figures["hold_s"]) == 3


def test_twin_late_barrier_reports_the_broken_barrier() -> None:
    figures = run_twin(
        "barrier", "--parties", "3", "--work-ms", "50", "--late", "--timeout-ms", "200"
    )
    assert figures["broken"] is True
    assert figures["broken_barrier_errors"] == 3


# ---------------------------------------------------------------------- GUI
@pytest.mark.gui
def test_primitives_tab_runs_each_primitive_through_the_lab(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lessons.primitives import PrimitivesTab
    from app.lessons.primitives_figures import GOOD_COLOUR
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, PrimitivesTab))
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    assert isinstance(tab, PrimitivesTab)
    saved = tab.current()

    def curve_levels() -> Any:
        tab.refresh_plots()
        _, levels = tab.curve.getData()
        return levels if levels is not None else np.array([])

    def run(primitive: str, **values: int) -> None:
        tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index(primitive))
        assert tab.pages.currentIndex() == primitives.PRIMITIVES.index(primitive)
        for key, value in values.items():
            tab.sliders[primitive][key].setValue(value)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
        qtbot.waitUntil(lambda: tab.verdicts[primitive].text() != "Running...", timeout=5000)

    try:
        run("semaphore", permits=2, workers=5, rounds=2, hold_ms=60)
        occupancy = tab.figures["semaphore"]["max_occupancy"].text()
        assert "2 / 2" in occupancy
        assert GOOD_COLOUR in occupancy
        assert tab.plot.isVisible()
        qtbot.waitUntil(lambda: curve_levels().size > 0, timeout=5000)
        assert curve_levels().max() == 2  # drawn from the OCCUPANCY values: up to the limit
        assert tab.limit_line.value() == 2

        run("queue", capacity=2, producers=2, consumers=1, produce_ms=10, consume_ms=40, items=4)
        assert "/ 2" in tab.figures["queue"]["max_depth"].text()
        assert "consumers were the bottleneck" in tab.verdicts["queue"].text()
        qtbot.waitUntil(lambda: curve_levels().size > 0, timeout=5000)
        assert curve_levels().max() <= 2  # the DEPTH values, within the capacity

        run("barrier", parties=3, rounds=1, work_ms=100)
        assert "ms" in tab.figures["barrier"]["release_spread_ms"].text()
        assert any(m.label.startswith("barrier released") for m in win.store.marks)
        assert not tab.plot.isVisible()

        run("lock", workers=3, rounds=2, hold_ms=20, work_ms=0)
        assert ">0<" in tab.figures["lock"]["overlaps"].text()
        assert "Mutual exclusion held" in tab.verdicts["lock"].text()
        assert "Thread-3: held" in tab.figures["lock"]["per_worker"].text()
    finally:
        tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index(saved))
        win.tabs.setCurrentIndex(0)  # leave the remembered tab as other GUI tests expect it
        win.close()


def test_primitives_settings_are_remembered(qtbot, qloop) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    tab = next(t for t in win.lessons if t.title == "Synchronization primitives")
    before = tab.current(), tab.sliders["semaphore"]["permits"].value(), tab.late.isChecked()
    tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index("queue"))
    tab.sliders["semaphore"]["permits"].setValue(7)
    tab.late.setChecked(True)
    win.close()
    again = MainWindow(start_lab=False)
    qtbot.addWidget(again)
    tab = next(t for t in again.lessons if t.title == "Synchronization primitives")
    try:
        assert tab.current() == "queue"
        assert tab.sliders["semaphore"]["permits"].value() == 7
        assert tab.late.isChecked()
        assert tab.params()["primitive"] == "queue"
    finally:
        tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index(before[0]))
        tab.sliders["semaphore"]["permits"].setValue(before[1])
        tab.late.setChecked(before[2])
        again.close()


# ------------------------------------------------------------- the results
def test_each_verdict_follows_the_figures_not_the_settings() -> None:
    from demos.primitives.results import (
        BarrierResult,
        LockResult,
        QueueResult,
        SemaphoreResult,
        result_from_json,
    )

    # Slow consumers (the settings) but the producers were the ones that waited (the figures).
    queue = QueueResult(2, 1, 1, 200, 10, 6, 6, 2, 1.0, 0, 5, 0.0, 0.8)
    assert "producers were the bottleneck" in queue.verdict()
    assert "neither side" in QueueResult(2, 1, 1, 200, 10, 6, 6, 1, 0.5, 0, 0, 0.0, 0.0).verdict()
    # Fewer permits than threads, yet nobody had to wait.
    sem = SemaphoreResult(2, 4, 1, 10, 2, 4, 0, 0.0, 0.0)
    assert "never had to make one wait" in sem.verdict()
    # A late thread was asked for, but the barrier did not break: no BrokenBarrierError told.
    barrier = BarrierResult(3, 2, True, 500, (0.4, 0.3), (800.0, 90.0), ())
    assert barrier.verdict().startswith("Threads arrived up to 800 ms apart")
    broken = BarrierResult(3, 2, False, None, (), (), ("Thread-1", "Thread-2"))
    assert broken.verdict().startswith("The barrier broke and 2 threads")
    # Holds that overlapped are not called mutual exclusion.
    holds = (("Thread-1", 0, 10), ("Thread-2", 5, 20))
    lock = LockResult(2, 1, 10, 0, (), 0.02, 0.02, 1.0, 1, 1, holds)
    assert "FAILED" in lock.verdict()
    for result in (queue, sem, barrier, broken, lock):
        data = json.loads(json.dumps(result.as_json()))
        assert result_from_json(data) == result
        assert data["verdict"] == result.verdict()
    with pytest.raises((KeyError, TypeError, ValueError)):
        result_from_json({**queue.as_json(), "capacity": "two"})
    with pytest.raises(ValueError, match="mutex"):
        result_from_json({**queue.as_json(), "primitive": "mutex"})
    with pytest.raises(TypeError):
        result_from_json({**lock.as_json(), "holds": [["Thread-1", 0]]})
