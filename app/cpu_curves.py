"""The CPU plot's curves: bare PlotCurveItems with their plot's fixed range as their bounds."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF


class FixedRangeCurve(pg.PlotCurveItem):
    """A bare curve (a PlotDataItem around it spent more on each update than drawing it) whose
    bounds are its plot's fixed range: pyqtgraph works them out from the data otherwise, 19
    curves four times a paint. Nothing outside that range is in view."""

    def __init__(self, bounds: QRectF, name: str | None) -> None:
        super().__init__(name=name)
        self._bounds = bounds

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        """The plot's fixed range."""
        return self._bounds


def add_curve(plot: pg.PlotItem, bounds: QRectF, name: str | None = None) -> pg.PlotCurveItem:
    """A curve added to ``plot``, which shows ``bounds`` (its fixed range) and no more."""
    item = FixedRangeCurve(bounds, name)
    plot.addItem(item)
    return item
