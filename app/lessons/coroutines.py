"""The Coroutines tab: N tasks awaiting I/O in this window's own event loop (qasync).

Unlike the thread lessons, nothing runs in the lab: the coroutines share the loop that draws the
window, which is the point. The tab runs them itself through LessonTab's local-run methods, keeps
its own IntervalStore, and shows an event-loop lag meter that a blocking call visibly breaks.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from app.layout_items import item_at
from app.lesson import LessonTab, heading, paragraph
from app.lessons.coroutines_lag import LoopLagMeter
from app.lessons.coroutines_modern import CLASSIC, ModernPanel
from app.param_widgets import SettingChoice, SettingSlider, SettingSwitch
from app.result_box import ResultBox
from demos import asyncio_modern
from demos import coroutines as lesson
from demos.context import Control
from demos.coroutine_result import CoroutinesResult
from demos.events import Mark, now_ns
from demos.scenario import lesson_values

log = logging.getLogger(__name__)
CANCEL_DEADLINE_S = 2.0

EXPLANATION = (
    "Every task is a coroutine that awaits simulated I/O (<code>await asyncio.sleep</code>) a "
    "few times. They all run on <b>one thread</b>, the one drawing this window: the "
    "<b>event loop</b> runs a task until it reaches an <code>await</code>, then switches to "
    "another task that is ready. Nobody interrupts a task; it hands control back itself "
    "(<i>cooperative</i> switching)."
    "<br><br>While a task waits, the loop runs the others, so a thousand tasks that each wait "
    "0.6 s finish in about 0.6 s. <b>gather</b> starts them all at once; <b>sequential</b> "
    "awaits each before starting the next, which throws the overlap away. A "
    "<b>semaphore</b> lets at most N in at a time, like a connection limit."
    "<br><br>A task that calls a <i>blocking</i> function, such as <code>time.sleep</code> or "
    "a synchronous HTTP call, never reaches an await: nothing else runs until it returns, not "
    "the other tasks and not this window. Work that computes for long blocks the loop the same "
    "way; <code>run_in_executor</code> (or <code>asyncio.to_thread</code>) moves it to a thread "
    "and awaits the result, so the loop stays free."
)


class CoroutinesTab(LessonTab):
    """Lesson: many coroutines, one thread, one loop, and what a blocking call does to it."""

    title = "Coroutines"
    scenario = "demos.coroutines"
    runs_locally = True
    speaker_notes = (
        "<p><b>Start with 1000 tasks</b>, 200 ms, 3 steps, gather. Ask: one after another that "
        "is 10 minutes; how long here? Elapsed about 0.6 s, and <i>threads used: 1</i>. Point "
        "at the lane names: every band says the same thread id.</p>"
        "<p><b>Semaphore 100</b>: ten rounds, about 6 s; the bands turn <i>blocked</i> while "
        "they queue. Then <b>sequential</b> with 10 tasks: the staircase, elapsed equals the "
        "sum.</p>"
        "<p><b>Blocking call</b>: warn the room, press Start. The window freezes for a second, "
        "the lag meter goes red and the result shows about 1000 ms of loop lag. One "
        "<code>time.sleep</code> stopped every task.</p>"
        "<p><b>CPU step</b> 20 ms with 20 tasks: lag climbs to hundreds of ms. Tick "
        "<i>offload</i>: the loop lag drops to a few ms, the elapsed time does not (on a GIL "
        "build the offloaded thread and the loop share one GIL).</p>"
        "<p>C cancels: every lane ends <i>cancelled</i> at its current await.</p>"
        "<p><b>Scenario</b> list, modern asyncio: <i>TaskGroup vs gather</i>: the TaskGroup "
        "lanes turn cancelled when task 1 fails, the gather lanes run on; read the "
        "ExceptionGroup aloud. <i>timeout</i>: the figure is how late TimeoutError came. "
        "<i>Queue</i>: the depth plot flattens at maxsize. <i>Overhead</i>: the bars, more than "
        "ten times less memory per task than per thread.</p>"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.control = Control()  # this tab's own pause/cancel flags (no lab involved)
        self._run: lesson.CoroutineRun | None = None
        self._modern_run: asyncio_modern.ModernRun | None = None
        self._watcher: asyncio.Task[dict[str, Any]] | None = None  # strong ref, qasync needs it
        self.last_result: dict[str, Any] | None = None
        self.lag_meter = LoopLagMeter(self)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.lag_meter)  # above the splitter: always in view
        layout.setStretch(1, 1)
        self.localRunChanged.connect(
            lambda: self.lag_meter.set_measuring(
                self.is_running_locally() and not self.is_paused_locally()
            )
        )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, sliders, switches and the results box."""
        s = self.settings
        layout.addWidget(heading("Coroutines and async/await"))
        layout.addWidget(explanation := paragraph(EXPLANATION))
        self.modern = ModernPanel(s, self)
        layout.addWidget(self.modern)
        first_classic = layout.count()

        param = lesson.SCENARIO.param
        self.tasks = SettingSlider(param("tasks"), s, "coroutines")
        self.io_ms = SettingSlider(param("io_ms"), s, "coroutines")
        self.steps = SettingSlider(param("steps"), s, "coroutines")
        self.limit = SettingSlider(param("limit"), s, "coroutines")
        self.cpu_ms = SettingSlider(param("cpu_ms"), s, "coroutines")
        for slider in (self.tasks, self.io_ms, self.steps, self.limit, self.cpu_ms):
            layout.addWidget(slider)

        layout.addWidget(QLabel("Await the tasks"))
        self.mode = SettingChoice(
            param("mode"),
            s,
            "coroutines",
            {
                "gather": "&gather: all at once (asyncio.gather)",
                "sequential": "s&equential: one after another (await in a loop)",
            },
            self,
        )
        self.mode_gather = self.mode.buttons["gather"]
        self.mode_sequential = self.mode.buttons["sequential"]
        for button in self.mode.buttons.values():
            layout.addWidget(button)

        # Not remembered on purpose: a switch that freezes the window must be chosen each time.
        blocking = param("blocking")
        self.blocking = QCheckBox(blocking.caption)
        self.blocking.setToolTip("Freezes the window for up to 1 s: that is the lesson")
        layout.addWidget(self.blocking)
        layout.addWidget(paragraph("<i>Warning: this freezes the window for up to 1 s.</i>"))
        self.offload = SettingSwitch(param("offload"), s, "coroutines")
        layout.addWidget(self.offload)

        self.result_box = ResultBox(
            [
                ("elapsed", "Elapsed:"),
                ("sequential", "One after another:"),
                ("expected", "Expected:"),
                ("threads", "OS threads used:"),
                ("lag", "Max loop lag:"),
            ],
            big="elapsed",
            verdict="Press Start (Space) to run the coroutines.",
        )
        figures = self.result_box.values
        self.elapsed_label, self.sequential_label = figures["elapsed"], figures["sequential"]
        self.expected_label, self.threads_label = figures["expected"], figures["threads"]
        self.lag_label, self.verdict_label = figures["lag"], self.result_box.verdict
        layout.addWidget(heading("Last run"))
        layout.addWidget(self.result_box)
        # The classic lesson's own widgets: hidden while a modern scenario is chosen.
        widgets = (item_at(layout, i)[0] for i in range(first_classic, layout.count()))
        self._classic: list[QWidget] = [explanation]
        self._classic += [w for w in widgets if w is not None]
        self.modern.chosen.connect(self._show_scenario)
        self._show_scenario(self.modern.scenario())

    def _show_scenario(self, name: str) -> None:
        for widget in self._classic:
            widget.setVisible(name == CLASSIC)

    # -------------------------------------------------------------- settings
    def params(self) -> dict[str, Any]:
        """Slider values as the scenario's parameters (the modern scenarios' after them)."""
        return {**self.classic_params(), **self.modern.params()}

    def classic_params(self) -> dict[str, Any]:
        """The classic lesson's settings."""
        return {
            "tasks": self.tasks.value(),
            "io_ms": self.io_ms.value(),
            "steps": self.steps.value(),
            "limit": self.limit.value(),
            "mode": self.mode.value(),
            "blocking": self.blocking.isChecked(),
            "cpu_ms": self.cpu_ms.value(),
            "offload": self.offload.isChecked(),
        }

    def join_deadline_s(self) -> float:
        """Twice the expected time plus slack; then the remaining tasks get Task.cancel()."""
        if self.modern.scenario() != CLASSIC:
            return 2.0 * asyncio_modern.expected_s(self.modern.modern_params()) + 10.0
        return 2.0 * lesson.expected_s(self.classic_params()) + 10.0

    # ------------------------------------------------------------ local runs
    def start_local(self) -> None:
        """Create the tasks in this window's running loop (the Start button)."""
        params = self.params()
        self.last_params = params
        self.store.clear()
        self.clear_plots()
        self.clear_result("Running...")
        self.lag_meter.reset_max()
        run: lesson.CoroutineRun | asyncio_modern.ModernRun
        if params["scenario"] == CLASSIC:
            classic = lesson_values(lesson.SCENARIO, params)
            run = lesson.CoroutineRun(classic, lesson.StoreSink(self.store), self.control)
            self._run, self._modern_run = run, None
        else:
            run = asyncio_modern.ModernRun(self.modern.modern_params(), self.store)
            self._run, self._modern_run = None, run
        run.start()
        self._watcher = asyncio.get_running_loop().create_task(self._watch(run))
        # Announced once the watcher is done, so is_running_locally() already says False.
        self._watcher.add_done_callback(self._on_watch_done)
        self.timeline.set_follow(True)
        self.localRunChanged.emit()

    async def _watch(self, run: lesson.CoroutineRun | asyncio_modern.ModernRun) -> dict[str, Any]:
        result = await run.finished()
        if run in (self._run, self._modern_run):  # a reset may have replaced it meanwhile
            self.last_result = result
            self.show_local_result(result)
        return result

    def _on_watch_done(self, task: asyncio.Task[dict[str, Any]]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("coroutines run failed", exc_info=exc)
            self.verdict_label.setText(f"The run failed: {type(exc).__name__}: {exc}")
            self.modern.note(f"The run failed: {type(exc).__name__}: {exc}")
        self.localRunChanged.emit()

    def is_running_locally(self) -> bool:
        """Until the run's figures are shown."""
        return self._watcher is not None and not self._watcher.done()

    def is_paused_locally(self) -> bool:
        """True while paused."""
        return self.is_running_locally() and self.control.paused

    def pause_local(self) -> None:
        """Tasks hold (by awaiting) at their next step boundary."""
        if self._modern_run is not None:  # its awaits are the lesson: nothing holds them
            self.modern.note(
                "Pause holds the classic lesson's tasks only; this scenario runs "
                "on to its end, or press Cancel."
            )
        if self._run is not None:
            self._run.pause()
            self.localRunChanged.emit()

    def resume_local(self) -> None:
        """Paused tasks go on."""
        if self._run is not None:
            self._run.resume()
            self.localRunChanged.emit()

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """Await every task like ``await asyncio.gather(...)``; marks the timeline."""
        run, watcher = self._run, self._watcher
        if self._modern_run is not None and watcher is not None:
            t0 = now_ns()
            done, _ = await asyncio.wait([watcher], timeout=timeout_s)
            if not done:
                await self._modern_run.cancel(CANCEL_DEADLINE_S)
                await asyncio.wait([watcher], timeout=CANCEL_DEADLINE_S)
            waited_s = (now_ns() - t0) / 1e9
            self.store.add_mark(Mark(now_ns(), f"join returned after {waited_s:.2f} s"))
            return waited_s if done else None
        if run is None or watcher is None:
            return 0.0
        report = await run.join(timeout_s)
        await asyncio.wait([watcher], timeout=CANCEL_DEADLINE_S)
        self.store.add_mark(Mark(now_ns(), f"join returned after {report.waited_s:.2f} s"))
        return None if report.escalations else report.waited_s

    async def cancel_local(self) -> bool:
        """Task.cancel() on every task: each ends at the await it is in."""
        run, watcher = self._run, self._watcher
        if watcher is None or watcher.done():
            return True
        if self._modern_run is not None:  # it marks the timeline itself
            ended = await self._modern_run.cancel(CANCEL_DEADLINE_S)
            await asyncio.wait([watcher], timeout=CANCEL_DEADLINE_S)
            return ended and watcher.done()
        if run is None:
            return True
        self.store.add_mark(Mark(now_ns(), "Task.cancel()"))
        report = await run.cancel(CANCEL_DEADLINE_S)
        await asyncio.wait([watcher], timeout=CANCEL_DEADLINE_S)
        return report.ended and run.pending_tasks() == 0

    async def reset_local(self) -> None:
        """Cancel what runs, then forget the run and its timeline."""
        if self.is_running_locally():
            await self.cancel_local()
        self._run = self._modern_run = None
        self.control.clear()
        self.store.clear()
        self.timeline.clear()
        self.lag_meter.reset_max()
        self.localRunChanged.emit()

    def pending_tasks(self) -> int:
        """Tasks of the last run that have not finished (for tests and the status)."""
        return self._run.pending_tasks() if self._run is not None else 0

    # ---------------------------------------------------------------- results
    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Lab reports never concern this tab (its tasks run here): see show_local_result."""

    def clear_result(self, message: str) -> None:
        """Blank the figures before a new run or after a reset."""
        self.result_box.clear(message)
        self.modern.clear(message)

    def show_local_result(self, result: dict[str, Any]) -> None:
        """The figures of a finished local run (or of a saved one), and their verdict."""
        if result.get("scenario", CLASSIC) != CLASSIC:
            self.modern.show_result(result)
            return
        r = CoroutinesResult.from_json(result)
        self.elapsed_label.setText(f"{r.elapsed_s:.2f} s")
        self.sequential_label.setText(f"{r.sequential_s:.2f} s")
        self.expected_label.setText(f"about {r.expected_s:.2f} s")
        extra = f" (+ {r.offload_threads} for the offloaded CPU step)" if r.offload_threads else ""
        self.threads_label.setText(f"{r.threads_used}{extra}")
        self.lag_label.setText(f"{r.max_loop_lag_ms:.0f} ms")
        self.verdict_label.setText(r.verdict())

    # ------------------------------------------------------------------ plots
    def refresh_plots(self) -> None:
        """The timeline, and a modern scenario's live plot."""
        super().refresh_plots()
        self.modern.refresh(self.store)

    def set_dark(self, on: bool) -> None:
        """The scenario plots follow the theme too."""
        super().set_dark(on)
        self.modern.set_dark(on)
