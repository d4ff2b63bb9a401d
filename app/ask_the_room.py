"""Presenter mode's "ask the room": before a lesson with a question runs for the first time with
its settings, Start puts the question on the whole stage; the next key (Space, PgDown, Right)
takes it away and starts the run. The answer then shows in the lesson's "Guess first" box and
in the status line, beside the room's guess if the speaker picked one."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout

from app import palette
from app.lesson import LessonTab

if TYPE_CHECKING:
    from app.main_window import MainWindow

log = logging.getLogger(__name__)
QUESTION_SCALE = 2.2  # of the presenter's body type
LETTERS = "ABCDEFGH"


class AskTheRoom(QFrame):
    """A cover over the lesson stage holding its question in big type."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window.tabs)
        self.main = window
        self.setObjectName("askTheRoom")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"QFrame#askTheRoom {{ background: {palette.BLACK}; }}"
            f" QFrame#askTheRoom QLabel {{ color: {palette.NOTE_BACKGROUND}; }}"
        )
        self.setAccessibleName("Question for the room (press Space or PgDown to run)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        layout.addStretch(1)
        self.heading = QLabel("Ask the room")
        self.question = QLabel()
        self.choices = QLabel()
        self.hint = QLabel("Space or PgDown: run it and see")
        for label in (self.heading, self.question, self.choices, self.hint):
            label.setWordWrap(True)
            layout.addWidget(label)
            layout.addSpacing(18)
        layout.addStretch(1)
        self.lesson: LessonTab | None = None
        window.tabs.installEventFilter(self)  # cover the stage as it resizes
        # Bound methods, not lambdas: Qt drops these connections when this cover is destroyed
        # (a tab widget being torn down still emits currentChanged).
        window.tabs.currentChanged.connect(self._tab_changed)
        window.presenter.activeChanged.connect(self._presenting)
        self.hide()

    def _tab_changed(self, _index: int) -> None:
        self.dismiss()

    def _presenting(self, on: bool) -> None:
        if not on:
            self.dismiss()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Keep covering the stage when it resizes."""
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self.setGeometry(watched.rect())
        return False

    def wants(self, lesson: LessonTab) -> bool:
        """True when presenting and the lesson's question for its settings was not asked yet."""
        box = lesson.prediction
        if not self.main.presenter.active or box is None:
            return False
        box.refresh()
        return box.question is not None and box.question.key not in box.asked_keys

    def intercept_start(self, lesson: LessonTab) -> bool:
        """Called by Start: True when it showed the question instead of starting; with the
        question on screen, takes it away (the start goes on)."""
        if self.isVisible():
            self.dismiss()
            return False
        if not self.wants(lesson):
            return False
        self.ask(lesson)
        return True

    def ask(self, lesson: LessonTab) -> None:
        """Fill the stage with the lesson's question."""
        box = lesson.prediction
        question = box.question if box is not None else None
        if box is None or question is None:
            return
        box.asked_keys.add(question.key)
        log.info("asked the room: %s (%s)", box.lesson_id, question.key)
        self.lesson = lesson
        self.question.setText(question.text)
        self.choices.setText(
            "<br>".join(f"<b>{LETTERS[i]}</b>  {c}" for i, c in enumerate(question.choices))
        )
        # Sized by style sheet: the presenter's sheet sets every widget's font size, and a
        # sheet beats setFont().
        body = QApplication.font().pointSizeF()  # the presenter's body type, scale applied
        for label, factor, weight in (
            (self.heading, 1.2, "normal"),
            (self.question, QUESTION_SCALE, "bold"),
            (self.choices, QUESTION_SCALE * 0.8, "normal"),
            (self.hint, 1.0, "normal"),
        ):
            label.setStyleSheet(f"font-size: {body * factor:.1f}pt; font-weight: {weight};")
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def dismiss(self) -> None:
        """Take the question away."""
        self.hide()
        self.lesson = None
