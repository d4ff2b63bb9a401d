"""The "Guess first" box of a lesson's side panel: the question for the current settings, a
choice per answer, and after the run the measured answer beside the guess.

Guesses live only as long as the app runs (nothing is saved): the point is to commit before the
measurement, not to keep score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from demos.predictions import Question, question_for


class PredictionBox(QGroupBox):
    """Asks the lesson's question (``demos.predictions``) and reveals the answer after a run."""

    def __init__(self, lesson_id: str, params: Callable[[], dict[str, Any]]) -> None:
        super().__init__("Guess first")
        self.setObjectName("predictionBox")
        self.setToolTip("Pick an answer before Start; the run's measurement answers it")
        self.lesson_id = lesson_id
        self._params = params
        self.question: Question | None = None
        self.asked_keys: set[str] = set()  # questions put to the room in presenter mode
        self._guesses: dict[str, int] = {}  # question key -> choice, for this app session only
        layout = QVBoxLayout(self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.group = QButtonGroup(self)
        self.group.idClicked.connect(self._guessed)
        self.buttons: list[QRadioButton] = []
        self._choices = QVBoxLayout()
        layout.addLayout(self._choices)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Measured answer")
        layout.addWidget(self.outcome)
        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.timeout.connect(self.refresh)

    # ------------------------------------------------------------ settings
    def watch_settings(self, side: QWidget) -> None:
        """Ask again whenever a setting in ``side`` changes (its question names the settings)."""
        for slider in side.findChildren(QAbstractSlider):
            slider.valueChanged.connect(self._ask_again_soon)
        for spin in side.findChildren(QAbstractSpinBox):
            spin.editingFinished.connect(self._ask_again_soon)
        for button in side.findChildren(QAbstractButton):
            if button.isCheckable() and button not in self.buttons:
                button.toggled.connect(self._ask_again_soon)
        for combo in side.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._ask_again_soon)
        for listing in side.findChildren(QListWidget):  # a page chooser (Challenges)
            listing.currentRowChanged.connect(self._ask_again_soon)

    def _ask_again_soon(self, *_: object) -> None:
        # Not QTimer.start as the slot: the signal's int (a slider's value, a combo's index)
        # would become the interval, and 10,000 tasks were asked about 10 s later.
        self._refresh_soon.start(0)

    def refresh(self) -> None:
        """The question for the settings now; a changed question drops the shown answer."""
        question = question_for(self.lesson_id, self._params())
        self.setVisible(question is not None)
        if question is None:
            self.question = None
            return
        if self.question is not None and question.key == self.question.key:
            return
        self.question = question
        self.text.setText(question.text)
        for button in self.buttons:
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons = []
        for index, choice in enumerate(question.choices):
            button = QRadioButton(choice)
            button.setToolTip("Your guess; pick it before Start")
            self.group.addButton(button, index)
            self._choices.addWidget(button)
            self.buttons.append(button)
        guess = self._guesses.get(question.key)
        if guess is not None:
            self.buttons[guess].setChecked(True)
        self.outcome.setText("Pick one, then Start: the run will tell.")

    def _guessed(self, choice: int) -> None:
        if self.question is not None:
            self._guesses[self.question.key] = choice

    # ------------------------------------------------------------ queries
    def guess(self) -> int | None:
        """The choice picked for the question on screen, if any."""
        return None if self.question is None else self._guesses.get(self.question.key)

    def choose(self, choice: int) -> None:
        """Pick a choice (as a click does)."""
        self.buttons[choice].setChecked(True)
        self._guessed(choice)

    # ------------------------------------------------------------ answers
    def reveal(self, figures: Mapping[str, Any]) -> str:
        """Show what the run measured beside the guess; returns the text shown ("" if the run
        holds no answer, e.g. it was cancelled)."""
        self.refresh()
        question = self.question
        answer = question.answer(figures) if question is not None else None
        if question is None or answer is None:
            self.outcome.setText("This run gave no answer (it did not complete).")
            return ""
        right = question.choices[answer.choice]
        text = f"Measured: <b>{answer.measured}</b>, that is “{right}”."
        guess = self.guess()
        if guess is None:
            text += " You did not guess."
        elif guess == answer.choice:
            text += " Your guess was right."
        else:
            text += f" You guessed “{question.choices[guess]}”."
        self.outcome.setText(text)
        return text
