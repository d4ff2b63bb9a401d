"""Small bar charts for the challenge pages: one pyqtgraph BarGraphItem per colour.

One item per colour with a single brush keeps drawing fast and avoids the per-bar brush path
that aborts under PySide6 6.12.0 (see ARCHITECTURE.md, Rendering).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg

from app.plot_wheel import pass_wheel_to_panel

BAR_PLOT_HEIGHT_PX = 150


class BarChart(pg.PlotWidget):
    """A fixed-height chart of labelled bars; :meth:`set_bars` replaces them all."""

    def __init__(self, colours: Sequence[str], y_label: str = "") -> None:
        super().__init__(background="w")
        self.setFixedHeight(BAR_PLOT_HEIGHT_PX)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        pass_wheel_to_panel(self)  # a fixed chart: the wheel scrolls its panel
        if y_label:
            self.setLabel("left", y_label)
        self.items = [
            pg.BarGraphItem(x=[], height=[], width=0.8, brush=colour, pen=None)
            for colour in colours
        ]
        for item in self.items:
            self.addItem(item)

    def set_bars(self, labels: Sequence[str], series: Sequence[Sequence[float]]) -> None:
        """One group of bars per label; ``series[k]`` holds the heights of colour k."""
        groups = max(1, len(series))
        width = 0.8 / groups
        for k, item in enumerate(self.items):
            heights = list(series[k]) if k < len(series) else []
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(heights))]
            item.setOpts(x=xs, height=heights, width=width)
        ticks = [(i, text) for i, text in enumerate(labels)]
        self.getAxis("bottom").setTicks([ticks])
        top = max((max(s) for s in series if len(s)), default=0)
        self.setXRange(-0.6, max(0, len(labels) - 1) + 0.6, padding=0)
        self.setYRange(0, max(1.0, top * 1.1), padding=0)

    def clear_bars(self) -> None:
        """No bars."""
        for item in self.items:
            item.setOpts(x=[], height=[])
