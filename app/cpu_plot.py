"""The CPU plot: per-core utilisation above, per-worker CPU below, one readout line on top.

What it must make obvious: N busy threads of one process add up to about one core (the thick
total line sits on the "one core" line), while N busy processes add up to N cores (it climbs to
"all N cores").

Drawing follows the live-plot habits: the owner's draw timer calls :meth:`CpuPlotWidget.refresh`;
data is copied into arrays preallocated once, curves are created once (a fixed pool for workers)
and only their data changes; the readout text changes on a slower cadence than the curves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
import psutil
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.cpu_curves import add_curve
from app.fit_label import FitLabel
from app.palette import CORE_COLOURS
from demos.cpu_sampler import ONE_CORE_PERCENT, CpuSampler
from demos.events import Kind, Lane

MAX_WORKER_CURVES = 16  # more thin lines than this is noise; the total still counts every worker
REDRAW_PERIOD_S = 0.2  # curves move 5 times a second: a repaint of both plots costs a few ms
READOUT_PERIOD_S = 0.3  # text changes at most ~3 times a second, slower than the curves
READOUT_AVERAGE_SAMPLES = 5  # smooth the readout over ~0.5 s at 10 Hz
SAMPLE_PERIOD_S = 0.1  # the sampler's nominal cadence, used to size the time window
MIN_SCALE, MAX_SCALE = 1.0, 3.0

READOUT_PT = 16.0
TICK_PT = 10.0
TITLE_PT = 11.0
LEGEND_PT = 10.0
CORE_PEN_PX = 1.5
WORKER_PEN_PX = 1.0
TOTAL_PEN_PX = 4.0
REFERENCE_PEN_PX = 1.5
WORKER_ALPHA = 170  # thin worker lines recede behind the total
LEGEND_ALPHA = 170  # curves behind a legend stay visible

_LIGHT = {"bg": "#FFFFFF", "fg": "#222222", "total": "#000000", "reference": "#666666"}
_DARK = {"bg": "#1E1E1E", "fg": "#DDDDDD", "total": "#FFFFFF", "reference": "#AAAAAA"}


class CpuPlotWidget(QWidget):
    """Live CPU plot fed by a :class:`~demos.cpu_sampler.CpuSampler`.

    Public parts for tests and owners: ``readout`` (the QLabel), ``core_plot`` and
    ``worker_plot`` (pyqtgraph PlotItems), ``core_curves``, ``worker_curves`` (the fixed pool of
    at most ``MAX_WORKER_CURVES``) and ``total_curve``.
    """

    def __init__(self, sampler: CpuSampler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sampler = sampler
        self._scale = 1.0
        self._dark = False
        self._lanes: list[Lane] = []
        self._lane_names: dict[int, str] = {}
        self._drawn_lane_ids: list[int] = []
        self._last_readout_s = -1e9
        self._drawn_key: tuple[int, float] | None = None  # (samples, newest time) drawn last
        self._last_draw_s = -1e9
        # A sample that came too soon after the last draw is drawn by this, a moment later:
        # the last sample of a run is always drawn, with no timer left running after it.
        self._trailing = QTimer(self)
        self._trailing.setSingleShot(True)
        self._trailing.timeout.connect(self.refresh)
        self._window_s = sampler.capacity * SAMPLE_PERIOD_S
        # Logical cores: what "all N cores" means to the OS scheduler.
        self._ncores = psutil.cpu_count() or sampler.core_count

        capacity = sampler.capacity
        self._x = np.zeros(capacity)
        self._core_y = np.zeros((sampler.core_count, capacity))
        self._worker_y = np.zeros((MAX_WORKER_CURVES, capacity))
        self._total_y = np.zeros(capacity)

        self.readout = FitLabel(self)  # one line at every size: a shorter wording when narrow
        self.readout.setObjectName("cpuReadout")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self._graphics = pg.GraphicsLayoutWidget(self)
        self.core_plot = self._graphics.addPlot(row=0, col=0)
        self.worker_plot = self._graphics.addPlot(row=1, col=0)
        self.side_by_side = False
        self.worker_plot.setXLink(self.core_plot)
        for plot in (self.core_plot, self.worker_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            # No grid: pyqtgraph's translucent grid costs 8-20 ms per paint (measured).
            plot.setXRange(-self._window_s, 0, padding=0)
        self.core_plot.setYRange(0, 105, padding=0)
        self.worker_plot.setYRange(0, self._ncores * ONE_CORE_PERCENT + 10, padding=0)

        # Legends sit bottom-left, over the oldest and lowest data: the newest samples (right)
        # and busy cores (top) stay in view.
        self._core_legend = self.core_plot.addLegend(offset=(10, -10), colCount=4)
        box = QRectF(-self._window_s, 0, self._window_s, 105)
        self.core_curves = [
            add_curve(self.core_plot, box, f"core {i}") for i in range(sampler.core_count)
        ]
        if sampler.core_count > 16:
            self._core_legend.setVisible(False)  # a legend of dozens of cores hides the plot

        self._worker_legend = self.worker_plot.addLegend(offset=(10, -10), colCount=4)
        box = QRectF(-self._window_s, 0, self._window_s, self._ncores * ONE_CORE_PERCENT + 10)
        self.worker_curves = [add_curve(self.worker_plot, box) for _ in range(MAX_WORKER_CURVES)]
        for curve in self.worker_curves:
            curve.setVisible(False)
        # Added last so it is drawn on top of the thin worker lines.
        self.total_curve = add_curve(self.worker_plot, box)
        self.total_curve.setZValue(10)

        self._one_core_line = pg.InfiniteLine(
            pos=ONE_CORE_PERCENT,
            angle=0,
            movable=False,
            label="one core",
            # Mid-plot, apart from each other: the legend holds the left corner, "now" the right
            # edge, and in a short plot the two lines are only a line of text apart.
            labelOpts={"position": 0.4, "anchors": [(0.5, 1), (0.5, 1)]},
        )
        self._all_cores_line = pg.InfiniteLine(
            pos=self._ncores * ONE_CORE_PERCENT,
            angle=0,
            movable=False,
            label=f"all {self._ncores} cores",
            # Below its line: above it the text would be cut by the top of the view.
            labelOpts={"position": 0.7, "anchors": [(0.5, 0), (0.5, 0)]},
        )
        for line in (self._one_core_line, self._all_cores_line):
            self.worker_plot.addItem(line, ignoreBounds=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self._graphics, 1)

        self._rebuild_worker_legend()
        self._apply_style()
        self.clear()

    # -- owner API -----------------------------------------------------------------------------

    def set_lanes(self, lanes: Iterable[Lane]) -> None:
        """Name the per-worker curves; the first ``MAX_WORKER_CURVES`` measurable lanes get one."""
        self._lanes = list(lanes)
        self._lane_names = {lane.lane_id: lane.name for lane in self._lanes}
        measurable = sorted(
            (lane for lane in self._lanes if lane.kind != Kind.TASK), key=lambda lane: lane.lane_id
        )
        self._drawn_lane_ids = [lane.lane_id for lane in measurable[:MAX_WORKER_CURVES]]
        for index, curve in enumerate(self.worker_curves):
            shown = index < len(self._drawn_lane_ids)
            curve.setVisible(shown)
            if not shown:
                curve.setData([], [])
        self._rebuild_worker_legend()
        self._update_worker_title(len(measurable))
        self._last_readout_s = -1e9  # the readout reflects the new set on the next refresh
        self._drawn_key = None
        self._last_draw_s = -1e9

    def clear(self) -> None:
        """Empty every curve and the readout (the sampler is cleared by its owner)."""
        for curve in [*self.core_curves, *self.worker_curves, self.total_curve]:
            curve.setData([], [])
        self.readout.set_texts(*self._readout_texts(None, None))
        self._last_readout_s = -1e9
        self._drawn_key = None
        self._last_draw_s = -1e9
        self._trailing.stop()

    def set_scale(self, factor: float) -> None:
        """Presenter mode: scale fonts and pen widths by ``factor`` (clamped to 1.0-3.0)."""
        self._scale = min(max(float(factor), MIN_SCALE), MAX_SCALE)
        self._apply_style()

    def set_side_by_side(self, on: bool) -> None:
        """Put the two plots next to each other or one above the other."""
        if on == self.side_by_side:
            return
        self.side_by_side = on
        layout = self._graphics.ci
        layout.removeItem(self.worker_plot)
        if on:
            layout.addItem(self.worker_plot, row=0, col=1)
        else:
            layout.addItem(self.worker_plot, row=1, col=0)

    def set_dark(self, on: bool) -> None:
        """Switch between the light and dark colour schemes."""
        self._dark = bool(on)
        self._apply_style()

    def refresh(self) -> None:
        """Redraw from the sampler if it has a sample not drawn yet (else nothing to repaint)."""
        sampler = self._sampler
        n = len(sampler)
        if n == 0:
            return
        times = sampler.times()
        key = (n, float(times[-1]))
        if key == self._drawn_key:
            return
        wait_s = self._last_draw_s + REDRAW_PERIOD_S - time.monotonic()
        if wait_s > 0:
            if not self._trailing.isActive():
                self._trailing.start(max(1, int(wait_s * 1000)))
            return
        self._drawn_key = key
        self._last_draw_s = time.monotonic()
        x = self._x[:n]
        # Relative seconds: 0 is the newest sample, the window runs back to -60 s.
        np.subtract(times, times[-1], out=x)

        cores = sampler.core_series()
        for i, curve in enumerate(self.core_curves):
            y = self._core_y[i, :n]
            np.copyto(y, cores[i])
            curve.setData(x, y, skipFiniteCheck=True)

        series = sampler.worker_series()
        for index, lane_id in enumerate(self._drawn_lane_ids):
            data = series.get(lane_id)
            y = self._worker_y[index, :n]
            if data is None or data.shape[0] != n:
                y.fill(0.0)
            else:
                np.copyto(y, data)
                # Not measured (not started, ended) is drawn as 0% so the path stays finite.
                np.nan_to_num(y, copy=False)
            self.worker_curves[index].setData(x, y, skipFiniteCheck=True)

        total = self._total_y[:n]
        np.copyto(total, sampler.total_workers_series())
        self.total_curve.setData(x, total, skipFiniteCheck=True)

        now = time.monotonic()
        if now - self._last_readout_s >= READOUT_PERIOD_S:
            self._last_readout_s = now
            recent = slice(max(0, n - READOUT_AVERAGE_SAMPLES), n)
            # No lab worker to measure (a task lane, or work outside the lab): not "0%".
            workers = float(total[recent].mean()) if self._drawn_lane_ids else None
            machine = float(sampler.machine_series()[recent].mean())
            self.readout.set_texts(*self._readout_texts(workers, machine))

    # -- helpers -------------------------------------------------------------------------------

    def _reference_lines(self) -> tuple[pg.InfiniteLine, pg.InfiniteLine]:
        """The dashed "one core" and "all N cores" lines."""
        return self._one_core_line, self._all_cores_line

    def _readout_texts(self, workers: float | None, machine: float | None) -> tuple[str, str]:
        """The sentence that says what the curves show, and a shorter one for narrow screens."""
        cores = f"{self._ncores} core" + ("s" if self._ncores != 1 else "")
        if machine is None:
            return f"Workers use –% of one core · machine –% of {cores}", "Workers –% · machine –%"
        if workers is None:
            text = f"No lab worker to measure · machine {machine:.0f}% of {cores}"
            return text, f"Machine {machine:.0f}% of {cores}"
        text = f"Workers use {workers:.0f}% of one core"
        short = f"Workers {workers:.0f}%"
        if workers >= 1.5 * ONE_CORE_PERCENT:
            text += f" (≈{workers / ONE_CORE_PERCENT:.1f} cores)"
            short += f" (≈{workers / ONE_CORE_PERCENT:.1f} cores)"
        return f"{text} · machine {machine:.0f}% of {cores}", f"{short} · machine {machine:.0f}%"

    def _update_worker_title(self, measurable: int | None = None) -> None:
        if measurable is None:
            measurable = sum(1 for lane in self._lanes if lane.kind != Kind.TASK)
        # Short: the axis says "% of one core", and a long title sets the plot's least width
        # (side by side in big type it pushed the plot past the edge of a 1280 px projector).
        title = "CPU per worker"
        if measurable > MAX_WORKER_CURVES:
            title += f" ({MAX_WORKER_CURVES} of {measurable} drawn)"
        self._set_title(self.worker_plot, title)

    def _set_title(self, plot: pg.PlotItem, text: str) -> None:
        colours = _DARK if self._dark else _LIGHT
        plot.setTitle(text, color=colours["fg"], size=f"{TITLE_PT * self._scale:.0f}pt")
        # PlotItem caps the title row at 30 px; presenter mode needs more.
        height = int(30 * self._scale)
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)

    def _rebuild_worker_legend(self) -> None:
        """Legend entries change only with the lanes, never per frame."""
        # Only the total is named: sixteen thin lines' names covered the "one core" label and
        # the data. Each worker's name and value are in the widget's tooltip text instead.
        self._worker_legend.clear()
        self._worker_legend.addItem(self.total_curve, "all workers (total)")
        self._style_legend(self._worker_legend)

    def _apply_style(self) -> None:
        """Apply colours, fonts and pen widths for the current scale and theme."""
        scale = self._scale
        colours = _DARK if self._dark else _LIGHT

        font = QFont(self.readout.font())
        font.setPointSizeF(READOUT_PT * scale)
        font.setBold(True)
        self.readout.setFont(font)
        # The whole widget, not only the label, so no strip of the window colour shows between.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colours["fg"]))
        palette.setColor(QPalette.ColorRole.Window, QColor(colours["bg"]))
        self.setAutoFillBackground(True)
        self.setPalette(palette)
        self.readout.setPalette(palette)

        self._graphics.setBackground(colours["bg"])
        tick_font = QFont()
        tick_font.setPointSizeF(TICK_PT * scale)
        label_style = {"color": colours["fg"], "font-size": f"{TICK_PT * scale:.0f}pt"}
        for plot in (self.core_plot, self.worker_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(colours["fg"], width=max(1.0, scale)))
                axis.setTextPen(colours["fg"])
                axis.setTickFont(tick_font)
            plot.setLabel("bottom", "seconds (0 = now)", **label_style)
        self.core_plot.setLabel("left", "% busy", **label_style)
        self.worker_plot.setLabel("left", "% of one core", **label_style)
        self._set_title(self.core_plot, "Each core (% busy)")
        self._update_worker_title()

        for i, curve in enumerate(self.core_curves):
            curve.setPen(pg.mkPen(CORE_COLOURS[i % len(CORE_COLOURS)], width=CORE_PEN_PX * scale))
        for i, curve in enumerate(self.worker_curves):
            colour = QColor(CORE_COLOURS[i % len(CORE_COLOURS)])
            colour.setAlpha(WORKER_ALPHA)
            curve.setPen(pg.mkPen(colour, width=WORKER_PEN_PX * scale))
        self.total_curve.setPen(pg.mkPen(colours["total"], width=TOTAL_PEN_PX * scale))

        reference_pen = pg.mkPen(
            colours["reference"], width=REFERENCE_PEN_PX * scale, style=Qt.PenStyle.DashLine
        )
        label_font = QFont()
        label_font.setPointSizeF(LEGEND_PT * scale)
        for line in (self._one_core_line, self._all_cores_line):
            line.setPen(reference_pen)
            line.label.setColor(colours["fg"])
            line.label.setFont(label_font)

        for legend in (self._core_legend, self._worker_legend):
            self._style_legend(legend)

    def _style_legend(self, legend: pg.LegendItem) -> None:
        """Colour, size and a see-through background for one legend's labels."""
        colours = _DARK if self._dark else _LIGHT
        size = f"{LEGEND_PT * self._scale:.0f}pt"
        legend.setLabelTextSize(size)
        legend.setLabelTextColor(colours["fg"])
        background = QColor(colours["bg"])
        background.setAlpha(LEGEND_ALPHA)
        legend.setBrush(pg.mkBrush(background))
        # setLabelText* only store the options; re-render the existing labels with them.
        for _sample, label in legend.items:
            label.setText(label.text, color=colours["fg"], size=size)
        legend.updateSize()
