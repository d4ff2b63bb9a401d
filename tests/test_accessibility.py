"""Every control of every lesson has a name a screen reader can say, and is reachable by Tab."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QScrollBar,
    QTableWidget,
    QTreeWidget,
)

from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]
CONTROLS = (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTableWidget,
    QTreeWidget,
)


def test_every_control_has_an_accessible_name_and_takes_focus(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    assert len(list(win.lessons)) == len(win.lessons.titles)  # build every lesson
    unnamed, unreachable = [], []
    checked = 0
    for cls in CONTROLS:
        for widget in win.findChildren(cls):
            if isinstance(widget, QScrollBar) or widget.objectName().startswith("qt_"):
                continue  # Qt's own parts (scroll bars, corner and extension buttons)
            checked += 1
            text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
            if not (widget.accessibleName() or text).strip():
                unnamed.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
            if widget.focusPolicy() == Qt.FocusPolicy.NoFocus and not isinstance(
                widget, QAbstractSlider
            ):
                unreachable.append(f"{type(widget).__name__} {text or widget.accessibleName()}")
    assert checked >= len(win.lessons.titles), "every lesson has controls: none were found"
    assert not unnamed, unnamed
    assert not unreachable, unreachable
    win.tabs.setCurrentIndex(0)
    win.close()
