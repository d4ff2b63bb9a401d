"""The deck's programs as written: they run unmodified, take the time the lesson predicts, are
stopped at their deadline, and stream into the code panel's console."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from demos.snippets import runner
from demos.snippets.registry import SNIPPETS, snippet_by_id

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent


def occurrences(lines: list[dict[str, object]], text: str) -> list[float]:
    """The times of every occurrence of ``text`` (two threads' prints may share one line)."""
    return [float(str(ln["t_s"])) for ln in lines for _ in range(str(ln["text"]).count(text))]


@pytest.mark.parametrize("snippet_id", [s.id for s in SNIPPETS if s.id != "two_tasks"])
def test_each_program_runs_unmodified_and_exits_0(snippet_id: str) -> None:
    # two_tasks (5 s) runs once, in the timing test below.
    snippet = snippet_by_id(snippet_id)
    report = runner.run(snippet.path, snippet.deadline_s)
    assert report.completed, (report.exit_code, report.stopped, report.lines)
    # As printed: two threads' prints may share a line (print writes the text, then the end).
    printed = "\n".join(line.text for line in report.lines)
    assert printed, "printed nothing"
    if snippet_id == "is_alive":  # the deck's four answers, in its order
        answers = re.findall(r"state: (True|False)", printed)
        assert answers == ["False", "True", "True", "False"]
    if snippet_id == "mutex":
        assert printed.splitlines()[-1].startswith("final balance 50 ")
    if snippet_id == "semaphore":  # never more than two inside
        inside = peak = 0
        for what in re.findall(r"file\d (starts|done)", printed):
            inside += 1 if what == "starts" else -1
            peak = max(peak, inside)
        assert peak == 2
    if snippet_id == "barrier":  # nobody goes before the last is ready
        assert printed.rfind("waiting for the others") < printed.find(" goes")


@pytest.mark.serial
@pytest.mark.timeout(30)
def test_the_decks_two_tasks_take_about_5_s_and_interleave() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "demos.snippets", "--run", "two_tasks", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=25,
        check=True,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["exit_code"] == 0
    assert not result["stopped"]
    assert 4.5 <= result["wall_s"] <= 7.0, result["wall_s"]  # one after the other: 10 s
    assert result["as_predicted"]
    one = occurrences(result["lines"], "Task 1 is running")
    two = occurrences(result["lines"], "Task 2 is running")
    assert len(one) == len(two) == 5
    # Interleaved: each task prints again after the other has started, every second.
    assert min(two) < max(one)
    assert min(one) < max(two)
    assert all(abs(a - b) < 0.5 for a, b in zip(sorted(one), sorted(two), strict=True))
    assert min(one) < 0.5
    assert max(one) > 3.5


FOREVER = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(child.pid)
time.sleep(60)
"""


def test_a_program_past_its_deadline_is_stopped_with_its_children(tmp_path: Path) -> None:
    program = tmp_path / "forever.py"
    program.write_text(FOREVER)
    report = runner.run(program, deadline_s=1.5)
    assert report.stopped in ("terminated", "killed")
    assert not report.completed
    assert report.wall_s < 1.5 + 2 * runner.STOP_GRACE_S + 0.5
    grandchild = int(report.lines[0].text)
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == "zombie"


# ------------------------------------------------------------------ the app


def open_lesson(win, lesson_id: str, **choices: str) -> None:  # noqa: ANN001
    from demos import registry

    win.tabs.setCurrentIndex([e.id for e in registry.LESSONS].index(lesson_id))
    tab = win.current_lesson()
    for attribute, value in choices.items():
        box = getattr(tab, attribute)
        box.setCurrentIndex(box.findData(value))
    win.code_panel.update_view()


CHOICES = {"is_alive": {"scenario_box": "deck"}}


@pytest.mark.gui
@pytest.mark.serial  # it checks that lines arrive while the program runs: a loaded machine hides it
def test_the_panel_shows_each_program_as_on_disk_and_runs_one(qtbot, qloop) -> None:  # noqa: ANN001
    from app.code_panel import AS_WRITTEN
    from app.main_window import MainWindow
    from demos.primitives import lock

    INSTRUMENTED = 1 - AS_WRITTEN  # noqa: N806 - the other tab

    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    # Closing saves the docks and the lesson: the next tests expect the window as it was.
    kept = {key: win.settings.value(key) for key in ("window/state", "window/last_lesson")}
    panel = win.code_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    for snippet in SNIPPETS:
        choices = CHOICES.get(snippet.id) or (
            {"primitive": snippet.when[1]} if snippet.lesson == "primitives" else {}
        )
        open_lesson(win, snippet.lesson, **choices)
        panel.view_bar.setCurrentIndex(AS_WRITTEN)
        assert panel.snippet == snippet
        assert panel.shown_source == snippet.path.read_text(encoding="utf-8")
        shown = panel.source.toPlainText()
        assert all(line.strip() in shown for line in snippet.source().splitlines())
    open_lesson(win, "primitives", primitive="queue")  # no program for this page
    assert panel.snippet is None
    assert not panel.view_bar.isVisible()

    open_lesson(win, "primitives", primitive="lock")
    panel.view_bar.setCurrentIndex(INSTRUMENTED)
    assert panel.shown_source == inspect.getsource(lock)
    assert panel.snippet is not None
    assert panel.snippet.instrumentation == panel.view_note.text()
    panel.view_bar.setCurrentIndex(AS_WRITTEN)
    console = panel.console
    console.run_button.click()
    qtbot.waitUntil(lambda: any("deposited" in t for t in console.lines), timeout=5000)
    assert console.is_running()  # the first line came while the program still ran
    qtbot.waitUntil(lambda: not console.is_running(), timeout=10_000)
    assert console.lines[-1].startswith("final balance 50 ")
    text = console.output.toPlainText().splitlines()
    assert text[0].endswith("| T1 deposited 10, balance is now 10")
    assert " s | " in text[0]
    stamps = [float(line.split(" s | ")[0]) for line in text]
    assert stamps[-1] - stamps[0] > 0.15  # five 0.1 s holds: streamed, not all at the end
    assert "predicted about 0.5 s" in console.status.text()
    assert "exit code 0" in console.status.text()

    # Another lesson on screen ends a running program; so does closing the window.
    console.run_button.click()
    qtbot.waitUntil(console.is_running, timeout=2000)
    open_lesson(win, "multithreading")
    qtbot.waitUntil(lambda: not console.is_running(), timeout=3000)
    console.run_button.click()
    qtbot.waitUntil(lambda: bool(console.lines), timeout=5000)
    win.close()
    assert not console.is_running()
    for key, value in kept.items():
        if value is None:
            win.settings.remove(key)
        else:
            win.settings.setValue(key, value)


@pytest.mark.gui
def test_the_console_stops_a_program_at_its_deadline(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from app.snippet_console import SnippetConsole

    program = tmp_path / "forever.py"
    program.write_text(FOREVER)
    console = SnippetConsole()
    qtbot.addWidget(console)
    console.set_snippet(replace(snippet_by_id("mutex"), file=str(program)))  # an absolute path
    console.run(deadline_s=0.5)
    qtbot.waitUntil(lambda: bool(console.lines), timeout=5000)
    grandchild = int(console.lines[0])
    qtbot.waitUntil(lambda: not console.is_running(), timeout=5000)
    assert "stopped at its 0.5 s deadline" in console.status.text()
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == "zombie"
