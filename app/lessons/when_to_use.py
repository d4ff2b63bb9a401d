"""The "When to use what" tab: the same two workloads measured under four models, as a matrix.

The matrix runs threads, processes and an asyncio loop of its own, so it runs in one separate
``spawn`` process (busy threads in the GUI process would freeze the window). That process sends
each cell as it is measured over a pipe, which a task on the window's loop polls; Cancel, Reset and
closing the window kill it and the workers it started. The tab uses LessonTab's local-run methods:
nothing here goes through the lab.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import platform
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout

from app.lesson import LessonTab, heading, paragraph
from app.lessons.when_to_use_matrix import MatrixBox
from app.param_widgets import SettingSlider
from demos import when_to_use as lesson
from demos import when_to_use_result as results
from demos.escalate import kill_tree
from demos.events import Kind, Lane, Mark, State, now_ns
from demos.when_to_use_result import WhenToUseResult

log = logging.getLogger(__name__)
SPAWN = multiprocessing.get_context("spawn")
POLL_S = 0.05  # how often the window looks at the pipe: cells arrive a few times a second
KILL_TREE_GRACE_S = 1.0  # how long killed processes get to go
LANE_KINDS = {
    "sequential": Kind.THREAD,
    "threads": Kind.THREAD,
    "asyncio": Kind.TASK,
    "processes": Kind.PROCESS,
}

EXPLANATION = (
    "Two workloads, each run four ways. <b>I/O-bound</b>: N jobs that only wait (like a network "
    "call). <b>CPU-bound</b>: N jobs of pure-Python arithmetic. <b>Sequential</b> does them one "
    "after another; <b>threads</b> start one thread per job; <b>asyncio</b> runs one coroutine "
    "per job on a single event loop; <b>processes</b> spawn one interpreter per job."
    "<br><br>Waiting needs no CPU, so threads and coroutines overlap the waits and finish in "
    "about one job's time. Computing needs the CPU: with the <b>GIL</b> only one thread runs "
    "Python at a time, and a coroutine that computes never reaches an <code>await</code>, so "
    "neither gains. Processes each have their own interpreter (and GIL, where there is one) "
    "and run on separate cores; they cost a start-up (reported apart, as a pool pays it once) "
    "and memory."
    "<br><br>Within 10% of the fastest counts as a tie, and a tie goes to the lighter model "
    "(sequential, then coroutines, then threads, then processes). On a free-threaded Python "
    "(no GIL) busy threads scale too, and the matrix shows it. On a GIL build the <b>switch "
    "interval</b> says how long a thread may hold the GIL before it is asked to let another "
    "run: it changes how finely threads take turns, not how much work gets done."
)


class WhenToUseTab(LessonTab):
    """Lesson: one matrix, measured live, tells which model fits which workload."""

    title = "When to use what"
    scenario = "demos.when_to_use"
    runs_locally = True
    speaker_notes = (
        "<p><b>Press Start with the defaults</b> and let the matrix fill: each cell is a real "
        "run, one lane per cell on the timeline. Ask the room to guess the CPU-bound row before "
        "it appears.</p>"
        "<p><b>I/O row</b>: threads and coroutines both finish in about one wait; the green "
        "cell is the lightest model within 10% of the fastest. Processes tie too, once started; "
        "point at their start-up time in the recommendation.</p>"
        "<p><b>CPU row</b>: threads and asyncio equal sequential on a GIL build: one GIL, one "
        "core's worth. "
        "Processes win on a multi-core machine. If they do not, look at the per-core plot: "
        "something else is using the other cores.</p>"
        "<p><b>Switch interval</b> at 0.1 ms, then 50 ms: the CPU row barely moves. The "
        "interval decides how often threads swap, not how much they can do.</p>"
        "<p>Point at the GIL line: on a free-threaded build the threads cell would win.</p>"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Any = None
        self._watcher: asyncio.Task[None] | None = None  # strong ref, as qasync needs
        self._lanes: dict[tuple[str, str], int] = {}
        self._filter_installed = False
        self.last_result: dict[str, Any] | None = None
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self.matrix = MatrixBox()
        self.table = self.matrix.table
        self.recommendation_label = self.matrix.recommendation_label
        self.status_label = self.matrix.status_label
        layout.insertWidget(0, self.matrix)  # above the plots: the table is the point
        layout.setStretch(1, 1)

    # ----------------------------------------------------------------- widgets
    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, interpreter facts and the sliders."""
        s = self.settings
        layout.addWidget(heading("When to use what"))
        layout.addWidget(paragraph(EXPLANATION))
        gil = "enabled" if lesson.gil_enabled() else "<b>disabled</b> (free-threaded build)"
        self.gil_label = paragraph(f"Python {platform.python_version()}, GIL {gil}")
        layout.addWidget(self.gil_label)

        param = lesson.SCENARIO.param
        self.io_jobs = SettingSlider(param("io_jobs"), s, "when_to_use")
        self.io_ms = SettingSlider(param("io_ms"), s, "when_to_use")
        self.cpu_jobs = SettingSlider(param("cpu_jobs"), s, "when_to_use")
        self.cpu_ms = SettingSlider(param("cpu_ms"), s, "when_to_use")
        # Log-ish steps from 0.1 to 50 ms: a linear slider would spend all its length above 5 ms.
        self.switch = SettingSlider(param("switch_step"), s, "when_to_use")
        # The spin box would show the step's index, not its value: the caption shows the value.
        self.switch.spin.hide()
        self.switch.caption.setBuddy(self.switch.slider)
        self.switch.valueChanged.connect(self._show_switch)
        for slider in (self.io_jobs, self.io_ms, self.cpu_jobs, self.cpu_ms, self.switch):
            layout.addWidget(slider)
        self._show_switch()

    def cell_text(self, work: str, model: str) -> str:
        """What a cell shows (for tests and screen readers)."""
        return self.matrix.cell_text(work, model)

    def _show_switch(self, *_: object) -> None:
        ms = lesson.SWITCH_STEPS_MS[self.switch.value()]
        self.switch.caption.setText(
            f"{self.switch.param.caption}: {ms:g} ms (CPython's default: 5 ms)"
        )

    # ---------------------------------------------------------------- settings
    def params(self) -> dict[str, Any]:
        """Slider values as the scenario's parameters."""
        return {
            "io_jobs": self.io_jobs.value(),
            "io_ms": self.io_ms.value(),
            "cpu_jobs": self.cpu_jobs.value(),
            "cpu_ms": self.cpu_ms.value(),
            "switch_interval_ms": lesson.SWITCH_STEPS_MS[self.switch.value()],
        }

    def join_deadline_s(self) -> float:
        """Three times the sequential work plus start-up slack; then the process is killed."""
        p = self.params()
        sequential_s = (p["io_jobs"] * p["io_ms"] + p["cpu_jobs"] * p["cpu_ms"]) / 1000.0
        return 3 * 3 * sequential_s + 60.0  # three slow models per row, on a loaded machine

    # -------------------------------------------------------------- local runs
    def start_local(self) -> None:
        """Spawn the measuring process and watch its pipe from this window's loop."""
        self._install_close_filter()
        params = self.params()
        self.last_params = params
        self.store.clear()
        self._lanes.clear()
        self.clear_plots()
        self.clear_result("Measuring... (each cell is a real run)")
        receiver, sender = SPAWN.Pipe(duplex=False)
        # Not a daemon: a daemonic process may not start children, and the matrix needs some.
        # Its lifetime is ours to end instead: see kill_tree and the window close filter.
        process = SPAWN.Process(
            target=lesson.measure_to, args=(sender, params), name="when-to-use matrix"
        )
        process.start()
        sender.close()  # the child holds the only writer: EOF tells us it is gone
        self._process, self._conn = process, receiver
        self._watcher = asyncio.get_running_loop().create_task(self._watch(process, receiver))
        self._watcher.add_done_callback(self._on_watch_done)
        self.timeline.set_follow(True)
        self.localRunChanged.emit()

    async def _watch(self, process: multiprocessing.process.BaseProcess, conn: Any) -> None:
        """Apply the child's messages until its result (or its end) arrives."""
        while True:
            try:
                while conn.poll():
                    event, work, model, figures = conn.recv()
                    if event in ("result", "error"):
                        self._finish(event, figures)
                        await self._reap(process)
                        return
                    self._on_progress(event, work, model, figures)
            except (EOFError, OSError):
                self._fail("the measuring process ended without a result")
                await self._reap(process)
                return
            if not process.is_alive() and not conn.poll():
                self._fail(f"the measuring process exited with code {process.exitcode}")
                await self._reap(process)
                return
            await asyncio.sleep(POLL_S)

    def _on_progress(self, event: str, work: str, model: str, figures: dict[str, Any]) -> None:
        key = (work, model)
        if event == "begin":
            lane_id = len(self._lanes)
            self._lanes[key] = lane_id
            name = f"{results.WORKLOAD_LABELS[work]} · {model}"
            self.store.add_lane(Lane(lane_id, LANE_KINDS[model], name, 0))
            state = State.WAITING if work == "io" else State.RUNNING
            self.store.add_events([(figures["t_ns"], lane_id, int(state), f"measuring {model}")])
            self.matrix.set_cell(work, model, "measuring...")
            self.status_label.setText(f"Measuring {results.WORKLOAD_LABELS[work]} with {model}...")
        elif event == "cell" and key in self._lanes:
            text = f"{figures['elapsed_s']:.3f} s"
            if "startup_s" in figures and model == "processes":
                text += f" (+{figures['startup_s']:.2f} s start-up)"
            self.store.add_events([(figures["t_ns"], self._lanes[key], int(State.DONE), text)])
            self.matrix.set_cell(work, model, text)

    def _finish(self, event: str, figures: dict[str, Any]) -> None:
        if event == "error":
            self._fail(figures["message"])
            return
        self.last_result = figures
        self.show_local_result(figures)

    def _fail(self, message: str) -> None:
        log.warning("when-to-use matrix failed: %s", message)
        self.status_label.setText(f"The measurement failed: {message}")

    async def _reap(self, process: multiprocessing.process.BaseProcess) -> None:
        """Wait (without blocking the loop) for a process that has sent its last word."""
        deadline = time.monotonic() + KILL_TREE_GRACE_S * 5
        # A process end is no event the loop can await: poll it.
        while process.is_alive() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        if process.is_alive():
            kill_tree(process)
        self._release(process)

    def _release(self, process: multiprocessing.process.BaseProcess) -> None:
        process.join(KILL_TREE_GRACE_S)
        with contextlib.suppress(ValueError):  # still running after a kill: leave it to the OS
            process.close()
        if process is self._process:
            self._process = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _on_watch_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("when-to-use run failed", exc_info=exc)
            self._fail(f"{type(exc).__name__}: {exc}")
        self.localRunChanged.emit()

    def is_running_locally(self) -> bool:
        """Until the matrix is shown, or the run was cancelled."""
        return self._watcher is not None and not self._watcher.done()

    def pause_local(self) -> None:
        """A measurement cannot pause: the pause would be measured. Say so instead."""
        text = "A measurement cannot pause (the pause would be measured)."
        self.status_label.setText(text)
        # That line gives the progress and is overwritten within a second: the banner stays.
        show_banner = getattr(self.window(), "show_banner", None)
        if show_banner is not None:
            show_banner(text)

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """Await the whole matrix; past the deadline the process is killed."""
        watcher = self._watcher
        if watcher is None:
            return 0.0
        t0 = time.perf_counter()
        done, _ = await asyncio.wait([watcher], timeout=timeout_s)
        if not done:
            await self.cancel_local()
            return None
        self.store.add_mark(Mark(now_ns(), f"join returned after {time.perf_counter() - t0:.2f} s"))
        return time.perf_counter() - t0

    async def cancel_local(self) -> bool:
        """Kill the measuring process and its workers: a half-measured cell means nothing."""
        watcher, process = self._watcher, self._process
        if watcher is None or watcher.done():
            return True
        watcher.cancel()
        await asyncio.wait([watcher], timeout=KILL_TREE_GRACE_S)
        ended = True
        if process is not None:
            self.store.add_mark(Mark(now_ns(), "measurement cancelled"))
            ended = kill_tree(process)
            self._release(process)
        self.status_label.setText("Cancelled: the measuring process and its workers were ended.")
        self.localRunChanged.emit()
        return ended

    async def reset_local(self) -> None:
        """Cancel what runs, then forget the matrix and its timeline."""
        if self.is_running_locally():
            await self.cancel_local()
        self.store.clear()
        self._lanes.clear()
        self.timeline.clear()
        self.localRunChanged.emit()

    # ------------------------------------------------------------ window close
    def _install_close_filter(self) -> None:
        """Closing the window ends the measuring process (the window's shutdown knows only the
        lab): a filter on the top-level window sees the close before anything is torn down."""
        if not self._filter_installed:
            self.window().installEventFilter(self)
            self._filter_installed = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """On the window's close: kill the measurement, synchronously and with a deadline."""
        if event.type() == QEvent.Type.Close:
            self.stop_now()
        return False

    def stop_now(self) -> None:
        """Kill any running measurement at once (window close, application quit)."""
        if self._watcher is not None and not self._watcher.done():
            self._watcher.cancel()
        if self._process is not None:
            kill_tree(self._process)
            self._release(self._process)

    # --------------------------------------------------------------- results
    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Lab reports never concern this tab (it measures in its own process): see ``_finish``."""

    def clear_result(self, message: str) -> None:
        """Blank the matrix before a new run or after a reset."""
        self.matrix.clear()
        self.recommendation_label.setText(message)
        self.status_label.setText("")

    def show_local_result(self, result: dict[str, Any]) -> None:
        """The matrix of a finished measurement (or of a saved one), rebuilt as the typed result
        (KeyError/TypeError/ValueError for figures that do not fit)."""
        self.matrix.show_result(WhenToUseResult.from_json(result))
