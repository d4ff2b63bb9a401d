"""The banner above the lesson: a message the user should not miss, dismissed by a click."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from app.palette import NOTE_BACKGROUND, NOTE_TEXT, ORANGE


class Banner(QLabel):
    """A wrapped, visible note (failures, escalations, bad files); a click hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setStyleSheet(
            f"#banner {{ background: {NOTE_BACKGROUND}; color: {NOTE_TEXT};"
            f" border: 1px solid {ORANGE}; padding: 6px; }}"
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to dismiss")
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """A click dismisses it."""
        self.hide()
        event.accept()
