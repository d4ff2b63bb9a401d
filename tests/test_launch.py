"""``python -m app --lesson ID --set NAME=VALUE``: the window opens there, with those settings;
what it cannot use is said in the window and nothing else changes."""

from __future__ import annotations

import pytest

from app.launch import apply_launch, parse_launch
from app.main_window import MainWindow
from demos import registry

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


@pytest.fixture
def window(plain_window):  # noqa: ANN001
    return plain_window


def launch(win: MainWindow, *args: str) -> list[str]:
    return apply_launch(win, parse_launch(["app", *args]))


def test_lesson_and_settings_from_the_command_line(window) -> None:  # noqa: ANN001
    problems = launch(
        window, "--lesson", "multithreading", "--set", "threads=8", "--set", "step-ms=250"
    )
    assert problems == []
    tab = window.current_lesson()
    assert tab.title == "Multithreading"
    assert window.windowTitle() == "Concurrency Lab - Multithreading"
    assert (tab.threads.value(), tab.step_ms.value()) == (8, 250)
    assert window.settings.value("multithreading/threads") in (8, "8")  # remembered too


def test_a_radio_button_choice_is_a_setting(window) -> None:  # noqa: ANN001
    assert launch(window, "--lesson", "parallelism", "--set", "model=processes") == []
    assert window.current_lesson().model_processes.isChecked()


def test_a_challenges_page_id_opens_that_page(window) -> None:  # noqa: ANN001
    assert launch(window, "--lesson", "deadlock") == []
    assert window.current_lesson().title == "Challenges"
    assert window.current_lesson().page.name == "Deadlock"


def test_bad_ids_names_and_values_are_reported_and_change_nothing(window) -> None:  # noqa: ANN001
    problems = launch(
        window,
        "--lesson",
        "multithreading",
        "--set",
        "threads=lots",
        "--set",
        "steps=999",
        "--set",
        "colour=red",
        "--bogus",
    )
    tab = window.current_lesson()
    before = (tab.threads.value(), tab.steps.value())
    text = " | ".join(problems)
    assert "threads must be a whole number, not 'lots'" in text
    assert "steps must be between 1 and 50, not 999" in text
    assert "Multithreading has no setting 'colour'" in text
    assert "unknown option '--bogus'" in text
    assert (tab.threads.value(), tab.steps.value()) == before
    assert launch(window, "--lesson", "knitting") == [
        "no lesson 'knitting'; the lessons are: " + ", ".join(registry.lesson_ids())
    ]
