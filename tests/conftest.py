"""Shared fixtures: temporary settings, a qasync loop for GUI tests, and a leak check after every
test (threads, child processes)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
LEAK_GRACE_S = 5.0


def _is_resource_tracker(proc: psutil.Process) -> bool:
    # multiprocessing's spawn start method keeps one resource tracker for the whole session.
    try:
        return "resource_tracker" in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return True


def _children() -> list[psutil.Process]:
    me = psutil.Process()
    return [p for p in me.children(recursive=True) if not _is_resource_tracker(p)]


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail a test that leaves a thread or a child process running (after a grace period)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + LEAK_GRACE_S
    while True:
        threads = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        children = [p for p in _children() if p.is_running() and p.status() != "zombie"]
        if not threads and not children:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for child in children:
        child.kill()
    names = [t.name for t in threads] + [f"pid {p.pid} {p.name()}" for p in children]
    pytest.fail(f"left behind: {names}")


@pytest.fixture(autouse=True, scope="session")
def temporary_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point QSettings at a temporary folder so tests never touch the user's settings."""
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName("Concurrency Lab Tests")
    QCoreApplication.setApplicationName("Concurrency Lab Tests")


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
    yield loop
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


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
