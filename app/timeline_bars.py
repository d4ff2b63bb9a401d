"""The timeline's item for one state colour: every bar of that colour in one BarGraphItem, with
the cheap shape and bounds a timeline redrawn 20 times a second needs."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainterPath


class StateBars(pg.BarGraphItem):
    """A BarGraphItem whose shape is its bounding box.

    The default shape builds a path of every bar, and Qt asks for it on every hover move.
    """

    def shape(self) -> QPainterPath:
        """Bounding box only: hit-testing here is done by ``describe_at``, not by Qt."""
        path = QPainterPath()
        path.addRect(self.boundingRect())
        return path

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        """Bars without an outline need no half-pixel margin, whose size pyqtgraph works out
        from the view at each call (Qt asks a dozen times a frame)."""
        pen = self.opts.get("pen")
        if pen is None or pen.style() != Qt.PenStyle.NoPen:
            return super().boundingRect()
        (x0, x1), (y0, y1) = self.dataBounds(ax=0), self.dataBounds(ax=1)
        if x0 is None or x1 is None or y0 is None or y1 is None:
            return QRectF()
        return QRectF(x0, y0, x1 - x0, y1 - y0)
