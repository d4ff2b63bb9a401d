"""Reading a layout's items without leaving Python wrappers of them behind.

``QLayout.itemAt()`` hands out wrappers of ``QLayoutItem``s that the layout keeps referenced. A
layout item is not a QObject, so when the layout deletes it the wrapper is not told and stays
registered at that address; memory later reused there (a numpy buffer pyqtgraph wraps as an
array of lines) then came back as that stale "QWidgetItem": a TypeError in a paint, once a
crashed test worker. Every look at an item goes through here and lets go of its wrapper at once.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLayout, QWidget


def item_at(layout: QLayout, index: int) -> tuple[QWidget | None, bool]:
    """``(widget, is_spacer)`` of the item at ``index``; ``(None, False)`` past the end."""
    item = layout.itemAt(index)
    if item is None:
        return None, False
    widget = item.widget()
    spacer = item.spacerItem()
    is_spacer = spacer is not None
    if spacer is not None:
        shiboken6.invalidate(spacer)
    shiboken6.invalidate(item)
    return widget, is_spacer
