"""The timeline's marks: a dashed vertical line per mark of the store (join returned, cancel
asked...), each labelled, with the labels of marks close in time stacked instead of overlapping.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from demos.intervals import IntervalStore

MARK_LABEL_STEP = 0.08  # of the plot's height, between the labels of successive marks
MARK_LABEL_ROWS = 4


def mark_pen(colour: str, scale: float) -> object:
    """The dashed pen of a mark line at this presenter scale."""
    return pg.mkPen(colour, width=1.5 * scale, style=Qt.PenStyle.DashLine)


class MarkLines:
    """The mark lines on one plot: added as marks arrive, rebuilt when the time origin moves."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.lines: list[pg.InfiniteLine] = []
        self._t0: int | None = None

    def clear(self) -> None:
        """Remove every line."""
        for line in self.lines:
            self.plot.removeItem(line)
        self.lines.clear()
        self._t0 = None

    def set_font(self, font: QFont) -> None:
        """The labels' font."""
        for line in self.lines:
            line.label.setFont(font)

    def restyle(self, pen: object, colour: str) -> None:
        """New pen and label colour (theme or scale changed)."""
        for line in self.lines:
            line.setPen(pen)
            line.label.setColor(colour)

    def update(self, store: IntervalStore, pen: object, colour: str, font: QFont) -> None:
        """Add lines for new marks; move all of them if the time origin moved."""
        if store.t0_ns != self._t0 or len(store.marks) < len(self.lines):
            for line in self.lines:
                self.plot.removeItem(line)
            self.lines.clear()
            self._t0 = store.t0_ns
        if store.t0_ns is None:
            return
        for mark in store.marks[len(self.lines) :]:
            line = pg.InfiniteLine(
                pos=(mark.t_ns - store.t0_ns) / 1e9,
                angle=90,
                movable=False,
                pen=pen,
                label=mark.label,
                # Marks close in time (created, started) stack their labels instead of
                # printing over each other: each one sits a step higher than the last.
                labelOpts={
                    "position": 0.97 - MARK_LABEL_STEP * (len(self.lines) % MARK_LABEL_ROWS),
                    "color": colour,
                    "anchors": [(0, 1), (0, 1)],
                },
            )
            line.label.setFont(font)
            line.setZValue(20)
            self.plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)
