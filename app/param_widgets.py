"""The controls of a declared parameter (``demos.scenario.Param``), with their remembered setting.

One way for every lesson: a number becomes a ``SettingSlider``, a choice a ``SettingChoice`` and a
switch a ``SettingSwitch``; each reads its value from QSettings under ``<group>/<name>`` (anything
unreadable or out of range gives the declared default) and writes it back as it changes. Limits,
unit, caption and tooltip all come from the declaration.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QComboBox, QRadioButton, QWidget

from app.settings import read_choice, read_int
from app.slider import LabeledSlider
from demos.scenario import Param


def remembered_choice(param: Param, settings: QSettings, group: str) -> tuple[str, str]:
    """(settings key, the remembered choice or the default) of a parameter with choices."""
    if not param.choices:
        raise TypeError(f"{param.name}: choosing needs a parameter with choices")
    key = f"{group}/{param.name}"
    return key, read_choice(settings, key, str(param.default), param.choices)


class SettingSlider(LabeledSlider):
    """A slider for an int parameter, remembered under ``<group>/<name>``."""

    def __init__(
        self,
        param: Param,
        settings: QSettings,
        group: str,
        parent: QWidget | None = None,
    ) -> None:
        if param.kind is not int or param.low is None or param.high is None:
            raise TypeError(f"{param.name}: a slider needs a bounded int parameter")
        low, high = int(param.low), int(param.high)
        self.param = param
        self.key = f"{group}/{param.name}"
        value = read_int(settings, self.key, int(param.default), low, high)
        super().__init__(
            param.caption or param.name,
            low,
            high,
            value,
            unit=param.unit,
            tooltip=f"{param.help} (applies on the next Start)" if param.help else "",
            parent=parent,
        )
        self.valueChanged.connect(lambda v: settings.setValue(self.key, v))


class SettingChoice(QObject):
    """Radio buttons for a str parameter with choices, remembered under ``<group>/<name>``."""

    changed = Signal(str)

    def __init__(
        self,
        param: Param,
        settings: QSettings,
        group: str,
        labels: Mapping[str, str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.param = param
        self.key, current = remembered_choice(param, settings, group)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for choice in param.choices:
            button = QRadioButton(labels.get(choice, choice))
            button.setToolTip(param.help)
            self.group.addButton(button)
            self.buttons[choice] = button
            button.toggled.connect(lambda on, c=choice: self._toggled(settings, c, on))
        self.buttons[current].setChecked(True)

    def _toggled(self, settings: QSettings, choice: str, on: bool) -> None:
        if not on:  # the button that lost the check: its partner reports the new choice
            return
        settings.setValue(self.key, choice)
        self.changed.emit(choice)

    def value(self) -> str:
        """The choice checked now."""
        return next(c for c, b in self.buttons.items() if b.isChecked())

    def set_value(self, choice: str) -> None:
        """Check ``choice`` (a known one)."""
        self.buttons[choice].setChecked(True)


class SettingSwitch(QCheckBox):
    """A check box for a bool parameter, remembered as 0/1 under ``<group>/<name>``."""

    def __init__(
        self,
        param: Param,
        settings: QSettings,
        group: str,
        parent: QWidget | None = None,
    ) -> None:
        if param.kind is not bool:
            raise TypeError(f"{param.name}: a switch needs a bool parameter")
        super().__init__(param.caption or param.name, parent)
        self.param = param
        self.key = f"{group}/{param.name}"
        self.setToolTip(param.help)
        self.setChecked(bool(read_int(settings, self.key, int(bool(param.default)), 0, 1)))
        self.toggled.connect(lambda on: settings.setValue(self.key, int(on)))


class SettingCombo(QComboBox):
    """A drop-down for a str parameter with choices (long titles), remembered under
    ``<group>/<name>``; each item carries its choice as data."""

    def __init__(
        self,
        param: Param,
        settings: QSettings,
        group: str,
        titles: Mapping[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.param = param
        self.key, current = remembered_choice(param, settings, group)
        self.setAccessibleName((param.caption or param.name).replace("&", ""))
        self.setToolTip(param.help)
        for choice in param.choices:
            self.addItem(titles.get(choice, choice), choice)
        self.setCurrentIndex(param.choices.index(current))
        self.currentIndexChanged.connect(lambda _i: settings.setValue(self.key, self.value()))

    def value(self) -> str:
        """The choice selected now."""
        return str(self.currentData())
