"""The "Last run" box every lesson shows: named figures, one of them big, and a verdict.

One widget for all lessons, so figures look and behave the same everywhere: "-" before a run,
the big figure styled for the room (``#bigFigure``, see the presenter's stylesheet), a verdict
in words under them and an optional line of notes (failures, warnings).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QWidget

from app.lesson import paragraph

BLANK = "-"


class ResultBox(QFrame):
    """``rows`` are (key, caption); ``big`` names the row drawn large."""

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        big: str | None = None,
        verdict: str = "Press Start (Space) to run.",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.form = QFormLayout(self)
        self.values: dict[str, QLabel] = {}
        for key, caption in rows:
            label = QLabel(BLANK)
            if key == big:
                label.setObjectName("bigFigure")
            label.setAccessibleName(caption.rstrip(":"))
            self.values[key] = label
            self.form.addRow(caption, label)
        self.verdict = paragraph(verdict)
        self.notes = paragraph("")
        self.form.addRow(self.verdict)
        self.form.addRow(self.notes)

    def set(self, key: str, text: str) -> None:
        """Show one figure."""
        self.values[key].setText(text)

    def clear(self, message: str) -> None:
        """Every figure back to "-", the verdict says what happens now, no notes."""
        for label in self.values.values():
            label.setText(BLANK)
        self.verdict.setText(message)
        self.notes.setText("")
