"""Every Alt+letter of a lesson does what its underline says: it is not one of the menu bar's
(Alt+H opened the Help menu, not "Threads") and no two controls on screen together share it."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]


def mnemonic(text: str) -> str | None:
    """The letter after the first single '&' ("&&" is a literal ampersand), lower case."""
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def letters(lesson: QWidget, shown_only: bool) -> dict[str, list[str]]:
    """Each Alt+letter of the lesson's buttons and buddied labels, with their texts."""
    found: dict[str, list[str]] = defaultdict(list)
    for widget in lesson.findChildren(QAbstractButton) + lesson.findChildren(QLabel):
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue  # a label without a buddy has no shortcut
        if shown_only and not widget.isVisibleTo(lesson):
            continue
        if (letter := mnemonic(widget.text())) is not None:
            found[letter].append(widget.text())
    return found


def test_lesson_shortcuts_are_not_the_menus_and_are_unique_on_screen(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    menus = {mnemonic(action.text()) for action in win.menuBar().actions()}
    assert menus >= {"f", "r", "v", "h"}, menus
    on_menu, shared = [], []
    for index in range(win.tabs.count()):
        win.tabs.setCurrentIndex(index)
        lesson = win.current_lesson()
        for letter, texts in letters(lesson, shown_only=False).items():
            on_menu += [f"{lesson.title}: {text}" for text in texts if letter in menus]
        # Each page or scenario a combo box shows: its controls are on screen together.
        combos = [c for c in lesson.findChildren(QComboBox) if c.isVisibleTo(lesson)]
        for combo in combos or [None]:
            for item in range(combo.count() if combo is not None else 1):
                if combo is not None:
                    combo.setCurrentIndex(item)
                for letter, texts in letters(lesson, shown_only=True).items():
                    if len(texts) > 1:
                        shared.append(f"{lesson.title}: Alt+{letter} {sorted(texts)}")
    win.tabs.setCurrentIndex(0)
    win.close()
    assert not on_menu, on_menu
    assert not shared, sorted(set(shared))
