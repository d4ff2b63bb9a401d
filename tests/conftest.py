"""Shared fixtures: temporary settings, a qasync loop for GUI tests, and a leak check after every
test (threads, every process the test started with their children, running QTimers, visible
windows, pending asyncio tasks)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Iterator

import leaks
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# For threads and processes to end on their own (the leak check's self-test shortens it).
LEAK_GRACE_S = float(os.environ.get("CONCURRENCY_LAB_LEAK_GRACE_S", "5.0"))
QT_GRACE_S = 3.0  # for timers to stop once the windows close (a run has a 1 s tail)
TASK_GRACE_S = 2.0  # for the qasync loop's tasks to finish
NO_SUBREAPER = leaks.become_subreaper()
RECORDER = leaks.ChildRecorder()
pytest_plugins = ["pytester"]  # tests/test_leak_check.py runs the leak check on small test files


def _leak_check_note() -> str:
    if NO_SUBREAPER is None:
        return "leak check: pytest adopts orphaned descendants (PR_SET_CHILD_SUBREAPER)"
    return f"leak check: {NO_SUBREAPER}; orphans are found only if sampled while still ours"


def pytest_report_header() -> str:
    return _leak_check_note()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Said once per run, even with -q: orphans whose parent died before the sampler saw them
    # go unnoticed where this process cannot adopt them.
    if NO_SUBREAPER is not None:
        terminalreporter.write_line(_leak_check_note())


def _shared_resource_tracker() -> int | None:
    """The resource tracker multiprocessing starts for *this* process on its first spawn.

    It is one per process for the whole session (a module-level singleton that lives until
    pytest exits), so it is not a leak of the test that happened to start it. A lab's tracker
    is the lab's child and ends with the lab, so it gets no exemption.
    """
    from multiprocessing import resource_tracker

    return getattr(resource_tracker._resource_tracker, "_pid", None)


def _left_processes_and_threads(before: set[threading.Thread]) -> list[str]:
    """Wait up to LEAK_GRACE_S for the test's threads and processes to end; kill what is left."""
    deadline = time.monotonic() + LEAK_GRACE_S
    while True:
        threads = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        started = RECORDER.started()
        tracker = _shared_resource_tracker()
        procs = [p for p in started if p.pid != tracker and leaks.alive(p)]
        if (not threads and not procs) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for proc in procs:
        leaks.kill(proc)  # the next test starts clean
    end = time.monotonic() + LEAK_GRACE_S
    while any(leaks.alive(p) for p in procs) and time.monotonic() < end:
        time.sleep(0.02)
    leaks.reap_orphans(started)
    return [f"thread {t.name}" for t in threads] + [
        f"pid {p.pid} {p.name} (started by pid {p.first_parent})" for p in procs
    ]


def _qt_leftovers(heap: bool) -> list[str]:
    """Windows still shown and QTimers still running after the test's widgets were closed
    (pytest-qt closes the widgets given to qtbot before fixtures are torn down)."""
    if "PySide6.QtWidgets" not in sys.modules:
        return []
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return []
    windows = leaks.visible_windows()
    leaks.close_windows()
    timers = leaks.settle_qt(time.monotonic() + QT_GRACE_S, lambda: leaks.running_timers(heap))
    if timers:
        leaks.stop_timers()
    return windows + timers


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a thread, a process (child, grandchild, orphan), a running QTimer
    or a visible window behind; the processes are killed and the timers stopped first."""
    RECORDER.begin()
    before = set(threading.enumerate())
    yield
    # The whole heap is searched for timers after the tests that had Qt (the rest cannot have
    # started one); widgets' own timers are checked after every test.
    left = _qt_leftovers("qapp" in request.fixturenames) + _left_processes_and_threads(before)
    if left:
        pytest.fail(f"left behind: {left}")


@pytest.fixture(autouse=True, scope="session")
def temporary_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point QSettings at a temporary folder so tests never touch the user's settings."""
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName("Concurrency Lab Tests")
    QCoreApplication.setApplicationName("Concurrency Lab Tests")


