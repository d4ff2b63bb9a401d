"""What a test leaves behind: child processes (grandchildren too, orphans included), running
QTimers and visible windows. conftest.py's fixtures call these; tests/test_leak_check.py checks
that they catch each kind of leak."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
SAMPLE_S = 0.1  # how often the sampler walks the tree of descendants
ME = os.getpid()


def become_subreaper() -> str | None:
    """Make this process adopt its orphaned descendants (Linux). Returns why not, or None.

    Without it, a grandchild whose parent (e.g. the lab) was killed is re-parented to init and
    drops out of ``children(recursive=True)``: the leak check could not see it.
    """
    if not sys.platform.startswith("linux"):
        return f"no PR_SET_CHILD_SUBREAPER on {sys.platform}"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            return f"prctl failed: {os.strerror(ctypes.get_errno())}"
    except (OSError, AttributeError) as error:
        return f"prctl unavailable: {error}"
    return None


def _children_of(pid: int) -> list[int]:
    """Direct children of ``pid``: /proc's per-thread lists on Linux (a few small reads,
    not a scan of every process on the machine), psutil elsewhere."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        tasks = []
    found: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found.extend(int(p) for p in f.read().split())
        except OSError:
            continue
    if tasks:
        return found
    try:
        return [p.pid for p in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def descendants() -> dict[int, int]:
    """Every living (or zombie) descendant of this process: pid -> parent pid."""
    tree: dict[int, int] = {}
    todo = [ME]
    while todo:
        parent = todo.pop()
        for child in _children_of(parent):
            if child not in tree:
                tree[child] = parent
                todo.append(child)
    return tree


@dataclass
class Seen:
    """A descendant as first seen: enough to recognise it later (pids are reused)."""

    pid: int
    created: float
    first_parent: int
    name: str


def _identify(pid: int, parent: int) -> Seen | None:
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            return Seen(pid, proc.create_time(), parent, proc.name())
    except psutil.Error:
        return None


class ChildRecorder:
    """Records every process that descends from this one while a test runs.

    A background thread walks the tree every SAMPLE_S, so a grandchild is recorded even if its
    parent dies and it is orphaned before the test ends (and, without a subreaper, re-parented
    out of our tree).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._before: set[tuple[int, float]] = set()
        self._seen: dict[int, Seen] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> None:
        """Start recording: what runs now belongs to earlier tests or the session."""
        with self._lock:
            self._seen = {}
            self._before = {
                (s.pid, s.created)
                for pid, parent in descendants().items()
                if (s := _identify(pid, parent))
            }
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="leak-sampler", daemon=True)
            self._thread.start()

    def sample(self) -> None:
        tree = descendants()
        with self._lock:
            for pid, parent in tree.items():
                known = self._seen.get(pid)
                if known is not None and _same(known):
                    continue
                seen = _identify(pid, parent)
                if seen is not None and (seen.pid, seen.created) not in self._before:
                    self._seen[pid] = seen
            seen_now = list(self._seen.values())
        # A subreaper must reap what it adopted, or the orphans' zombies pile up under pytest.
        reap_orphans(seen_now, tree)

    def _loop(self) -> None:
        while True:
            self._wake.wait(SAMPLE_S)
            with contextlib.suppress(Exception):  # a sample racing an exit: the next one sees it
                self.sample()

    def started(self) -> list[Seen]:
        """Every process started during the test (and seen), alive or not."""
        self.sample()
        with self._lock:
            return list(self._seen.values())


def _same(seen: Seen) -> bool:
    try:
        return psutil.Process(seen.pid).create_time() == seen.created
    except psutil.Error:
        return False


def alive(seen: Seen) -> bool:
    """Still running (a zombie has ended: it only waits for its parent to read its status)."""
    try:
        proc = psutil.Process(seen.pid)
        return proc.create_time() == seen.created and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def reap_orphans(started: list[Seen], tree: dict[int, int] | None = None) -> None:
    """Collect the exit status of orphans this process adopted as subreaper.

    Only orphans: a pid we started ourselves is waited for by its owner (subprocess,
    multiprocessing), and reaping it here would rob that owner of its exit status.
    """
    tree = descendants() if tree is None else tree
    for seen in started:
        if seen.first_parent != ME and tree.get(seen.pid) == ME and _same(seen):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(seen.pid, os.WNOHANG)


def kill(seen: Seen) -> None:
    with contextlib.suppress(psutil.Error):
        proc = psutil.Process(seen.pid)
        if proc.create_time() == seen.created:
            proc.kill()


# ----------------------------------------------------------------------------------- Qt
def _active_timers(heap: bool = True) -> list[QTimer]:
    """Python-visible QTimers still active (``heap``: the whole heap is searched, some tens of
    ms late in a session), and active timers owned by living widgets (Qt's own, e.g. a status
    bar message's timeout, are reached through their widget)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    found: dict[int, QTimer] = (
        {id(o): o for o in gc.get_objects() if type(o) is QTimer} if heap else {}
    )
    app = QApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            for timer in widget.findChildren(QTimer):
                found[id(timer)] = timer
    return [t for t in found.values() if isValid(t) and t.isActive()]


def running_timers(heap: bool = True) -> list[str]:
    """Each running QTimer, described."""
    described = []
    for timer in _active_timers(heap):
        owner = timer.parent()
        where = type(owner).__name__ if owner is not None else "no parent"
        described.append(f"QTimer every {timer.interval()} ms ({where})")
    return described


def stop_timers() -> None:
    for timer in _active_timers():
        timer.stop()


def visible_windows() -> list[str]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return []
    return [
        f"visible {type(w).__name__} {w.windowTitle()!r}"
        for w in app.topLevelWidgets()
        if w.isVisible()
    ]


def close_windows() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            if widget.isVisible():
                widget.close()


def settle_qt(deadline: float, problems: Callable[[], list[str]]) -> list[str]:
    """Let Qt process events until ``problems()`` is empty or the deadline passes."""
    from PySide6.QtCore import QCoreApplication, QEvent

    found = problems()
    while found and time.monotonic() < deadline:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
        time.sleep(0.01)
        found = problems()
    return found


def living_descendants() -> list[psutil.Process]:
    """This process's living descendants but resource trackers (a process may end while being
    looked at)."""
    living = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                p.cmdline()
            ):
                living.append(p)
        except psutil.Error:
            continue
    return living
