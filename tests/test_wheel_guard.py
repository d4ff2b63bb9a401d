"""The wheel scrolls a side panel past its sliders and combo boxes; it changes a control only
once the user has clicked it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QScrollArea, QVBoxLayout, QWidget
from wheel_events import wheel_down

from app.slider import LabeledSlider
from app.wheel_guard import steady

pytestmark = [pytest.mark.timeout(30), pytest.mark.gui]


@pytest.fixture
def panel(qtbot):  # noqa: ANN001, ANN201 - pytest-qt fixture
    """A short scrolling panel holding a slider and a combo box above a tall filler."""
    area = QScrollArea()
    inner = QWidget()
    layout = QVBoxLayout(inner)
    slider = LabeledSlider("Tasks", 10, 50000, 10000)
    combo = QComboBox()
    combo.addItems(["one", "two", "three"])
    steady(combo)
    layout.addWidget(slider)
    layout.addWidget(combo)
    filler = QWidget()
    filler.setMinimumHeight(2000)
    layout.addWidget(filler)
    area.setWidget(inner)
    area.resize(300, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.setFocus()  # not on a control: the first one would take the window's first focus
    qtbot.waitUntil(area.hasFocus, timeout=2000)
    return area, slider, combo


def test_the_wheel_over_an_unclicked_control_leaves_it_to_the_panel(panel) -> None:  # noqa: ANN001
    _area, slider, combo = panel
    for target in (slider.spin, slider.slider, combo):
        assert not wheel_down(target).isAccepted(), f"{type(target).__name__} took the wheel"
        assert not target.hasFocus()
    assert slider.value() == 10000
    assert combo.currentIndex() == 0


def test_a_clicked_control_takes_the_wheel(panel, qtbot) -> None:  # noqa: ANN001
    area, slider, combo = panel
    slider.spin.setFocus()
    qtbot.waitUntil(slider.spin.hasFocus, timeout=2000)
    assert wheel_down(slider.spin).isAccepted()
    assert slider.value() < 10000  # one notch down: the user meant it
