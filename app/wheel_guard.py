"""The mouse wheel scrolls a side panel, and changes a slider, spin box or combo box only once
the user has clicked it (or tabbed to it).

Without this, scrolling down a lesson's panel moved whatever control passed under the pointer:
a learner's Tasks slider went from 10000 to 9400 on its way down to a button.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QAbstractSlider, QAbstractSpinBox, QComboBox)


def steady(*widgets: QWidget) -> None:
    """The wheel does not give these widgets the focus (so it cannot start changing them)."""
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """An application-wide filter: a wheel event over an unfocused control inside a scrolling
    area is left to that area (ignored here, Qt hands it to the parent widgets)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, GUARDED)
            and not isinstance(watched, QScrollBar)  # the area scrolls by handing it the wheel
            and not watched.hasFocus()
            and _in_scroll_area(watched)
        ):
            event.ignore()
            return True
        return False


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


_GUARD: WheelGuard | None = None


def install() -> None:
    """Install the guard on the running application, once."""
    global _GUARD
    app = QCoreApplication.instance()
    if _GUARD is None and app is not None:
        _GUARD = WheelGuard(app)
        app.installEventFilter(_GUARD)
