"""The mouse wheel scrolls a side panel, and changes a slider, spin box or combo box only once
the user has clicked it (or tabbed to it).

Without this, scrolling down a lesson's panel moved whatever control passed under the pointer:
a learner's Tasks slider went from 10000 to 9400 on its way down to a button.

The filter sits on each such control, not on the application: an application-wide Python filter
is called for every event of every object, and wraps each of them for Python.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


class WheelGuard(QObject):
    """A wheel event over its unfocused control inside a scrolling area is left to that area
    (ignored here, Qt hands it to the parent widgets)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
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


def steady(*widgets: QWidget) -> None:
    """These controls take the wheel only once chosen: it neither gives them the focus nor,
    without it, changes them (a guard owned by each, so it lives as long as its control)."""
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(WheelGuard(widget))
