"""Side-panel plots hand the mouse wheel on to the panel, which scrolls.

They neither zoom nor pan (their mouse is off), yet pyqtgraph's view takes every wheel event,
so scrolling a side panel stopped wherever a plot came under the pointer.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject


class _PassWheel(QObject):
    """Ignores wheel events at the plot, so Qt offers them to the widgets around it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """A wheel event: not ours, on to the parent (the scrolling panel)."""
        if event.type() == QEvent.Type.Wheel:
            event.ignore()
            return True
        return False


def pass_wheel_to_panel(plot: pg.PlotWidget) -> None:
    """Let the wheel over ``plot`` scroll what holds it (for plots with their mouse off)."""
    passer = _PassWheel(plot)  # parented: lives as long as the plot
    plot.viewport().installEventFilter(passer)
    plot.installEventFilter(passer)
    plot.setProperty(PASSES_WHEEL, True)  # for the tests: which plots were wired


PASSES_WHEEL = "passesWheel"
