"""One page of the Challenges tab: its own scenario, sliders, figures and speaker notes.

Every page builds its controls from its scenario's declared parameters (``demos.scenario``)
with the helpers here, so limits, captions and remembered settings come from one place.

The tab delegates everything run-related to the page on screen, so each challenge lives in its
own module (``app/lessons/challenge_<name>.py``) and the tab only lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from app.lesson import scenario_defaults
from app.param_widgets import SettingSlider, SettingSwitch
from app.settings import read_choice
from app.wheel_guard import steady
from demos.scenario import Scenario

if TYPE_CHECKING:
    from app.lessons.challenges import ChallengesTab


class ChallengePage(QWidget):
    """Base class: subclasses set the class attributes and fill ``self.layout_``."""

    name = ""  # shown in the challenge selector
    scenario = ""  # the demos module the lab runs for this page
    speaker_notes = ""

    def __init__(self, tab: ChallengesTab) -> None:
        super().__init__()
        self.tab = tab
        self.settings = tab.settings
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.build()
        # The parameters of this page's run on screen: its defaults until it first runs.
        self.last_params: dict[str, Any] = self.param_defaults()

    def add_sliders(
        self, scenario: Scenario, group: str, names: Sequence[str]
    ) -> dict[str, SettingSlider]:
        """A slider per named parameter of ``scenario``, added to the page and remembered
        under ``group/<name>``. A float parameter moves in whole units on its slider."""
        sliders: dict[str, SettingSlider] = {}
        for name in names:
            param = scenario.param(name)
            if param.kind is float:
                param = replace(param, kind=int, default=int(param.default))
            sliders[name] = SettingSlider(param, self.settings, group)
            self.layout_.addWidget(sliders[name])
        return sliders

    def add_switch(self, scenario: Scenario, group: str, name: str) -> SettingSwitch:
        """A check box for a bool parameter, added to the page and remembered."""
        switch = SettingSwitch(scenario.param(name), self.settings, group)
        self.layout_.addWidget(switch)
        return switch

    def add_choice_box(
        self, scenario: Scenario, group: str, name: str, labels: Mapping[str, str]
    ) -> QComboBox:
        """A drop-down list of a parameter's choices (``labels`` name them), added to the page
        and remembered under ``group/<name>``; its item data are the choices."""
        param = scenario.param(name)
        key = f"{group}/{name}"
        box = QComboBox()
        steady(box)  # the wheel scrolls the panel, not the page
        box.setToolTip(f"{param.help} (applies on the next Start)" if param.help else "")
        for choice in param.choices:
            box.addItem(labels.get(choice, choice), choice)
        current = read_choice(self.settings, key, str(param.default), param.choices)
        box.setCurrentIndex(param.choices.index(current))
        box.currentIndexChanged.connect(lambda _i: self.settings.setValue(key, box.currentData()))
        self.layout_.addWidget(box)
        return box

    def build(self) -> None:
        """Add the explanation, sliders and result widgets to ``self.layout_``."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The scenario's parameters from the page's controls."""
        raise NotImplementedError

    def join_deadline_s(self) -> float:
        """How long a Join may wait before the GUI escalates."""
        return 60.0

    def param_defaults(self) -> dict[str, Any]:
        """Every parameter with a default: the scenario's ``DEFAULTS``, then the controls'."""
        return scenario_defaults(self.scenario, self.params())

    def saved_figures(self) -> dict[str, Any]:
        """Figures a local page keeps of its run ({} for lab pages)."""
        return {}

    def show_saved_figures(self, figures: dict[str, Any]) -> None:
        """Show figures from :meth:`saved_figures` of a saved run."""

    def clear_result(self, message: str) -> None:
        """Blank the figures and say what happens now."""

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Show the figures of a finished run."""

    def refresh(self) -> None:
        """Called every frame while a run of this page is on screen: live figures."""
