"""A lesson that raises while it is built: its tab says so once, nothing loops, retry works."""

from __future__ import annotations

import pytest

from app.lessons.multithreading import MultithreadingTab
from app.main_window import MainWindow
from app.unavailable_lesson import UnavailableLesson

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


def test_a_lesson_that_fails_to_build_is_shown_once_and_can_be_retried(
    qtbot,
    qloop,
    monkeypatch,
    caplog,  # noqa: ANN001
) -> None:
    built = []

    def broken(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        built.append(1)
        raise ValueError("a remembered setting nobody can read")

    monkeypatch.setattr(MultithreadingTab, "__init__", broken)
    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.show()
    window.settings.setValue("multithreading/threads", "garbage")
    index = window.lessons.titles.index("Multithreading")
    window.tabs.setCurrentIndex(index)
    page = window.current_lesson()
    assert isinstance(page, UnavailableLesson)
    assert "a remembered setting nobody can read" in page.message.text()
    for _ in range(5):  # the timers ask for the lesson on screen again and again
        assert window.current_lesson() is page
        window._draw()
        window._sample_cpu()
    assert len(built) == 1, "built once, never again in a loop"
    assert sum("could not be built" in r.getMessage() for r in caplog.records) == 1
    assert window.start_action.isEnabled()
    window.start()  # Start only says it again
    assert not window.runs.is_running(page)

    monkeypatch.undo()  # the cause is gone (as the settings are)
    page.retry.click()
    lesson = window.current_lesson()
    assert isinstance(lesson, MultithreadingTab)
    assert window.settings.value("multithreading/threads") is None, "its settings forgotten"
    window.close()
