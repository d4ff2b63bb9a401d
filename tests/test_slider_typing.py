"""Typing past either end of a slider's spin box lands on that end, as the slider's ends do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.slider import LabeledSlider

pytestmark = [pytest.mark.timeout(30), pytest.mark.gui]


def type_into(qtbot, slider: LabeledSlider, text: str) -> None:  # noqa: ANN001
    """Select the spin box's text, type ``text`` and press Enter, as a learner does."""
    qtbot.keyClick(slider.spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(slider.spin, text)
    qtbot.keyClick(slider.spin, Qt.Key.Key_Return)


@pytest.mark.parametrize(("typed", "expected"), [("1", 10), ("0", 10), ("99999", 5000)])
def test_typing_beyond_an_end_gives_that_end(qtbot, typed: str, expected: int) -> None:  # noqa: ANN001
    # Before: below the minimum the box went back to the old value on Enter; above the
    # maximum it refused the last digit ("99999" became 999), so the extremes were hard to type.
    slider = LabeledSlider("Step duration", 10, 5000, 1000, unit="ms")
    qtbot.addWidget(slider)
    slider.show()
    type_into(qtbot, slider, typed)
    assert slider.value() == expected
    assert slider.slider.value() == expected


def test_typing_inside_the_range_keeps_the_number(qtbot) -> None:  # noqa: ANN001
    slider = LabeledSlider("Threads", 1, 64, 4)
    qtbot.addWidget(slider)
    slider.show()
    type_into(qtbot, slider, "32")
    assert slider.value() == 32
