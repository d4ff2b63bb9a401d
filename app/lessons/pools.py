"""The Pools tab: ``Executor.map`` / ``Pool.imap`` over many small tasks, and the speedup
against ``chunksize``.

One lab run: a submitting thread runs the tasks itself (the one-process baseline), starts a pool
and maps the tasks over it, at one chunksize or, with the sweep on, at several in turn with the
same warm pool. Each pool worker has a lane; a bar on it is one chunk of tasks it ran.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from app.lesson import LessonTab, heading, paragraph, scenario_defaults
from app.lessons.pools_futures import PoolFuturesView
from app.palette import BLUE, BLUISH_GREEN, GREY
from app.param_widgets import SettingChoice, SettingSlider, SettingSwitch
from app.plot_wheel import pass_wheel_to_panel
from app.result_box import ResultBox
from app.run_report import cancelled, failure
from app.theme import style_plot
from demos import pool_futures
from demos import pools as lesson
from demos.pool_result import PoolsResult, PoolStep, summarize

GROUP = "pools"  # QSettings group of the sliders
MAP = lesson.SCENARIO.module
PLOT_HEIGHT_PX = 220
EXPLANATION = (
    "A pool keeps a few workers alive and hands them tasks: <code>pool.map(task, items, "
    "chunksize=C)</code>. A <b>process pool</b> pickles each chunk of C items to a worker "
    "process and each chunk of results back; with thousands of tiny tasks and C = 1 that "
    "traffic costs more than the work. Chunks of hundreds pay it once per chunk, and the "
    "speedup nears the number of cores. <code>multiprocessing.Pool</code> is the older API "
    "for the same: it starts all its workers at once, and <code>pool.imap(task, items, C)</code> "
    "hands out chunks and streams the results back in order, as the executor's map does. "
    "Given no chunksize, <code>imap</code> and the executor's <code>map</code> send one task "
    "at a time; <code>Pool.map</code> picks one itself (four chunks per worker)."
    "<br><br>A <b>thread pool</b> sends nothing (it ignores <code>chunksize</code>), but on a "
    "standard (GIL) build its threads share one GIL: there it helps tasks that <i>wait</i> "
    "(I/O), not tasks that compute. On a free-threaded build its computing threads can run in "
    "parallel too; the verdict says which this run measured."
    "<br><br>Each run first does every task in one thread, one after another: that time is "
    "the baseline the speedup is measured against. The pool's start-up is shown apart. On the "
    "timeline each pool worker has a lane; a bar is one chunk it ran, a gap is time it waited "
    "for the next chunk to arrive."
)


def is_futures(params: dict[str, Any]) -> bool:
    """True for the parameters of a submit + as_completed run (not a map() run)."""
    return "futures" in params


class PoolsTab(LessonTab):
    """Lesson: a pool's map() pays off when each message carries enough work."""

    title = "Pools"
    speaker_notes = (
        "<p><b>Start with the defaults</b>: a process pool of 2, 10,000 tasks of 50 µs, "
        "chunksize 1. Ask: two cores, so twice as fast? Point at the speedup: below 1x. The "
        "worker lanes are full of gaps: each task waits for its own message.</p>"
        "<p>Set <b>chunksize</b> to 500 and run again: the lanes turn into a few solid bars "
        "and the speedup climbs towards 2x.</p>"
        "<p>Tick <b>sweep</b>: one run measures 1, 4, 16, ... and draws the curve: it rises "
        "from below 1x to near the core count.</p>"
        "<p>Switch to a <b>thread pool</b> with CPU tasks: on a GIL build about 1x whatever "
        "the chunksize (the GIL). Switch the tasks to <b>I/O</b>: the waits overlap and threads "
        "win.</p>"
        "<p>Pick <b>multiprocessing.Pool</b> (its lanes say 'Pool worker') and sweep again: "
        "at chunksize 1 it loses much less than the executor (one feeder thread streams the "
        "tasks, no Future per task), and chunks of hundreds bring both near the core count.</p>"
        "<p><b>Alt+A</b> runs <b>submit + as_completed</b> (bottom of the panel): twelve tasks "
        "of different lengths. Read the results line: not 0 1 2 ... but the order they ended. "
        "Futures 10 and 11 were cancelled while queued and never ran. Point at futures 5-9: "
        "RUNNING (green) long before a worker lane shows their task: a process pool calls a "
        "future running once it is in its call queue.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, the pool and task choices, sliders, the curve and the results box."""
        s = self.settings
        param = lesson.SCENARIO.param
        layout.addWidget(heading("Pools: map() and chunksize"))
        layout.addWidget(paragraph(EXPLANATION))
        layout.addWidget(QLabel("Pool"))
        labels = {
            "process": "&ProcessPoolExecutor (spawn)",
            "thread": "Threa&dPoolExecutor",
            "mp": "&multiprocessing.Pool (spawn)",
        }
        self.kind = SettingChoice(param("kind"), s, GROUP, labels, self)
        for button in self.kind.buttons.values():
            layout.addWidget(button)
        layout.addWidget(QLabel("Each task"))
        labels = {"cpu": "computes (pure Python)", "io": "sleeps (stands in for I/O)"}
        self.work = SettingChoice(param("work"), s, GROUP, labels, self)
        for button in self.work.buttons.values():
            layout.addWidget(button)
        self.tasks = SettingSlider(param("tasks"), s, GROUP)
        self.task_us = SettingSlider(param("task_us"), s, GROUP)
        self.chunksize = SettingSlider(param("chunksize"), s, GROUP)
        self.workers = SettingSlider(param("workers"), s, GROUP)
        for slider in (self.tasks, self.task_us, self.chunksize, self.workers):
            layout.addWidget(slider)
        self.sweep = SettingSwitch(param("sweep"), s, GROUP)
        layout.addWidget(self.sweep)

        layout.addWidget(heading("Speedup against chunksize"))
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(PLOT_HEIGHT_PX)
        self.plot.setLogMode(x=True, y=False)
        self.plot.setLabel("bottom", "chunksize (log)")
        self.plot.setLabel("left", "speedup")
        self.plot.setBackground("w")
        # The wheel scrolls the side panel: a plot that zoomed on it took the panel's scrolling.
        self.plot.setMouseEnabled(x=False, y=False)
        pass_wheel_to_panel(self.plot)
        self.curve = self.plot.plot(
            pen=pg.mkPen(BLUE, width=2), symbol="o", symbolBrush=BLUE, symbolSize=8
        )
        dashed = pg.mkPen(BLUISH_GREEN, style=Qt.PenStyle.DashLine)
        self.ideal_line = pg.InfiniteLine(0, angle=0, pen=dashed, label="ideal")
        self.one_line = pg.InfiniteLine(1, angle=0, pen=pg.mkPen(GREY), label="1x")
        for line in (self.ideal_line, self.one_line):
            line.setVisible(False)
            self.plot.addItem(line)
        layout.addWidget(self.plot)

        self.result_box = ResultBox(
            [
                ("baseline", "One thread, one by one:"),
                ("startup", "Pool start-up (apart):"),
                ("elapsed", "The pool:"),
                ("speedup", "Speedup:"),
                ("sweep", ""),
            ],
            big="speedup",
            verdict="Press Start (Space) to run the baseline and the pool.",
        )
        figures = self.result_box.values
        self.baseline_label, self.startup_label = figures["baseline"], figures["startup"]
        self.elapsed_label, self.speedup_label = figures["elapsed"], figures["speedup"]
        self.sweep_label, self.verdict_label = figures["sweep"], self.result_box.verdict
        layout.addWidget(heading("Last run"))
        layout.addWidget(self.result_box)
        self.figures: PoolsResult | None = None
        # Its own button asks for a run of demos.pool_futures, through the same lab.
        self._want_futures = False
        self.futures_view = PoolFuturesView(s, self.run_futures)
        layout.addWidget(self.futures_view)

    @property
    def scenario(self) -> str:  # type: ignore[override]
        """map()'s scenario, or submit + as_completed's while the run on screen is that."""
        return pool_futures.SCENARIO.module if is_futures(self.last_params) else MAP

    def param_defaults(self) -> dict[str, Any]:
        """map()'s parameters and the other view's, but for ``futures``: that key marks a run
        of the view, and a saved map() run opened after one must not gain it."""
        others = {k: v for k, v in pool_futures.DEFAULTS.items() if k != "futures"}
        return {**others, **scenario_defaults(MAP, self._map_params())}

    def run_futures(self) -> None:
        """The view's button: its run, started like any other (one at a time); the panel
        shows the view's figures (Alt+A starts it from anywhere in the panel)."""
        self._want_futures = True
        if not self.lab.start_next_run():
            self._want_futures = False
            return
        self.side_scroll.ensureWidgetVisible(self.futures_view.result_box)

    def params(self) -> dict[str, Any]:
        """The next run's parameters (no side effect: the code panel asks too)."""
        return self.futures_view.params() if self._want_futures else self._map_params()

    def _map_params(self) -> dict[str, Any]:
        """The map() controls as its scenario's parameters."""
        return {
            "kind": self.kind.value(),
            "work": self.work.value(),
            "tasks": self.tasks.value(),
            "task_us": self.task_us.value(),
            "chunksize": self.chunksize.value(),
            "workers": self.workers.value(),
            "sweep": self.sweep.isChecked(),
        }

    def join_deadline_s(self) -> float:
        """The baseline and every step three times over, plus time to start the pool."""
        if is_futures(self.last_params):
            return pool_futures.deadline_s(self.last_params)
        return lesson.deadline_s(self.last_params)

    def clear_result(self, message: str) -> None:
        """Blank the figures before a new run or after a reset (a run of the other view keeps
        this one's)."""
        futures_run = is_futures(self.last_params)
        if futures_run or message != "Running...":
            self._want_futures = False
            self.futures_view.clear(message)
            if futures_run and message == "Running...":
                return
        self.figures = None
        self.result_box.clear(message)
        self.curve.setData([], [])
        for line in (self.ideal_line, self.one_line):
            line.setVisible(False)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Baseline, start-up, the pool's time and speedup, the curve and the verdict."""
        # Paused time is not elapsed time; a replayed run has no pauses of this session.
        paused = self.lab.paused_ns_between if self.clock is None else None
        if is_futures(self.last_params):
            self.futures_view.show_report(self.last_params, report, paused)
            return
        raw = report.get("result", {})
        why = failure(report)
        if why is not None:
            self.verdict_label.setText(f"The run did not complete: {why}.")
            return
        if cancelled(report) or not raw.get("steps"):
            self.verdict_label.setText("Cancelled: the pool was shut down, pending chunks dropped.")
            return
        self.figures = f = summarize(self.last_params, raw, paused)
        self.baseline_label.setText(f"{f.baseline_s:.3f} s ({f.us_per_task_alone:g} µs/task)")
        self.startup_label.setText(f"{f.startup_ms:.0f} ms for {f.workers} workers")
        call = "imap()" if f.kind == "mp" else "map()"
        self.elapsed_label.setText(f"{f.elapsed_s:.3f} s, {call} at chunksize {f.chunksize}")
        self.speedup_label.setText(f"{f.speedup:.2f}x  (ideal {f.ideal}x)")
        self.verdict_label.setText(f.verdict())
        if len(f.steps) > 1:
            self.sweep_label.setText(
                "<br>".join(
                    f"chunksize {s.chunksize}: {s.elapsed_s:.3f} s, {s.speedup:.2f}x"
                    for s in f.steps
                )
            )
        self._draw(f.steps, f.ideal)

    def _draw(self, steps: tuple[PoolStep, ...], ideal: int) -> None:
        """The measured speedups over chunksize (log axis), with the ideal and 1x lines."""
        xs = [float(s.chunksize) for s in steps]
        self.curve.setData(xs, [s.speedup for s in steps])
        self.ideal_line.setValue(ideal)
        self.ideal_line.label.setFormat(f"ideal {ideal}x")
        for line in (self.ideal_line, self.one_line):
            line.setVisible(True)
        top = max([ideal, *(s.speedup for s in steps)]) * 1.15
        self.plot.setYRange(0, top, padding=0)
        self.plot.setXRange(math.log10(min(xs)) - 0.2, math.log10(max(xs)) + 0.2, padding=0)

    def set_dark(self, on: bool) -> None:
        """The speedup plot follows the theme too."""
        super().set_dark(on)
        style_plot(self.plot, on)

    last_params: dict[str, Any] = lesson.DEFAULTS
