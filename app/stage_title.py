"""The lesson's title across the top of the stage in presenter mode, so the room can see where
the talk is ("Multithreading · 4 of 11"); it stands in for the tab bar, which is small type."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

TITLE_SCALE = 1.6  # of the presenter's body type
ANSWER_SCALE = 0.6  # of the title's type


class StageTitle(QLabel):
    """A large bold title line, shown only while presenting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stageTitle")
        self.setAccessibleName("Lesson on stage")
        self.setContentsMargins(12, 4, 12, 4)
        self._lesson = ""
        self.hide()

    def show_lesson(self, number: int, count: int, title: str) -> None:
        """``number`` counts from 1; a measured answer shown for the last lesson goes."""
        self._lesson = f"{title}  <span style='font-weight:normal'>· {number} of {count}</span>"
        self.setText(self._lesson)

    def show_answer(self, text: str) -> None:
        """A second, smaller line under the title: what the last run answered ("" removes it)."""
        lesson = self._lesson
        if not text:
            self.setText(lesson)
            return
        size = self.font().pointSizeF() * ANSWER_SCALE
        self.setText(
            f"{lesson}<br><span style='font-weight:normal; font-size:{size:.1f}pt'>{text}</span>"
        )

    def set_point_size(self, body_points: float) -> None:
        """Size the title from the presenter's body type."""
        font = QFont(self.font())
        font.setPointSizeF(body_points * TITLE_SCALE)
        font.setBold(True)
        self.setFont(font)
