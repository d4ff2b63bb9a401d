"""Light and dark themes: chosen in View -> Theme, remembered, applied to widgets and plots."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app import theme
from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


def window_colour() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Window).name()


def test_dark_and_light_themes_apply_and_are_remembered(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.set_theme("dark")
    assert window_colour() == "#202124"
    assert win.current_lesson().timeline._dark  # the plots follow
    win.close()
    again = MainWindow(start_lab=False)
    qtbot.addWidget(again)
    assert again.theme_choice == "dark"
    assert again.theme_actions["dark"].isChecked()
    again.set_theme("light")
    assert window_colour() != "#202124"
    assert not again.current_lesson().timeline._dark
    again.set_theme("system")
    assert theme.is_dark("system") == theme.system_is_dark()
    again.close()


def test_leaving_presenter_mode_restores_the_theme(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.set_theme("light")
    win.presenter.enter()
    assert win.current_lesson().timeline._dark
    win.presenter.leave()
    assert not win.current_lesson().timeline._dark
    win.set_theme("system")
    win.close()
