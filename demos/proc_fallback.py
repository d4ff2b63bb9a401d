"""Ending a process tree with the standard library only, for interpreters without psutil.

The lab and the twins may run on another Python (demos.interpreters), where only the standard
library is there. This finds a process's descendants through /proc (Linux); elsewhere only the
direct child is ended, through multiprocessing. The pid of a process found here may be reused
once it has been reaped: each is checked again just before it is signalled.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import signal
import time
from collections.abc import Callable

Escalate = Callable[[multiprocessing.process.BaseProcess, float, float], str | None]
POLL_S = 0.01


def has_psutil() -> bool:
    """True where psutil can be imported (the app's own environment)."""
    return importlib.util.find_spec("psutil") is not None


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) from /proc, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode(errors="replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()  # the name may hold spaces and parentheses
    return int(fields[1]), fields[0]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` now (Linux /proc; [] where there is none)."""
    if not os.path.isdir("/proc"):
        return []
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] not in ("Z", "X")  # zombies are left to their parents


def _is_tracker(pid: int) -> bool:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return b"resource_tracker" in cmdline.read()
    return False


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _wait_gone(pids: list[int], grace_s: float) -> list[int]:
    deadline = time.monotonic() + grace_s
    alive = [p for p in pids if _running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(POLL_S)  # nothing to wait on for a process that is not our child
        alive = [p for p in alive if _running(p)]
    return alive


def end_tree(
    process: multiprocessing.process.BaseProcess,
    escalate: Escalate,
    wait_s: float,
    grace_s: float,
) -> str | None:
    """demos.escalate.end_tree without psutil: the same steps, on pids."""
    below = descendants(process.pid) if process.pid is not None else []
    forced = escalate(process, wait_s, grace_s)
    left = [p for p in below if _running(p)]
    workers = [p for p in left if not _is_tracker(p)]
    for pid in workers:
        _kill(pid)
    alive = _wait_gone(left, grace_s)
    for pid in alive:
        _kill(pid)
    if alive:
        _wait_gone(alive, grace_s)
    return forced or ("killed" if workers or alive else None)


def kill_tree(process: multiprocessing.process.BaseProcess, grace_s: float) -> bool:
    """demos.escalate.kill_tree without psutil: stop it, kill its workers, then it."""
    pid = process.pid
    stop = getattr(signal, "SIGSTOP", None)
    if pid is not None and stop is not None:
        with contextlib.suppress(OSError):
            os.kill(pid, stop)  # it cannot start another worker while we list them
    children = [p for p in descendants(pid) if not _is_tracker(p)] if pid else []
    for child in children:
        _kill(child)
    process.kill()
    process.join(grace_s)
    return not _wait_gone(children, grace_s) and not process.is_alive()