@pytest.fixture(autouse=True)
def fresh_settings(temporary_settings: None) -> None:
    """Every test starts from the app's defaults. Tests are spread over two workers in no
    fixed order, so a setting one test leaves behind must not decide how another one runs."""
    from PySide6.QtCore import QSettings

    settings = QSettings()
    settings.clear()
    settings.sync()


_LOOP = []


@pytest.fixture
def qloop(qapp):  # noqa: ANN001 - pytest-qt's fixture
    """A qasync loop marked running, so the window's coroutines run while qtbot waits.

    One loop serves the whole session; it is marked running only during tests that ask for it,
    so tests using asyncio.run() elsewhere still work.
    """
    import qasync

    if not _LOOP:
        _LOOP.append(qasync.QEventLoop(qapp, already_running=True))
    loop = _LOOP[0]
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
        pending = _settle_tasks(loop)
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
    if pending:
        pytest.fail(f"asyncio tasks still pending: {pending}")


def _settle_tasks(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Let the loop finish its tasks for up to TASK_GRACE_S; cancel and name what is left."""
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + TASK_GRACE_S
    while (pending := asyncio.all_tasks(loop)) and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    names = sorted(repr(task.get_coro()) for task in pending)
    for task in pending:
        task.cancel()
    end = time.monotonic() + TASK_GRACE_S
    while asyncio.all_tasks(loop) and time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return names


@pytest.fixture
def challenge_page(qtbot, qloop):  # noqa: ANN001
    """Open a page of the Challenges tab in a window with a live lab: ``open(name)`` returns
    (window, tab, page). Afterwards the window shows the first page and tab again (the window
    remembers them for the next test) and closes."""
    from app.lessons.challenges import ChallengesTab
    from app.main_window import MainWindow

    opened = []

    def open_page(name: str):  # noqa: ANN202
        win = MainWindow()
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
        win.tabs.setCurrentIndex(win.lessons.titles.index(ChallengesTab.title))
        tab = win.current_lesson()
        assert isinstance(tab, ChallengesTab)
        tab.challenge.setCurrentIndex(tab.challenge.findText(name))
        assert tab.page.name == name
        opened.append((win, tab))
        return win, tab, tab.page

    yield open_page
    for win, tab in opened:
        tab.challenge.setCurrentIndex(0)
        win.tabs.setCurrentIndex(0)
        win.close()


def _open_window(qtbot, start_lab: bool):  # noqa: ANN001, ANN202
    from app.main_window import MainWindow

    win = MainWindow(start_lab=start_lab)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    if start_lab:
        qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    return win


def _close_window(win) -> None:  # noqa: ANN001
    win.close()
    # Closing saved the tab on screen: the next test's window opens on the first lesson again.
    win.settings.setValue("window/last_lesson", "process_thread")
    # And on the first Challenges page: a test that opened another (--lesson deadlock) left it
    # remembered for whichever test ran next in the same worker.
    win.settings.setValue("challenges/page", 0)
    win.settings.sync()


@pytest.fixture
def plain_window(qtbot, qloop):  # noqa: ANN001
    """A shown main window without a lab (lessons that need no workers, launch options)."""
    win = _open_window(qtbot, start_lab=False)
    yield win
    _close_window(win)


@pytest.fixture
def lab_window(qtbot, qloop):  # noqa: ANN001
    """A shown main window whose lab process is up."""
    win = _open_window(qtbot, start_lab=True)
    yield win
    _close_window(win)


@pytest.fixture
def lab(qtbot, qloop):  # noqa: ANN001 - pytest-qt's fixtures
    """A lab process of its own (a LabClient with a fresh store), up, stopped at the end."""
    from app.lab_client import LabClient
    from demos.intervals import IntervalStore

    client = LabClient(IntervalStore())
    client.start_lab()
    qtbot.waitUntil(lambda: client.is_alive(), timeout=20_000)
    yield client
    client.stop_lab()
