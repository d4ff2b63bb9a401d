"""Ending a spawned process together with every worker process it started."""

from __future__ import annotations

import contextlib
import multiprocessing

import psutil

KILL_GRACE_S = 1.0


def kill_tree(process: multiprocessing.process.BaseProcess, grace_s: float = KILL_GRACE_S) -> bool:
    """Kill ``process`` and the workers it spawned; True if all ended within ``grace_s``.

    It is suspended first, so it cannot spawn another worker between listing its children
    and killing them. Its resource tracker is left alone: it exits by itself once its
    parent is gone, after freeing the semaphores the run left behind.
    """
    if process.pid is None or not process.is_alive():
        return True
    try:
        parent = psutil.Process(process.pid)
        parent.suspend()
        children = [c for c in parent.children(recursive=True) if not _is_tracker(c)]
    except psutil.Error:
        children, parent = [], None
    for proc in [*children, parent]:
        if proc is not None:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    procs = [p for p in [*children, parent] if p is not None]
    _gone, alive = psutil.wait_procs(procs, grace_s)
    return not alive


def _is_tracker(proc: psutil.Process) -> bool:
    """multiprocessing's resource tracker: it ends by itself once its owner is gone."""
    try:
        return "resource_tracker" in " ".join(proc.cmdline())
    except psutil.Error:
        return False
