"""The timeline's legend: a colour swatch and name for every state, each explained by a
tooltip, laid out in a grid that wraps onto two rows at big presenter scales.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from app.palette import STATE_COLOURS, STATE_HELP
from demos.events import State

LEGEND_ONE_ROW_SCALE = 1.25  # above this scale the legend wraps onto two rows


class StateLegend(QWidget):
    """One entry per state in a grid, so that big presenter type wraps the legend onto two rows
    instead of making the window wider than a 1280-pixel projector."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._legend_labels: list[QLabel] = []
        self._legend_grid = QGridLayout(self)
        self._legend_grid.setContentsMargins(0, 0, 0, 0)
        self._legend_grid.setSpacing(2)
        self._legend_entries = [self._legend_entry(state) for state in State]
        self._lay_out_legend(columns=len(self._legend_entries))

    def set_scale(self, scale: float, font: QFont) -> None:
        """Use ``font`` for the names; one row up to LEGEND_ONE_ROW_SCALE, two rows above."""
        for label in self._legend_labels:
            label.setFont(font)
        wide = len(self._legend_entries)
        self._lay_out_legend(columns=wide if scale <= LEGEND_ONE_ROW_SCALE else wide // 2 + 1)

    def _lay_out_legend(self, columns: int) -> None:
        for entry in self._legend_entries:
            self._legend_grid.removeWidget(entry)
        for i, entry in enumerate(self._legend_entries):
            self._legend_grid.addWidget(entry, i // columns, i % columns)

    def _legend_entry(self, state: State) -> QWidget:
        """A colour swatch and the state name, explained by a tooltip."""
        entry = QWidget(self)
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 6, 0)
        row.setSpacing(3)
        swatch = QLabel(entry)
        swatch.setFixedSize(12, 12)
        outline = "#D00000" if state is State.FAILED else "#888888"
        swatch.setStyleSheet(f"background: {STATE_COLOURS[state]}; border: 1px solid {outline};")
        name = QLabel(state.name.lower(), entry)
        self._legend_labels.append(name)
        for widget in (entry, swatch, name):
            widget.setToolTip(f"{state.name.lower()}: {STATE_HELP[state]}")
        row.addWidget(swatch)
        row.addWidget(name)
        return entry
