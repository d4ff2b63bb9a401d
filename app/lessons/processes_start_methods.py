"""The Multiprocessing tab's "Start methods" view: what each start method costs, which one this
Python uses by default, and a child forked while another thread held a lock.

The view's button asks the tab for a lab run of ``demos.start_methods`` (the same run model as
the sweep: the measuring thread runs in the lab, never in the GUI process). Its children get
lanes on the tab's timeline; when the run ends the view draws a bar per method and says how
each demonstration child ended.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from app.lesson import heading, paragraph
from app.palette import BLUE, BLUISH_GREEN, ORANGE
from app.param_widgets import SettingSlider
from app.plot_wheel import pass_wheel_to_panel
from app.result_box import ResultBox
from app.run_report import cancelled, failure
from app.theme import style_plot
from demos import platform_support
from demos import start_methods as lesson
from demos.start_methods_result import StartMethodsResult, default_note, summarize

GROUP = "start_methods"  # QSettings group of the sliders
PLOT_HEIGHT_PX = 160
EMPTY_AXIS_MS = 100  # the axis before the first run
PLOT_MAX_HEIGHT_PX = 240  # a plot's size hint is tall: without a cap the bars take the panel
BAR_WIDTH = 0.6
COLOURS = {"fork": BLUE, "spawn": ORANGE, "forkserver": BLUISH_GREEN}
EXPLANATION = (
    "How a new process begins is its <b>start method</b>. <code>fork</code> copies the running "
    "process: memory, open files, and every lock <i>in the state it is in</i>, but only the "
    "thread that called it. <code>spawn</code> starts a fresh interpreter that imports your "
    "module again. <code>forkserver</code> asks a small server process, started once, to fork "
    "a clean copy of itself."
    "<br><br><b>Measure</b> starts a few children with each method and times "
    "<code>Process.start()</code> to the child's first line. Then a thread takes a "
    "<code>threading.Lock</code> and sleeps holding it while a child is started that takes the "
    "same lock: a forked child waits for ever (the thread that would release its copy was not "
    "copied), and is stopped at the deadline; a spawned child has a fresh lock."
)


def default_text(python: str = "", note: str = "") -> str:
    """The default start method of a Python (this one unless the lab's run said), and what
    3.14 changed, for that version."""
    if not note:
        version = (sys.version_info[0], sys.version_info[1])
        note = default_note(platform_support.default_start_method(), version, sys.platform)
        python = f"{version[0]}.{version[1]}"
    return (
        f"Python {python}: {note}. The app starts its own workers with <code>spawn</code>, "
        "which every system has."
    )


class StartMethodsView(QWidget):
    """The view: settings, a Measure button, a bar per method and each child's status."""

    def __init__(self, settings: Any, run: Callable[[], None]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Start methods: fork, spawn, forkserver"))
        layout.addWidget(paragraph(EXPLANATION))
        self.default_label = paragraph(default_text())
        layout.addWidget(self.default_label)
        param = lesson.SCENARIO.param
        self.repeats = SettingSlider(param("repeats"), settings, GROUP)
        self.deadline = SettingSlider(param("deadline_s"), settings, GROUP)
        layout.addWidget(self.repeats)
        layout.addWidget(self.deadline)
        self.button = QPushButton("Measure start m&ethods")
        self.button.setToolTip("One lab run: start-up cost per method, then the lock demonstration")
        self.button.clicked.connect(run)
        layout.addWidget(self.button)

        self.methods = lesson.chosen_methods("all")
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(PLOT_HEIGHT_PX)
        self.plot.setMaximumHeight(PLOT_MAX_HEIGHT_PX)
        pass_wheel_to_panel(self.plot)
        self.plot.setBackground("w")
        self.plot.setLabel("left", "ms to first line")
        self.plot.setMouseEnabled(x=False, y=False)
        ticks = [(i, name) for i, name in enumerate(self.methods)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.6, len(self.methods) - 0.4, padding=0)
        # One item per method, each with a single brush (a per-bar brush list is slow and has
        # crashed PySide6 6.12).
        self.bars: dict[str, pg.BarGraphItem] = {}
        for i, name in enumerate(self.methods):
            bar = pg.BarGraphItem(x=[i], height=[0.0], width=BAR_WIDTH, brush=COLOURS[name])
            self.bars[name] = bar
            self.plot.addItem(bar)
        layout.addWidget(self.plot)

        rows = [(m, f"{m}:") for m in self.methods]
        rows += [(f"trap_{m}", f"Lock, {m}:") for m in self.methods]
        self.result_box = ResultBox(
            rows,
            verdict="Press Measure start methods to time each method and run the lock demo.",
        )
        for label in self.result_box.values.values():
            label.setWordWrap(True)  # long statuses wrap: the side panel keeps its width
        layout.addWidget(self.result_box)
        self.figures: StartMethodsResult | None = None
        self.plot.setYRange(0, EMPTY_AXIS_MS, padding=0)

    def params(self) -> dict[str, Any]:
        """The scenario's parameters from the controls."""
        return {
            "repeats": self.repeats.value(),
            "methods": "all",
            "deadline_s": self.deadline.value(),
            "skip_trap": False,
        }

    def clear(self, message: str) -> None:
        """Blank the figures and the bars."""
        self.figures = None
        self.result_box.clear(message)
        for bar in self.bars.values():
            bar.setOpts(height=[0.0])
        # Bars of height 0 left pyqtgraph to make up an axis (-400..400, "x0.001").
        self.plot.setYRange(0, EMPTY_AXIS_MS, padding=0)

    def show_report(self, report: dict[str, Any]) -> None:
        """The bars, each method's figures, each lock child's fate and the verdict."""
        raw = report.get("result", {})
        why = failure(report)
        if why is not None:
            self.result_box.verdict.setText(f"The run did not complete: {why}.")
            return
        if cancelled(report) or not raw.get("samples"):
            self.result_box.verdict.setText("Cancelled: every child was stopped.")
            return
        self.figures = f = summarize(raw)
        # The lab's Python measured, and it may be another one than the window's.
        self.default_label.setText(default_text(f.python, f.default_note))
        for cost in f.costs:
            if cost.method in self.bars:
                self.bars[cost.method].setOpts(height=[cost.start_ms])
                self.result_box.set(
                    cost.method,
                    f"{cost.start_ms:.1f} ms to its first line, {cost.join_ms:.1f} ms to join "
                    f"(median of {cost.samples})",
                )
        top = max([c.start_ms for c in f.costs] or [1.0])
        self.plot.setYRange(0, top * 1.15, padding=0)
        for child in f.trap:
            key = f"trap_{child.method}"
            if key not in self.result_box.values:
                continue
            if child.took_lock:
                text = "took a fresh lock at once"
            elif child.reached_acquire:
                how = f" ({child.stopped})" if child.stopped else ""
                text = (
                    f"stuck on a lock copied while held: stopped after {child.waited_s:.1f} s{how}"
                )
            else:
                text = "did not start"
            self.result_box.set(key, text)
        if f.trap_skipped:
            self.result_box.notes.setText(f.trap_skipped)
        elif f.fork_warning:
            self.result_box.notes.setText(f"Python warned at fork(): {f.fork_warning}")
        self.result_box.verdict.setText(f.verdict())

    def set_dark(self, on: bool) -> None:
        """The bar plot follows the theme."""
        style_plot(self.plot, on)
