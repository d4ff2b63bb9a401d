"""Modern asyncio in the Coroutines lesson: each scenario's truth, its twin, and the tab
running one through the window's qasync loop."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from demos import asyncio_io, asyncio_modern, asyncio_overhead
from demos.asyncio_results import TIMEOUT_SLACK_MS
from demos.events import State
from demos.intervals import IntervalStore

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent


def run(scenario: str, **settings: Any) -> tuple[dict[str, Any], IntervalStore]:
    """One scenario in a fresh loop: its figures and its timeline."""
    store = IntervalStore()
    params = {**asyncio_modern.DEFAULTS, "scenario": scenario, **settings}
    result, ended = asyncio.run(asyncio_modern.run_twin(params, store))
    assert ended
    return result, store


def finals(store: IntervalStore, prefix: str) -> list[State]:
    """The final state of every lane whose name starts with ``prefix``."""
    states = store.final_states()
    return [states[lane.lane_id][0] for lane in store.lanes if lane.name.startswith(prefix)]


def test_taskgroup_cancels_the_siblings_gather_lets_them_run_on() -> None:
    result, store = run("taskgroup", group=4, slow_ms=300, at_ms=50)
    assert finals(store, "TaskGroup") == [State.FAILED] + [State.CANCELLED] * 3
    assert finals(store, "gather") == [State.FAILED] + [State.DONE] * 3
    assert (result["taskgroup_cancelled"], result["gather_done"]) == (3, 3)
    assert result["exception_group"].startswith("ExceptionGroup: unhandled errors in a TaskGroup")
    assert "Failure: task 1 failed after 50 ms" in result["exception_group"]
    assert result["gather_error"] == "Failure: task 1 failed after 50 ms"


@pytest.mark.serial  # a latency: alone, not beside other tests
def test_the_timeout_fires_within_50_ms_of_its_deadline() -> None:
    result, store = run("timeout", slow_ms=1000, at_ms=200)
    assert result["timed_out"]
    assert abs(result["fired_ms"] - 200) <= TIMEOUT_SLACK_MS == 50
    assert result["in_time_done"]
    assert finals(store, "slow") == [State.CANCELLED]


def test_the_finally_runs_on_cancel_and_shield_keeps_the_inner_task() -> None:
    result, store = run("cancel", group=3, slow_ms=400, at_ms=50)
    assert result["cancelled"] == result["finally_ran"] == 3
    assert result["outer_cancelled"]
    assert result["inner_completed"]
    assert finals(store, "inner") == [State.DONE]
    # Each finally shows on its lane: RUNNING (the cleanup) between the wait and the end.
    shown = {d for d in store.detail if d.startswith("finally")}
    assert shown == {"finally: closing what it opened", "finally ran"}


def test_queue_depth_never_exceeds_its_bound() -> None:
    result, store = run("queue", maxsize=3, items=20, produce_ms=0, consume_ms=5)
    depths = [value for _, _, value in store.values(asyncio_io.DEPTH)]
    assert len(depths) == 2 * 21 + 1  # every put and get (and the end marker), and the start
    assert max(depths) == result["max_depth"] == 3, "a fast producer fills it to the bound"
    assert result["consumed"] == 20
    assert result["producer_blocked_s"] > 0


def test_every_echo_returns_through_the_loopback_server() -> None:
    result, store = run("sockets", clients=12, latency_ms=50)
    assert result["echoed"] == 12
    assert result["port"] > 0
    assert finals(store, "client") == [State.DONE] * 12
    assert finals(store, "server") == [State.DONE]


def test_memory_per_task_is_below_memory_per_thread() -> None:
    task = asyncio_overhead.measure_in_child("task", 1000)
    thread = asyncio_overhead.measure_in_child("thread", 1000)
    assert 0 < task.rss_bytes_each < thread.rss_bytes_each, (task, thread)
    assert task.traced_bytes_each > 0
    assert asyncio_overhead.plan(1000) == [("task", 1000), ("task", 10_000), ("thread", 1000)]


def test_a_cancelled_scenario_ends_every_lane() -> None:
    async def cancel_early(store: IntervalStore) -> dict[str, Any]:
        params = {**asyncio_modern.DEFAULTS, "scenario": "queue", "items": 500}
        scenario = asyncio_modern.ModernRun(params, store)
        scenario.start()
        await asyncio.sleep(0.1)
        assert await scenario.cancel()
        return await scenario.finished()

    store = IntervalStore()
    result = asyncio.run(cancel_early(store))
    assert result["result"] == "stopped"
    assert {s for s, _ in store.final_states().values()} <= {State.CANCELLED, State.DONE}


def test_cancel_ends_an_overhead_measurement_and_its_child_at_once() -> None:
    async def cancel_soon() -> tuple[bool, dict[str, Any]]:
        params = {**asyncio_modern.DEFAULTS, "scenario": "overhead", "thread_cap": 10_000}
        scenario = asyncio_modern.ModernRun(params, IntervalStore())
        scenario.start()
        await asyncio.sleep(0.3)  # the first child is measuring (or still starting)
        ended = await scenario.cancel(2.0)
        return ended, await scenario.finished()

    ended, result = asyncio.run(cancel_soon())
    assert ended, "the child is ended within the cancel's deadline"
    assert result["result"] == "stopped"  # and the leak check finds no child left

    # Stopped in the middle of its longest measurement, the child is ended, not awaited.
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="10000 threads: stopped"):
        asyncio_overhead.measure_in_child("thread", 10_000, lambda: time.monotonic() > t0 + 0.3)
    assert time.monotonic() - t0 < 1.5


def test_the_twin_prints_one_json_line() -> None:
    command = asyncio_modern.twin_command({"scenario": "cancel", "group": 2, "at_ms": 30})
    assert command == (
        "python -m demos.asyncio_modern --scenario cancel --group 2 --slow-ms 600 --at-ms 30"
    )
    proc = subprocess.run(
        [sys.executable, *command.split()[1:], "--slow-ms", "200", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["finally_ran"] == 2
    assert "CancelledError reached the finally" in figures["verdict"]


# --------------------------------------------------------------------- GUI
@pytest.fixture
def tab(qtbot, qloop):  # noqa: ANN001
    from app.lessons.coroutines import CoroutinesTab
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)  # coroutines run in this loop: no lab needed
    qtbot.addWidget(win)
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, CoroutinesTab))
    win.tabs.setCurrentIndex(index)
    win.show()
    lesson = win.current_lesson()
    yield win, lesson
    lesson.modern.choice.setCurrentIndex(0)  # the classic lesson again, for the other tests
    win.close()
    win.settings.setValue("window/last_lesson", "process_thread")
    win.settings.sync()


def choose(lesson, name: str, **values: int) -> None:  # noqa: ANN001
    combo = lesson.modern.choice
    combo.setCurrentIndex(combo.findData(name))
    for key, value in values.items():
        lesson.modern.sliders[key].setValue(value)


def test_the_tab_runs_modern_scenarios_in_the_window_loop(tab, qtbot, tmp_path) -> None:  # noqa: ANN001
    win, lesson = tab
    choose(lesson, "taskgroup", group=3, slow_ms=300, at_ms=50)
    assert not lesson.result_box.isVisibleTo(lesson)  # the classic figures make way
    win.code_panel.update_view()  # the dock follows the settings (only while shown)
    assert "--scenario taskgroup --group 3" in win.code_panel.command.text()
    win.start_action.trigger()
    assert lesson.is_running_locally()
    qtbot.waitUntil(lambda: not lesson.is_running_locally(), timeout=10_000)
    box = lesson.modern.boxes["taskgroup"]
    assert box.values["group"].text() == "2 of 2"
    assert "unhandled errors in a TaskGroup" in box.values["raised"].text()
    assert "TaskGroup cancelled all 2 siblings" in box.verdict.text()
    assert lesson.last_result["taskgroup_cancelled"] == 2
    saved = str(tmp_path / "taskgroup.clrun")
    assert win.save_run_to(saved), win.banner.text()

    choose(lesson, "queue", maxsize=2, items=10, produce_ms=0, consume_ms=10)
    qtbot.waitUntil(win.start_action.isEnabled, timeout=1000)
    win.start_action.trigger()
    qtbot.waitUntil(lambda: not lesson.is_running_locally(), timeout=10_000)
    lesson.refresh_plots()
    _, depths = lesson.modern.depth_plot.curve.getData()
    assert depths is not None
    assert max(depths) == 2
    assert lesson.modern.boxes["queue"].values["max_depth"].text() == "2"
    assert {s for s, _ in lesson.store.final_states().values()} == {State.DONE}

    # A saved run comes back with its own scenario chosen and its figures shown.
    assert win.open_run_from(saved), win.banner.text()
    assert lesson.modern.scenario() == "taskgroup"
    assert "unhandled errors in a TaskGroup" in box.values["raised"].text()
    assert box.isVisibleTo(lesson)


def test_cancel_stops_a_modern_scenario_in_the_tab(tab, qtbot) -> None:  # noqa: ANN001
    win, lesson = tab
    choose(lesson, "sockets", clients=10, latency_ms=2000)
    win.start_action.trigger()
    qtbot.waitUntil(lambda: len(lesson.store.lanes) == 11, timeout=5000)
    win.cancel_action.trigger()
    qtbot.waitUntil(lambda: not lesson.is_running_locally(), timeout=5000)
    assert {s for s, _ in lesson.store.final_states().values()} == {State.CANCELLED}
    assert "Cancelled" in lesson.modern.boxes["sockets"].verdict.text()
