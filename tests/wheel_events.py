"""One notch of the mouse wheel, sent to a widget as Qt would deliver it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget


def wheel_down(widget: QWidget) -> QWheelEvent:
    """One notch downwards over the middle of ``widget``; the event, to see who took it. (A
    sent event is not spontaneous, so Qt does not offer an ignored one to the parents: the
    real-window suite checks that a panel scrolls.)"""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event
