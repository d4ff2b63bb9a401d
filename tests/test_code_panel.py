"""The code panel shows the real scenario source and a twin command that really runs."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from app.code_panel import marked_lines, twin_command
from app.main_window import MainWindow
from demos import multithreading, race

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]


def open_multithreading(win: MainWindow) -> None:
    """These tests drive the Multithreading tab, wherever it sits among the tabs."""
    win.tabs.setCurrentIndex([lesson.title for lesson in win.lessons].index("Multithreading"))


ROOT = Path(__file__).resolve().parent.parent


def test_generic_twin_command_maps_parameters_to_flags() -> None:
    command = twin_command(race, {"threads": 4, "increments": 500, "lock": True})
    assert command == "python -m demos.race --threads 4 --increments 500 --lock"
    assert "--lock" not in twin_command(race, {"threads": 4, "increments": 500, "lock": False})


def test_worker_functions_are_marked() -> None:
    lines = marked_lines(multithreading)
    source = Path(multithreading.__file__).read_text().splitlines()
    assert any("def step_worker" in source[n - 1] for n in lines)


def test_the_panel_follows_the_lesson_and_its_command_runs(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    open_multithreading(win)
    qtbot.addWidget(win)
    win.show()
    win.code_panel.toggleViewAction().trigger()
    qtbot.waitUntil(win.code_panel.isVisible, timeout=2000)
    tab = win.current_lesson()
    tab.threads.setValue(3)
    tab.steps.setValue(2)
    tab.step_ms.setValue(20)
    win.code_panel.update_view()
    assert "def step_worker" in win.code_panel.source.toPlainText()
    command = win.code_panel.command.text()
    assert command.startswith("python -m demos.multithreading --threads 3 --steps 2")
    args = shlex.split(command)
    done = subprocess.run(
        [sys.executable, *args[1:], "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert '"threads": 3' in done.stdout.splitlines()[-1]
    win.close()
