"""A one-line label that picks the longest of its wordings that fits its width.

Presenter lines (the CPU readout in big type on a 1024 px projector) used to wrap onto a second
line and push the plots down. This label never wraps and never asks for more width than a few
characters: it shows the full sentence when it fits, else the short one, else the short one cut
with an ellipsis (the full sentence stays in the tooltip).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FitLabel(QLabel):
    """One line; ``set_texts(full, short)`` gives it its wordings, longest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: tuple[str, ...] = ("",)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_texts(self, *texts: str) -> None:
        """The wordings, longest first; the one shown is chosen by the width."""
        if texts != self._texts:
            self._texts = texts or ("",)
            self.setToolTip(self._texts[0])
            self._choose()

    def full_text(self) -> str:
        """The longest wording, whichever is shown."""
        return self._texts[0]

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A new width may fit another wording."""
        super().resizeEvent(event)
        self._choose()

    def changeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """A new font (presenter scale) may fit another wording."""
        super().changeEvent(event)  # type: ignore[arg-type]
        self._choose()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Never the reason a layout is wider than the screen."""
        return QSize(
            self.fontMetrics().horizontalAdvance("Workers…"), super().minimumSizeHint().height()
        )

    def _choose(self) -> None:
        room = self.contentsRect().width()
        metrics = self.fontMetrics()
        for text in self._texts:
            if metrics.horizontalAdvance(text) <= room:
                shown = text
                break
        else:
            shown = metrics.elidedText(self._texts[-1], Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            self.setText(shown)
