"""Where the window's parts lie on the screen, as JSON: for the real-window tests, and for a bug
report about something cut off on a projector.

With ``CONCURRENCY_LAB_LAYOUT_REPORT=FILE`` in the environment the app rewrites FILE twice a
second. A test outside the process can then check what no screenshot can: that no widget's right
or bottom edge lies beyond the screen, that no horizontal scrollbar shows, and that the Start
control is on screen. Without the variable nothing of this runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QGraphicsView, QGraphicsWidget, QWidget

if TYPE_CHECKING:
    from app.main_window import MainWindow

ENV = "CONCURRENCY_LAB_LAYOUT_REPORT"
PERIOD_MS = 500
VIEWPORT = "qt_scrollarea_viewport"  # what a scroll area shows is clipped to this


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _xywh(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _scrolled(widget: QWidget) -> bool:
    """Inside the content of a scroll area (clipped there, and reachable by scrolling)."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent.objectName() == VIEWPORT:
            return True
        parent = parent.parentWidget()
    return False


def _plot_clipped(view: QGraphicsView) -> bool:
    """A plot whose own least width (axes, titles) exceeds its view: its right side is cut."""
    central = getattr(view, "centralWidget", None)  # pyqtgraph's GraphicsView keeps its layout
    if not view.isVisible() or not isinstance(central, QGraphicsWidget):
        return False
    least = central.effectiveSizeHint(Qt.SizeHint.MinimumSize)
    return least.width() > view.viewport().width() + 1


def _name(widget: QWidget) -> str:
    return (
        f"{type(widget).__name__}#{widget.objectName()}"
        if widget.objectName()
        else (type(widget).__name__)
    )


def layout_report(window: MainWindow) -> dict[str, Any]:
    """The screen, the window's frame, what reaches beyond the screen, and where Start is."""
    screen = window.screen()
    room = screen.geometry() if screen is not None else QRect(0, 0, 0, 0)
    beyond = []
    for widget in [window, *window.findChildren(QWidget)]:
        if (
            not widget.isVisible()
            or _scrolled(widget)
            or widget.isWindow()
            and widget is not window
        ):
            continue
        rect = _global_rect(widget)
        if rect.right() > room.right() or rect.bottom() > room.bottom():
            beyond.append({"widget": _name(widget), "rect": _xywh(rect)})
    sideways = [
        _name(area)
        for area in window.findChildren(QAbstractScrollArea)
        if area.isVisible() and area.horizontalScrollBar().isVisible() and not _scrolled(area)
    ]
    clipped = [_name(view) for view in window.findChildren(QGraphicsView) if _plot_clipped(view)]
    start = window.toolbar.widgetForAction(window.start_action)
    start_rect = _global_rect(start) if start is not None and start.isVisible() else None
    lesson = window.current_lesson()
    return {
        "screen": _xywh(room),
        "device_pixel_ratio": screen.devicePixelRatio() if screen is not None else 1.0,
        "frame": _xywh(window.frameGeometry()),
        "lesson": type(lesson).__name__,
        "presenting": window.presenter.active,
        "scale": window.presenter.scale,
        "beyond_screen": beyond,
        "horizontal_scrollbars": sideways,
        "clipped_plots": clipped,
        "start": _xywh(start_rect) if start_rect is not None else None,
        "start_on_screen": start_rect is not None and room.contains(start_rect),
        "side_panel_width": lesson.side_scroll.width() if lesson.side_scroll.isVisible() else 0,
    }


def watch(window: MainWindow) -> None:
    """Keep the report file fresh while the window lives, when the environment asks for it."""
    target = os.environ.get(ENV)
    if not target:
        return
    path = Path(target)
    timer = QTimer(window)
    timer.setInterval(PERIOD_MS)

    def write() -> None:
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(layout_report(window), indent=1))
        partial.replace(path)  # whole reports only: the reader never sees half a file

    timer.timeout.connect(write)
    timer.start()
