"""The lab on another interpreter: started there, live, and it says which Python it runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demos.interpreters import Interpreter, describe
from demos.lab import MAIN_LANE_ID

pytestmark = pytest.mark.timeout(60)
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def _other_python() -> Interpreter | None:
    """The newest pyenv CPython 3.12 or 3.13 here, probed; None if there is none."""
    for minor in (13, 12):
        found = sorted(PYENV.glob(f"3.{minor}.*/bin/python3"))
        if found:
            described = describe(str(found[-1]))
            if isinstance(described, list):
                return described[0]
    return None


OTHER = _other_python()
needs_other = pytest.mark.skipif(
    OTHER is None or os.name != "posix", reason="no pyenv CPython 3.12/3.13 (or not POSIX)"
)


@needs_other
def test_a_multithreading_run_goes_live_on_another_python(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lab_client import LabClient
    from demos.intervals import IntervalStore

    assert OTHER is not None
    client = LabClient(IntervalStore())
    client.python = OTHER
    client.start_lab()
    try:
        qtbot.waitUntil(lambda: client.lab_python != "", timeout=20_000)
        assert client.lab_python == OTHER.version
        assert os.path.realpath(f"/proc/{client.pid}/exe") == OTHER.realpath
        with open(f"/proc/{client.pid}/maps") as maps:  # no package of the app's venv loaded
            assert ".venv" not in maps.read()
        params = {"threads": 2, "steps": 3, "step_ms": 20, "kind": "cpu"}
        assert client.start_run("demos.multithreading", params)
        qtbot.waitUntil(lambda: not client.running, timeout=20_000)
        workers = [ln for ln in client.store.lanes if ln.lane_id != MAIN_LANE_ID]
        assert len(workers) == 2
        assert all(ln.ident for ln in workers), "each thread announced its OS identity"
        finals = client.store.final_states()
        assert {finals[ln.lane_id][0].name for ln in workers} == {"DONE"}
        assert client.events_received > 0
    finally:
        assert client.stop_lab() is None  # it quit when asked: nothing had to be forced


@needs_other
def test_the_toolbar_choice_restarts_the_lab_there_and_is_remembered(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    win.settings.remove("lab/python")
    try:
        _choose_and_run(win, qtbot)
    finally:
        win.settings.remove("lab/python")  # the next window starts on the app's own again


def _choose_and_run(win, qtbot) -> None:  # noqa: ANN001
    choice = win.python_choice
    assert choice.box.currentText().startswith("Python 3.11")  # the app's own, at first
    choice.box.opening.emit()  # opening the list looks for the others (no popup offscreen)
    assert OTHER is not None
    # Until the list holds it: the thread ends before its answer reaches the GUI thread.
    qtbot.waitUntil(
        lambda: any(i.realpath == OTHER.realpath for i in choice.choices), timeout=20_000
    )
    index = next(n for n, i in enumerate(choice.choices) if i.realpath == OTHER.realpath)
    old_pid = win.lab.pid
    choice.box.setCurrentIndex(index)
    qtbot.waitUntil(lambda: win.lab.lab_python == OTHER.version, timeout=20_000)
    assert win.lab.pid != old_pid
    assert choice.lab_label.text() == f"  lab: Python {OTHER.version}"
    assert win.settings.value("lab/python") == OTHER.key
    # A lesson run goes live there, as on the app's own Python.
    assert win.lab.start_run(
        "demos.multithreading", {"threads": 2, "steps": 2, "step_ms": 20, "kind": "cpu"}
    )
    qtbot.waitUntil(lambda: not win.lab.running, timeout=20_000)
    assert len(win.lab.store.lanes) >= 3
    choice.box.setCurrentIndex(0)  # back to the app's own: forgotten
    qtbot.waitUntil(lambda: win.lab.lab_python.startswith("3.11"), timeout=20_000)
    assert win.settings.value("lab/python") is None


@needs_other
def test_a_remembered_python_that_has_gone_falls_back_with_a_message(plain_window) -> None:  # noqa: ANN001
    from app.interpreter_choice import KEY, InterpreterChoice

    win = plain_window
    win.settings.setValue(KEY, "/no/such/python3.13")
    try:
        _fall_back(win, InterpreterChoice, KEY)
    finally:
        win.lab.python = None
        win.settings.remove(KEY)


def _fall_back(win, InterpreterChoice, KEY) -> None:  # noqa: ANN001, N803
    choice = InterpreterChoice(win, win.lab, win.toolbar)
    assert win.lab.python is None
    assert win.settings.value(KEY) is None
    assert "/no/such/python3.13 not usable" in win.statusBar().currentMessage()
    assert choice.choices == [choice.choices[0]]  # only the app's own
    assert OTHER is not None
    win.settings.setValue(KEY, OTHER.key)  # one still there is taken before the lab starts
    InterpreterChoice(win, win.lab, win.toolbar)
    assert win.lab.python is not None
    assert win.lab.python.key == OTHER.key


@needs_other
def test_another_python_picked_by_path_is_remembered(plain_window, monkeypatch) -> None:  # noqa: ANN001
    from app import interpreter_choice

    win = plain_window
    choice = win.python_choice
    assert OTHER is not None
    picked = (OTHER.executable, "")
    monkeypatch.setattr(interpreter_choice.QFileDialog, "getOpenFileName", lambda *_a: picked)
    try:
        assert choice.box.itemText(choice.box.count() - 1) == interpreter_choice.OTHER_ITEM
        choice.box.setCurrentIndex(choice.box.count() - 1)
        assert win.lab.python is not None
        assert win.lab.python.realpath == OTHER.realpath
        assert choice.added() == [OTHER.executable]
        assert choice.box.currentText() == OTHER.label
        assert win.settings.value(interpreter_choice.KEY) == OTHER.key
    finally:
        win.lab.python = None
        win.settings.remove(interpreter_choice.KEY)
        win.settings.remove(interpreter_choice.ADDED_KEY)


@needs_other
def test_a_lab_killed_there_is_noticed_and_replaced_there(qtbot, qloop) -> None:  # noqa: ANN001
    import signal

    from app.lab_client import LabClient
    from demos.intervals import IntervalStore

    assert OTHER is not None
    client = LabClient(IntervalStore())
    client.python = OTHER
    lost: list[str] = []
    client.labLost.connect(lost.append)
    client.start_lab()
    try:
        qtbot.waitUntil(lambda: client.lab_python != "", timeout=20_000)
        first = client.pid
        assert first is not None
        client.lab_python = ""
        os.kill(first, signal.SIGKILL)  # the death watch hears it through the sentinel pipe
        qtbot.waitUntil(lambda: bool(lost) and client.lab_python != "", timeout=20_000)
        assert "exit code -9" in lost[0]
        assert client.pid != first
        assert client.lab_python == OTHER.version
    finally:
        client.stop_lab()
