"""Fault injection from outside: find a run's worker processes and send them real signals."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil


def is_worker(proc: psutil.Process) -> bool:
    """A spawned worker process (not multiprocessing's resource tracker)."""
    try:
        line = " ".join(proc.cmdline())
    except psutil.Error:
        return False
    return "spawn_main" in line and "resource_tracker" not in line


def workers_of(pid: int) -> list[psutil.Process]:
    """The spawned worker processes below ``pid`` (children, grandchildren), oldest first."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    return [c for c in children if is_worker(c)]


def wait_for_workers(pid: int, count: int, timeout_s: float) -> list[psutil.Process]:
    """Poll until ``count`` workers run below ``pid``; raises on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = workers_of(pid)
        if len(found) >= count:
            return found
        time.sleep(0.005)
    raise TimeoutError(f"{count} workers below pid {pid} did not appear in {timeout_s} s")


def send(proc: psutil.Process, sig: int) -> None:
    """``os.kill`` a process that may already have ended."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, sig)


def kill(proc: psutil.Process) -> None:
    """SIGKILL: nothing the process does can catch it."""
    send(proc, signal.SIGKILL)


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below ``pid``, resource tracker included."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def still_there(pids: list[int]) -> list[int]:
    """Those of ``pids`` that still exist and are not zombies."""
    left = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.NoSuchProcess:
            continue
    return left
