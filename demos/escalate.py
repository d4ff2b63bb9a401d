"""Ending a child process within deadlines: ask, then terminate, then kill. One helper for all.

The lab, its worker processes, the "When to use what" measurement and the lessons' own child
processes all end through here, so every stop has a deadline and says what it had to force.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from typing import TYPE_CHECKING

from demos import proc_fallback

if TYPE_CHECKING:
    import psutil

KILL_GRACE_S = 0.5  # after terminate(), and again after kill()


def escalate(
    process: multiprocessing.process.BaseProcess,
    wait_s: float = 0.0,
    grace_s: float = KILL_GRACE_S,
) -> str | None:
    """Wait up to ``wait_s`` for ``process`` to end, then terminate it, then kill it.

    Returns None if it ended by itself, else "terminated" or "killed" (what it took); at worst
    it blocks ``wait_s + 2 * grace_s``.
    """
    if process.pid is None:
        return None  # never started
    process.join(wait_s)
    if not process.is_alive():
        return None
    process.terminate()
    _continue(process.pid)  # a stopped (SIGSTOP) process hears SIGTERM only once continued
    process.join(grace_s)
    if not process.is_alive():
        return "terminated"
    process.kill()
    process.join(grace_s)
    return "killed"


def end_tree(
    process: multiprocessing.process.BaseProcess,
    wait_s: float = 0.0,
    grace_s: float = KILL_GRACE_S,
) -> str | None:
    """:func:`escalate` for a process that has children: every process below it when this was
    called and still there once it has ended (orphaned, stopped, grandchildren) is killed too.

    A resource tracker among them is given ``grace_s`` to free what the run left behind and
    leave by itself (it does once no process holds its pipe), then killed. Returns what
    :func:`escalate` returns, or "killed" if anything below had to be.
    """
    if process.pid is None:
        return None
    if not proc_fallback.has_psutil():  # another interpreter, standard library only
        return proc_fallback.end_tree(process, escalate, wait_s, grace_s)
    import psutil

    below = _descendants(process.pid)
    forced = escalate(process, wait_s, grace_s)
    leftovers = _still_there(below)
    workers = [p for p in leftovers if not _is_tracker(p)]
    for proc in workers:
        with contextlib.suppress(psutil.Error):
            proc.kill()  # SIGKILL ends a stopped process too
    _gone, alive = psutil.wait_procs(leftovers, grace_s)
    for proc in alive:  # a tracker that did not leave by itself
        with contextlib.suppress(psutil.Error):
            proc.kill()
    if alive:
        psutil.wait_procs(alive, grace_s)
    return forced or ("killed" if workers or alive else None)


def _descendants(pid: int) -> list[psutil.Process]:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _still_there(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``procs`` still running (psutil checks the pid was not reused); zombies are
    left to their parents."""
    import psutil

    left = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
    return left


def _continue(pid: int | None) -> None:
    """SIGCONT, where there is one (not on Windows, where terminate() needs none)."""
    cont = getattr(signal, "SIGCONT", None)
    if pid is not None and cont is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, cont)


def kill_tree(process: multiprocessing.process.BaseProcess, grace_s: float = 1.0) -> bool:
    """Kill ``process`` and the worker processes it started; True if all ended within ``grace_s``.

    It is suspended first, so it cannot start another worker between listing its children and
    killing them. Its resource tracker is left alone: it exits by itself once its parent is
    gone, after freeing the semaphores the run left behind.
    """
    if process.pid is None or not process.is_alive():
        return True
    if not proc_fallback.has_psutil():
        return proc_fallback.kill_tree(process, grace_s)
    import psutil

    try:
        parent = psutil.Process(process.pid)
        parent.suspend()
        children = [c for c in parent.children(recursive=True) if not _is_tracker(c)]
    except psutil.Error:
        children = []
    for proc in children:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    # The process itself through multiprocessing, which then reaps it (psutil's wait would
    # reap it behind multiprocessing's back, and is_alive() would say True for ever).
    process.kill()
    process.join(grace_s)
    _gone, alive = psutil.wait_procs(children, grace_s)
    return not alive and not process.is_alive()


def _is_tracker(proc: psutil.Process) -> bool:
    """multiprocessing's resource tracker: it ends by itself once its owner is gone."""
    import psutil

    try:
        return "resource_tracker" in " ".join(proc.cmdline())
    except psutil.Error:
        return False
