"""CPU per core and per worker, drawn from a CpuSampler's ring buffers.

The point of the lower plot: N busy threads add up to about one core (the GIL), N busy processes
add up to N cores. Two dashed reference lines ("one core", "all N cores") and a thick total line
make the difference visible from the back of a room.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.palette import CORE_COLOURS
from demos.cpu_sampler import CpuSampler
from demos.events import Lane

MAX_WORKER_CURVES = 16  # beyond this, only the total is drawn: 64 thin lines help nobody
TEXT_EVERY_N_REFRESHES = 3  # the readout changes a few times a second, not every frame
WINDOW_S = 60.0
BASE_POINT_SIZE = 10.0
WORKER_COLOUR = "#999999"
TOTAL_COLOUR = "#D55E00"


class CpuPlotWidget(QWidget):
    """Per-core utilisation above, per-worker CPU (in % of one core) below, and a readout."""

    def __init__(self, sampler: CpuSampler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sampler = sampler
        self._scale = 1.0
        self._dark = False
        self._refreshes = 0
        cores = sampler.core_count
        self.readout = QLabel("CPU: waiting for the first samples")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.graphics = pg.GraphicsLayoutWidget()
        self.core_plot = self.graphics.addPlot(row=0, col=0)
        self.worker_plot = self.graphics.addPlot(row=1, col=0)
        self.worker_plot.setXLink(self.core_plot)
        for plot in (self.core_plot, self.worker_plot):
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setClipToView(True)
        self.core_plot.setYRange(0, 100, padding=0.02)
        self.core_plot.setLabel("left", "per core %")
        self.worker_plot.setYRange(0, cores * 100 + 10, padding=0)
        self.worker_plot.setLabel("left", "workers, % of one core")
        self.worker_plot.setLabel("bottom", "seconds ago")
        self.core_curves = [
            self.core_plot.plot(name=f"core {i}") for i in range(cores)
        ]
        self.one_core = pg.InfiniteLine(pos=100, angle=0, movable=False,
                                        label="one core", labelOpts={"position": 0.05})
        self.all_cores = pg.InfiniteLine(pos=cores * 100, angle=0, movable=False,
                                         label=f"all {cores} cores", labelOpts={"position": 0.05})
        self.worker_plot.addItem(self.one_core)
        self.worker_plot.addItem(self.all_cores)
        self.worker_curves = [self.worker_plot.plot() for _ in range(MAX_WORKER_CURVES)]
        self.total_curve = self.worker_plot.plot(name="all workers")
        self._lane_ids: list[int] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.readout)
        layout.addWidget(self.graphics, 1)
        self.setToolTip(
            "Upper plot: how busy each core of this machine is.\n"
            "Lower plot: CPU used by each worker (thin) and by all of them (thick), in % of one "
            "core.\nBusy threads in one process add up to about one core; processes can fill all."
        )
        self._apply_style()

    def set_lanes(self, lanes: list[Lane]) -> None:
        """Which workers get a curve (the first MAX_WORKER_CURVES with an OS identity)."""
        self._lane_ids = [ln.lane_id for ln in lanes if ln.kind.value != "task"][
            :MAX_WORKER_CURVES
        ]

    def clear(self) -> None:
        """A new run: empty curves."""
        for curve in [*self.core_curves, *self.worker_curves, self.total_curve]:
            curve.setData([], [])
        self.readout.setText("CPU: waiting for the first samples")

    def refresh(self) -> None:
        """Redraw from the sampler (cheap: a handful of setData calls on preallocated arrays)."""
        times = self.sampler.times()
        if len(times) < 2:
            return
        x = times - times[-1]
        keep = x >= -WINDOW_S
        x = x[keep]
        for curve, series in zip(self.core_curves, self.sampler.core_series(), strict=False):
            curve.setData(x, series[keep], skipFiniteCheck=True)
        workers = self.sampler.worker_series()
        for i, curve in enumerate(self.worker_curves):
            if i < len(self._lane_ids) and self._lane_ids[i] in workers:
                y = np.nan_to_num(workers[self._lane_ids[i]][keep])
                curve.setData(x, y, skipFiniteCheck=True)
            else:
                curve.setData([], [])
        self.total_curve.setData(x, np.nan_to_num(self.sampler.total_workers_series()[keep]),
                                 skipFiniteCheck=True)
        self.core_plot.setXRange(-WINDOW_S, 0, padding=0)
        self._refreshes += 1
        if self._refreshes % TEXT_EVERY_N_REFRESHES == 0:
            self._update_readout()

    def _update_readout(self) -> None:
        latest = self.sampler.latest()
        cores = self.sampler.core_count
        total = latest["workers_total"]
        self.readout.setText(
            f"Workers use <b>{total:.0f}%</b> of one core "
            f"(= {total / 100:.1f} cores) &middot; machine {latest['machine']:.0f}% "
            f"of {cores} cores"
        )

    def set_scale(self, factor: float) -> None:
        """Presenter scale: fonts and line widths."""
        self._scale = max(1.0, min(3.0, factor))
        self._apply_style()

    def set_dark(self, on: bool) -> None:
        """Dark background for dark themes."""
        self._dark = on
        self._apply_style()

    def _apply_style(self) -> None:
        s = self._scale
        fg = "#EEEEEE" if self._dark else "#202020"
        self.graphics.setBackground("#1E1E1E" if self._dark else "w")
        font = QFont()
        font.setPointSizeF(BASE_POINT_SIZE * s)
        big = QFont(font)
        big.setPointSizeF(BASE_POINT_SIZE * 1.3 * s)
        self.readout.setFont(big)
        for plot in (self.core_plot, self.worker_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setTickFont(font)
                axis.setPen(pg.mkPen(fg))
                axis.setTextPen(pg.mkPen(fg))
                axis.label.setFont(font)
        for i, curve in enumerate(self.core_curves):
            curve.setPen(pg.mkPen(CORE_COLOURS[i % len(CORE_COLOURS)], width=1.5 * s))
        for curve in self.worker_curves:
            curve.setPen(pg.mkPen(WORKER_COLOUR, width=1.0 * s))
        self.total_curve.setPen(pg.mkPen(TOTAL_COLOUR, width=3.5 * s))
        for line in (self.one_core, self.all_cores):
            line.setPen(pg.mkPen(fg, width=1.2 * s, style=Qt.PenStyle.DashLine))
            line.label.setColor(fg)
            line.label.setFont(font)
