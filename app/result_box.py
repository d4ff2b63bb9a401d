"""The "Last run" box every lesson shows: named figures, one of them big, and a verdict.

One widget for all lessons, so figures look and behave the same everywhere: "-" before a run,
the big figure styled for the room (``#bigFigure``, see the presenter's stylesheet), a verdict
in words under them and an optional line of notes (failures, warnings).

Two kinds of row besides a captioned figure:

- a row with an empty caption is a full-width paragraph (a detail line under the figure above
  it, a list): it is empty, not "-", before a run;
- a ``fixed`` row states the setting rather than a run's result (the start method, the cores):
  it shows its text from the start and ``clear`` leaves it alone.

A lesson styles a row itself through ``values[key]`` (rich text, a colour), and resets that
styling itself.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QWidget

from app.lesson import paragraph

BLANK = "-"
BIG_FIGURE_SCALE = 1.4  # the big figure against the box's other text


class ResultBox(QFrame):
    """``rows`` are (key, caption); ``big`` names the row (or rows) drawn large."""

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        big: str | Collection[str] | None = None,
        verdict: str = "Press Start (Space) to run.",
        parent: QWidget | None = None,
        *,
        fixed: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.form = QFormLayout(self)
        bigs = {big} if isinstance(big, str) else set(big or ())
        self.fixed = dict(fixed or {})
        self.values: dict[str, QLabel] = {}
        self.blanks: dict[str, str] = {}
        for key, caption in rows:
            if caption:
                label = QLabel(BLANK)
                label.setAccessibleName(caption.rstrip(":"))
                self.form.addRow(caption, label)
            else:
                label = paragraph("")
                self.form.addRow(label)
            if key in bigs:
                label.setObjectName("bigFigure")
                font = label.font()  # outside presenter mode; its stylesheet sizes it there
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * BIG_FIGURE_SCALE)
                label.setFont(font)
            self.values[key] = label
            self.blanks[key] = label.text()
            if key in self.fixed:
                label.setText(self.fixed[key])
        self.verdict = paragraph(verdict)
        self.notes = paragraph("")
        self.form.addRow(self.verdict)
        self.form.addRow(self.notes)

    def set(self, key: str, text: str) -> None:
        """Show one figure."""
        self.values[key].setText(text)

    def clear(self, message: str, keys: Collection[str] | None = None) -> None:
        """Every figure (or only those of ``keys``) back to blank, the verdict says what happens
        now, no notes. ``fixed`` rows keep their text."""
        for key in self.values if keys is None else keys:
            if key not in self.fixed:
                self.values[key].setText(self.blanks[key])
        self.verdict.setText(message)
        self.notes.setText("")
