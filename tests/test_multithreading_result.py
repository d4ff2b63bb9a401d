"""The Multithreading verdict comes from the measured figures, not from the kind of work."""

from __future__ import annotations

import pytest

from demos.multithreading import MultithreadingResult, summarize
from demos.multithreading_gil import GilFigures

pytestmark = pytest.mark.timeout(10)
PARAMS = {"threads": 2, "steps": 5, "step_ms": 100}


def result(
    kind: str, elapsed_s: float, work_s: float, gil: GilFigures | None = None
) -> MultithreadingResult:
    return summarize({**PARAMS, "kind": kind}, elapsed_s, work_s, gil)


def turns(elapsed_s: float = 1.0) -> GilFigures:
    """What a GIL build measures: many hand-offs, the threads hardly ever running at once."""
    return GilFigures(True, 5.0, 200, 0.01, elapsed_s)


def test_sleeping_threads_that_overlap_are_told_so() -> None:
    assert "waiting overlaps" in result("io", 0.5, 1.0).verdict()


def test_sleeping_threads_that_did_not_overlap_are_not_said_to() -> None:
    verdict = result("io", 1.0, 1.0).verdict()
    assert "overlaps." not in verdict
    assert "1.0x" in verdict


def test_computing_threads_that_took_turns_blame_the_gil() -> None:
    assert "took turns holding the GIL" in result("cpu", 1.0, 1.0, turns()).verdict()


def test_no_speedup_without_a_gil_measurement_does_not_blame_the_gil() -> None:
    verdict = result("cpu", 1.0, 1.0).verdict()
    assert "No speedup" in verdict
    assert "GIL" not in verdict


def test_computing_threads_that_ran_in_parallel_are_not_blamed_on_a_gil() -> None:
    # What a free-threaded build measures: two threads, twice as fast, running at once.
    verdict = result("cpu", 0.52, 1.0, GilFigures(False, 5.0, 0, 0.5, 0.52)).verdict()
    assert "in parallel" in verdict
    assert "took turns" not in verdict


def test_the_json_holds_figures_and_verdict() -> None:
    data = result("cpu", 1.0, 1.0, turns()).as_json()
    assert data["speedup"] == 1.0
    assert data["verdict"].startswith("The threads took turns")
    assert data["gil"] == {
        "enabled": True,
        "switch_interval_ms": 5.0,
        "handoffs": 200,
        "overlap_s": 0.01,
    }
    assert data["per_thread"] == []


@pytest.mark.gui
def test_a_run_cut_short_shows_no_speedup(qtbot) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(window.lessons.titles.index("Multithreading"))
    tab = window.current_lesson()
    tab.show_result(0.4, {"work_s": 0.1, "failed": "the lab process was killed (SIGKILL)"})
    assert tab.speedup_label.text() == "no figure"
    assert tab.sequential_label.text() == "-"
    assert "cut short" in tab.verdict_label.text()
    assert "SIGKILL" in tab.verdict_label.text()
    window.close()


@pytest.mark.gui
def test_a_cpu_run_shows_each_threads_gil_figures(qtbot) -> None:  # noqa: ANN001
    from app.main_window import MainWindow
    from demos.events import Kind, Lane, State
    from demos.gil_slices import WAITING_FOR_CPU, WAITING_FOR_GIL

    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(window.lessons.titles.index("Multithreading"))
    tab = window.current_lesson()
    tab.last_params = {**tab.last_params, "threads": 2, "kind": "cpu", "switch_interval_ms": 5}
    ms = 1_000_000
    store = tab.store
    store.add_lane(Lane(0, Kind.THREAD, "MainThread"))  # the lab's own thread: not a worker
    store.add_lane(Lane(1, Kind.THREAD, "Thread-1"))
    store.add_lane(Lane(2, Kind.THREAD, "Thread-2"))
    running, ready = int(State.RUNNING), int(State.READY)
    store.add_events(
        [
            (0, 0, running, "starting"),
            (0, 1, running, "step"),
            (0, 2, running, "step"),
            (1 * ms, 2, ready, WAITING_FOR_GIL),
            (6 * ms, 1, ready, WAITING_FOR_GIL),
            (6 * ms, 2, running, "step"),
            (11 * ms, 1, running, "step"),
            (11 * ms, 2, ready, WAITING_FOR_CPU),
            (15 * ms, 1, int(State.DONE), "returned"),
            (15 * ms, 2, int(State.DONE), "returned"),
        ]
    )
    tab.show_result(0.015, {"work_s": 0.015, "result": {"gil_enabled": True}})
    assert tab.handoffs_label.text().startswith("2 (")
    table = tab.gil_table.text()
    assert "Thread-1" in table
    assert "Thread-2" in table
    assert "MainThread" not in table
    assert "0.01 s" in table  # Thread-1: 10 ms running; Thread-2: 5 ms waiting for the GIL
    window.close()
