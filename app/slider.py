"""A labelled slider with a spin box beside it, so extremes can be typed as well as dragged."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.wheel_guard import steady


class ClampingSpinBox(QSpinBox):
    """A spin box where a number typed past either end becomes that end.

    Qt's own refuses the digit that goes past the maximum ("99999" stays 999) and, on Enter,
    puts back the old value when the number is under the minimum: a learner typing the
    extremes got neither.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:  # noqa: D102
        result = super().validate(text, pos)
        state = result[0]
        digits = text.removesuffix(self.suffix()).strip()
        if state == QValidator.State.Invalid and digits.isdigit() and int(digits) > self.maximum():
            text = self.textFromValue(self.maximum()) + self.suffix()
            return QValidator.State.Acceptable, text, min(pos, len(text) - len(self.suffix()))
        return result


class LabeledSlider(QWidget):
    """``label [----o----] [ 42 ] unit``, kept in sync both ways; emits valueChanged(int)."""

    valueChanged = Signal(int)

    def __init__(
        self,
        label: str,
        low: int,
        high: int,
        value: int,
        unit: str = "",
        tooltip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caption = QLabel(label)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(low, high)
        self.spin = ClampingSpinBox()
        self.spin.setRange(low, high)
        if unit:
            self.spin.setSuffix(f" {unit}")
        self.spin.setMinimumWidth(90)
        self.slider.setPageStep(max(1, (high - low) // 10))
        for widget in (self.slider, self.spin):
            widget.setToolTip(tooltip)
            widget.setAccessibleName(label)
        self.caption.setBuddy(self.spin)
        steady(self.slider, self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.setValue(value)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addLayout(row)

    def value(self) -> int:
        """The current value."""
        return self.spin.value()

    def setValue(self, value: int) -> None:  # noqa: N802 - Qt naming, like the widgets it wraps
        """Set the value (clamped to the range)."""
        self.spin.setValue(value)

    def _from_slider(self, value: int) -> None:
        if self.spin.value() != value:
            self.spin.setValue(value)

    def _from_spin(self, value: int) -> None:
        if self.slider.value() != value:
            self.slider.setValue(value)
        self.valueChanged.emit(value)
