"""Coroutines lesson: the twin's figures, the scenario in a loop, and the tab in the window."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from demos import coroutine_result, coroutine_tasks, coroutines
from demos.events import State
from demos.intervals import IntervalStore

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent


def twin(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "demos.coroutines", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_here(**overrides: object) -> tuple[dict, IntervalStore]:
    store = IntervalStore()
    params = {**coroutines.DEFAULTS, **overrides}
    result = asyncio.run(coroutines.run_twin(params, store)).result()
    return result, store


def test_thousand_tasks_overlap_on_one_thread() -> None:
    result = twin("--tasks", "1000", "--io-ms", "200")
    assert {"elapsed_s", "sequential_s", "threads_used", "max_loop_lag_ms"} <= result.keys()
    assert {"tasks", "io_ms"} <= result.keys()
    assert result["tasks"] == 1000
    assert result["io_ms"] == 200
    assert result["elapsed_s"] < 1.5, "1000 waits of 3 x 200 ms overlap: about 0.6 s"
    assert result["sequential_s"] == pytest.approx(600.0)
    assert result["threads_used"] == 1


def test_blocking_call_stalls_the_loop() -> None:
    result = twin("--tasks", "1000", "--io-ms", "200", "--blocking")
    assert result["max_loop_lag_ms"] >= 500
    assert result["elapsed_s"] >= 1.0


def test_semaphore_admits_ten_at_a_time() -> None:
    result, store = run_here(tasks=100, io_ms=50, steps=1, limit=10)
    assert result["elapsed_s"] >= 0.45, "10 rounds of 50 ms"
    assert result["threads_used"] == 1
    assert len(store.lanes) == 100 // 4  # more than 64 tasks: bands of 4
    assert {s for s, _ in store.final_states().values()} == {State.DONE}


def test_sequential_awaits_do_not_overlap() -> None:
    result, store = run_here(tasks=5, io_ms=40, steps=2, mode="sequential")
    assert result["elapsed_s"] >= 0.4
    assert result["speedup"] < 1.2
    assert [lane.name for lane in store.lanes] == [f"task {i}" for i in range(1, 6)]


def test_offloading_the_cpu_step_keeps_the_loop_responsive() -> None:
    inline, _ = run_here(tasks=20, io_ms=20, steps=1, cpu_ms=20)
    offloaded, _ = run_here(tasks=20, io_ms=20, steps=1, cpu_ms=20, offload=True)
    assert offloaded["offload_threads"] == 1
    assert offloaded["threads_used"] == 1
    assert offloaded["max_loop_lag_ms"] < inline["max_loop_lag_ms"] / 2


def test_bands_keep_the_timeline_small() -> None:
    assert len(coroutine_tasks.bands(10_000)) == coroutine_tasks.BAND_LANES
    assert coroutine_tasks.band_name(coroutine_tasks.bands(10_000)[0]) == "tasks 1-313"
    assert len(coroutine_tasks.bands(64)) == 64
    with pytest.raises(ValueError, match="tasks"):
        coroutines.validate({**coroutines.DEFAULTS, "tasks": 0})


# ------------------------------------------------------------ the verdict
def figures(**changes: object) -> coroutine_result.CoroutinesResult:
    """A thousand overlapping tasks' figures, with ``changes``."""
    base = coroutine_result.CoroutinesResult(
        **{**coroutines.DEFAULTS},
        lanes=64,
        elapsed_s=0.62,
        sequential_s=600.0,
        expected_s=0.6,
        speedup=967.7,
        threads_used=1,
        offload_threads=0,
        max_loop_lag_ms=4.0,
        cancelled=0,
        failed=0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_the_verdict_follows_the_measured_overlap() -> None:
    assert "waited at the same time on one thread" in figures().verdict()
    # Settings ask for gather, yet the waits were measured not to overlap: say so.
    verdict = figures(tasks=5, elapsed_s=0.4, sequential_s=0.4, speedup=1.0).verdict()
    assert "did not overlap (1.0x)" in verdict
    assert "same time" not in verdict


def test_a_blocking_call_is_blamed_only_when_the_loop_lag_shows_it() -> None:
    assert "froze" in figures(blocking=True, max_loop_lag_ms=1003.0).verdict()
    # The setting alone would have said "the window froze": a 5 ms lag says otherwise.
    assert "froze" not in figures(blocking=True, max_loop_lag_ms=5.0).verdict()
    assert "stalled" in figures(cpu_ms=20, max_loop_lag_ms=250.0).verdict()
    assert "stalled" not in figures(cpu_ms=20, max_loop_lag_ms=8.0).verdict()


def test_the_result_round_trips_through_json_and_refuses_nonsense() -> None:
    result = figures(limit=10)
    data = json.loads(json.dumps(result.as_json()))
    assert data["verdict"].startswith("The semaphore let 10 tasks in")
    assert coroutine_result.CoroutinesResult.from_json(data) == result
    with pytest.raises(KeyError):
        coroutine_result.CoroutinesResult.from_json({k: v for k, v in data.items() if k != "lanes"})
    with pytest.raises(TypeError):
        coroutine_result.CoroutinesResult.from_json({**data, "elapsed_s": "fast"})
    with pytest.raises(TypeError):
        coroutine_result.CoroutinesResult.from_json([1, 2])


# --------------------------------------------------------------------- GUI
@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    from app.lessons.coroutines import CoroutinesTab
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)  # coroutines run in this loop: no lab needed
    qtbot.addWidget(win)
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, CoroutinesTab))
    win.tabs.setCurrentIndex(index)
    win.show()
    yield win
    win.close()
    # pytest-qt closed the window first and it saved this tab as the last one: other tests
    # expect a window that opens on the first tab.
    win.settings.setValue("window/last_lesson", "process_thread")
    win.settings.sync()


def configure(tab, tasks: int, io_ms: int, steps: int) -> None:  # noqa: ANN001
    tab.tasks.setValue(tasks)
    tab.io_ms.setValue(io_ms)
    tab.steps.setValue(steps)
    tab.limit.setValue(0)
    tab.cpu_ms.setValue(0)
    tab.mode_gather.setChecked(True)
    tab.blocking.setChecked(False)


def test_start_runs_tasks_in_the_window_loop(window, qtbot) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    configure(tab, tasks=20, io_ms=50, steps=2)
    window.start_action.trigger()
    assert tab.is_running_locally()
    assert not window.start_action.isEnabled()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=10_000)
    assert tab.threads_label.text() == "1"
    assert float(tab.elapsed_label.text().split()[0]) < 1.0
    assert "one thread" in tab.verdict_label.text()
    assert {s for s, _ in tab.store.final_states().values()} == {State.DONE}
    # The end is announced from the watcher's done-callback: one turn of the loop later.
    qtbot.waitUntil(window.start_action.isEnabled, timeout=1000)


def test_cancel_mid_run_cancels_every_lane(window, qtbot) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    configure(tab, tasks=200, io_ms=500, steps=10)
    window.start_action.trigger()
    waiting = {State.WAITING}
    qtbot.waitUntil(
        lambda: {s for s, _ in tab.store.final_states().values()} == waiting, timeout=5000
    )
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=10_000)
    finals = {s for s, _ in tab.store.final_states().values()}
    assert finals == {State.CANCELLED}
    assert len(tab.store.lanes) == len(coroutine_tasks.bands(200))
    assert tab.pending_tasks() == 0
    assert "Cancelled" in tab.verdict_label.text()
