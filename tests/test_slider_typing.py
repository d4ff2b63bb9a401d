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


def wheel_over(qtbot, widget) -> None:  # noqa: ANN001
    """One notch of the mouse wheel, downwards, over ``widget`` (as scrolling a panel does)."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_scrolling_the_panel_over_a_slider_leaves_its_value(qtbot) -> None:  # noqa: ANN001
    # Before: wheel-scrolling the side panel turned whatever slider or spin box came under
    # the pointer (Starts per method went from 5 to 2 while scrolling down to read the results).
    slider = LabeledSlider("Starts per method", 1, 20, 5)
    qtbot.addWidget(slider)
    slider.show()
    for widget in (slider.slider, slider.spin):
        wheel_over(qtbot, widget)
        assert slider.value() == 5, type(widget).__name__
    slider.spin.setFocus()  # a control the learner clicked or tabbed to takes the wheel
    qtbot.waitUntil(slider.spin.hasFocus, timeout=2000)
    wheel_over(qtbot, slider.spin)
    assert slider.value() == 4
