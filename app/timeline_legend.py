"""The timeline's legend: a colour swatch and name for every state, each explained by a
tooltip, in rows that wrap when the width runs out (big presenter type, a narrow projector).
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.flow_layout import FlowLayout
from app.palette import STATE_COLOURS, STATE_HELP
from demos.events import State


class StateLegend(QWidget):
    """One entry per state, wrapping onto more rows rather than making the window wider than
    the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._legend_labels: list[QLabel] = []
        flow = FlowLayout(self)
        for state in State:
            flow.addWidget(self._legend_entry(state))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_scale(self, scale: float, font: QFont) -> None:
        """Use ``font`` for the names (the rows wrap by themselves)."""
        del scale  # the width decides the rows, not the scale
        for label in self._legend_labels:
            label.setFont(font)

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
