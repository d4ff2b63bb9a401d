"""Pause (Space) during a measurement that cannot pause says so where it stays in view: the
lesson's status line alone was overwritten by the next cell's progress within a second."""

from __future__ import annotations

import pytest

from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


@pytest.mark.parametrize("title", ["When to use what", "GIL or no GIL"])
def test_pause_of_a_measurement_shows_why_in_the_banner(qtbot, qloop, title: str) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    lesson = win.current_lesson()
    assert lesson.title == title
    assert not win.banner.isVisible()
    lesson.pause_local()  # what Space or Pause reaches while the measurement runs
    assert win.banner.isVisible()
    assert "cannot pause" in win.banner.text()
    win.close()
