"""The Coroutines tab's choice of scenario: the classic lesson (many tasks on one thread) or one
of the modern-asyncio scenarios of ``demos.asyncio_modern``, with their settings, plots and
results. The tab runs the chosen scenario in the window's own loop.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.lesson import heading, paragraph
from app.lessons.challenge_bars import BarChart
from app.lessons.coroutines_figures import EXPLAIN, FIGURES, TITLES, figure_texts
from app.palette import BLUE, SKY_BLUE, VERMILLION
from app.param_widgets import SettingCombo, SettingSlider
from app.plot_wheel import pass_wheel_to_panel
from app.result_box import ResultBox
from app.theme import style_plot
from demos import asyncio_modern as modern
from demos.asyncio_io import DEPTH
from demos.asyncio_results import OverheadResult, QueueResult, from_json_result
from demos.intervals import IntervalStore
from demos.scenario import Param

CLASSIC = "classic"
CHOICE = Param(
    "scenario",
    str,
    CLASSIC,
    choices=(CLASSIC, *modern.SCENARIOS),
    caption="Scenario",
    help="The classic lesson, or one of the modern asyncio scenarios",
)
GROUP = "coroutines"
DEPTH_PLOT_HEIGHT_PX = 160


class DepthPlot(pg.PlotWidget):
    """The queue's depth over the run, with its bound as a dashed line."""

    def __init__(self) -> None:
        super().__init__(background="w")
        self.setFixedHeight(DEPTH_PLOT_HEIGHT_PX)
        self.setMouseEnabled(x=False, y=False)
        pass_wheel_to_panel(self)
        self.hideButtons()
        self.setLabel("left", "items queued")
        self.setLabel("bottom", "s")
        self.curve = self.plot(pen=pg.mkPen(BLUE, width=2), stepMode="right")
        dashed = pg.mkPen(VERMILLION, style=Qt.PenStyle.DashLine)
        self.bound = pg.InfiniteLine(
            0, angle=0, pen=dashed, label="maxsize", labelOpts={"position": 0.92}
        )
        self.addItem(self.bound)
        self.shown_version = -1

    def draw(self, store: IntervalStore, maxsize: int) -> None:
        """Every depth the store holds (only when it changed)."""
        if store.version == self.shown_version:
            return
        self.shown_version = store.version
        points = store.values(DEPTH)
        t0 = points[0][0] if points else 0
        xs = [(t - t0) / 1e9 for t, _, _ in points]
        ys = [float(v) for _, _, v in points]
        self.curve.setData(xs, ys)  # each depth holds until the next put or get
        self.bound.setValue(maxsize)
        self.setYRange(0, maxsize + 1, padding=0)


class ModernPanel(QWidget):
    """The scenario choice and, for a modern one, its settings, plot and results box."""

    chosen = Signal(str)

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Scenario"))
        self.choice = SettingCombo(CHOICE, settings, GROUP, TITLES)
        layout.addWidget(self.choice)
        self.explain = paragraph("")
        layout.addWidget(self.explain)
        self.sliders: dict[str, SettingSlider] = {}
        for param in modern.SCENARIO.params:
            if param.kind is int:
                self.sliders[param.name] = SettingSlider(param, settings, GROUP)
                layout.addWidget(self.sliders[param.name])
        self.depth_plot = DepthPlot()
        layout.addWidget(self.depth_plot)
        self.bars = BarChart([BLUE, VERMILLION], "KiB each (RSS)")
        self.bars.setTitle("tasks (blue), threads (vermillion)")
        self.bars.setToolTip("Resident memory per task (blue) and per thread (vermillion)")
        layout.addWidget(self.bars)
        self.last_run = heading("Last run")
        layout.addWidget(self.last_run)
        self.boxes: dict[str, ResultBox] = {}
        for name, rows in FIGURES.items():
            box = ResultBox(rows, big=rows[0][0], verdict="Press Start (Space) to run it.")
            self.boxes[name] = box
            layout.addWidget(box)
        self._maxsize = int(modern.DEFAULTS["maxsize"])
        self.choice.currentIndexChanged.connect(lambda _i: self._show_choice())
        self._show_choice()

    def scenario(self) -> str:
        """The chosen scenario ("classic" for the lesson's own)."""
        return self.choice.value()

    def params(self) -> dict[str, Any]:
        """The chosen scenario and every modern setting."""
        values: dict[str, Any] = {name: s.value() for name, s in self.sliders.items()}
        return {"scenario": self.scenario(), **values}

    def modern_params(self) -> dict[str, Any]:
        """The settings of a modern run (the chosen scenario must be a modern one)."""
        return modern.validate(self.params())

    def _show_choice(self) -> None:
        name = self.scenario()
        shown = name != CLASSIC
        self.explain.setVisible(shown)
        self.explain.setText(EXPLAIN.get(name, ""))
        uses = modern.USES.get(name, ())
        for key, slider in self.sliders.items():
            slider.setVisible(key in uses)
        self.depth_plot.setVisible(name == "queue")
        self.bars.setVisible(name == "overhead")
        self.last_run.setVisible(shown)
        for key, box in self.boxes.items():
            box.setVisible(key == name)
        self.chosen.emit(name)

    def clear(self, message: str) -> None:
        """A new run (or a reset): blank figures and plots."""
        for box in self.boxes.values():
            box.clear(message)
        self.bars.clear_bars()
        self.depth_plot.curve.setData([], [])
        self.depth_plot.shown_version = -1
        self._maxsize = int(self.sliders["maxsize"].value())

    def note(self, text: str) -> None:
        """A line under the chosen scenario's figures."""
        box = self.boxes.get(self.scenario())
        if box is not None:
            box.notes.setText(text)

    def show_result(self, data: dict[str, Any]) -> None:
        """A finished (or saved) modern run's figures in its scenario's box."""
        result = from_json_result(data)
        name = str(data["scenario"])
        self.choice.setCurrentIndex(self.choice.findData(name))  # a saved run's own scenario
        box = self.boxes[name]
        for key, text in figure_texts(result).items():
            box.set(key, text)
        box.verdict.setText(result.verdict())
        if isinstance(result, QueueResult):
            self._maxsize = result.maxsize
        if isinstance(result, OverheadResult):
            self._draw_overhead(result)

    def _draw_overhead(self, result: OverheadResult) -> None:
        counts = sorted({r.count for r in result.rows})
        series = []
        for kind in ("task", "thread"):
            heights = []
            for n in counts:
                row = result.row(kind, n)
                heights.append(row.rss_bytes_each / 1024 if row is not None else 0.0)
            series.append(heights)
        capped = [n for n in counts if result.row("thread", n) is None]
        labels = [f"{n:,}" + (" (no threads: cap)" if n in capped else "") for n in counts]
        self.bars.set_bars(labels, series)

    def refresh(self, store: IntervalStore) -> None:
        """Live figures while a queue runs (the window's draw timer calls this)."""
        if self.depth_plot.isVisible():
            self.depth_plot.draw(store, self._maxsize)

    def set_dark(self, on: bool) -> None:
        """The plots follow the theme."""
        for plot in (self.depth_plot, self.bars):
            style_plot(plot, on)
        self.depth_plot.curve.setPen(pg.mkPen(SKY_BLUE if on else BLUE, width=2))
