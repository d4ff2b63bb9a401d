"""One page of the Challenges tab: its own scenario, sliders, figures and speaker notes.

The tab delegates everything run-related to the page on screen, so each challenge lives in its
own module (``app/lessons/challenge_<name>.py``) and the tab only lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.lesson import scenario_defaults
from app.settings import read_int
from app.slider import LabeledSlider

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
        self,
        key_prefix: str,
        controls: Sequence[tuple[str, str, str, str]],
        limits: Mapping[str, tuple[int, int]],
        defaults: Mapping[str, Any],
    ) -> dict[str, LabeledSlider]:
        """Sliders ``(key, caption, unit, tooltip)`` within ``limits``, added to the page and
        remembered under ``key_prefix/key`` as they move."""
        sliders: dict[str, LabeledSlider] = {}
        for key, caption, unit, tip in controls:
            low, high = limits[key]
            setting = f"{key_prefix}/{key}"
            value = read_int(self.settings, setting, int(defaults[key]), low, high)
            slider = LabeledSlider(caption, low, high, value, unit=unit, tooltip=tip)
            slider.valueChanged.connect(lambda v, k=setting: self.settings.setValue(k, v))
            sliders[key] = slider
            self.layout_.addWidget(slider)
        return sliders

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
