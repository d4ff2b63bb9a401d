"""The one lesson list holds everything together: tabs, `python -m demos`, its JSON, the presenter
digits and the README's table all list the lessons in the deck's order."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demos import registry

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent
# The deck's order (../shared/seed): the story a speaker pages through.
DECK_ORDER = [
    "Program, process and thread",
    "Thread states",
    "Concurrency vs parallelism",
    "Multithreading",
    "GIL or no GIL",
    "Coroutines",
    "Challenges",
    "Synchronization primitives",
    "Multiprocessing",
    "Pools",
    "When to use what",
]


def test_registry_is_in_the_decks_order() -> None:
    assert [entry.title for entry in registry.LESSONS] == DECK_ORDER
    ids = [entry.id for entry in registry.LESSONS]
    assert len(set(ids)) == len(ids), "lesson ids are unique"


def test_python_m_demos_lists_the_lessons_in_order() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "demos"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    numbered = re.findall(r"^(\d+)\. (.+)$", out, flags=re.MULTILINE)
    assert [title for _n, title in numbered] == DECK_ORDER
    assert [int(n) for n, _title in numbered] == list(range(1, len(DECK_ORDER) + 1))


def test_python_m_demos_json_lists_id_title_twin_in_order() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "demos", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    lessons = json.loads(out)
    assert [item["title"] for item in lessons] == DECK_ORDER
    for item, entry in zip(lessons, registry.LESSONS, strict=True):
        assert item["id"] == entry.id
        assert item["twin"].startswith("python -m demos.")


@pytest.mark.parametrize("command", registry.twin_commands())
def test_every_twin_named_in_the_registry_exists(command: str) -> None:
    module = command.split()[2]
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"{module} is named in the registry but does not exist"


def test_readme_table_lists_the_lessons_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| tab | what it shows | terminal twin |", 1)[1]
    rows = [line for line in table.splitlines()[2:]]
    rows = rows[: next(i for i, line in enumerate(rows) if not line.startswith("|"))]
    assert [row.split("|")[1].strip() for row in rows] == DECK_ORDER


@pytest.mark.gui
def test_tabs_and_presenter_digits_follow_the_registry(qtbot, qloop) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        assert win.lessons.titles == DECK_ORDER
        labels = [win.tabs.tabText(i) for i in range(win.tabs.count())]
        assert labels == [entry.tab_label for entry in registry.LESSONS]
        tips = [win.tabs.tabToolTip(i) for i in range(win.tabs.count())]
        assert tips == [f"{n}. {title}" for n, title in enumerate(DECK_ORDER, start=1)]
        win.presenter.enter()
        # The digit actions by their key (key delivery itself is the real-window suite's job).
        digits = {
            action.shortcut().toString(): action
            for action in win.presenter.clicker_actions
            if action.shortcut().toString().isdigit()
        }
        # 1-9 for the first nine lessons, 0 for the tenth (a digit key each, as on a clicker);
        # lessons beyond the tenth are reached with PgDown.
        assert sorted(digits) == [str(n) for n in range(10)]
        for number in range(min(len(DECK_ORDER), 10), 0, -1):  # backwards: each key must move
            digits[str(number % 10)].trigger()
            assert win.tabs.currentIndex() == number - 1
            assert win.current_lesson().title == DECK_ORDER[number - 1]
        digits["0"].trigger()
        for number in range(11, len(DECK_ORDER) + 1):  # PgDown, the "Next lesson" action
            win.presenter.clicker_actions[0].trigger()
            assert win.current_lesson().title == DECK_ORDER[number - 1]
    finally:
        win.presenter.leave()
        win.tabs.setCurrentIndex(0)
        win.close()
