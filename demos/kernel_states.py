"""The operating system's view of threads: each thread's kernel state letter (R, S, D...),
read from ``/proc/<pid>/task/<tid>/stat`` on Linux, and what each letter means.

The thread-states lesson shows these beside its own labels: Python's ``threading.Thread`` has no
state of its own beyond ``is_alive()``.
"""

from __future__ import annotations

import os

from demos import platform_support

# Kernel state letters (see proc(5)); R covers both "on a CPU" and "runnable, queued for one".
KERNEL_STATE_MEANINGS = {
    "R": "running or runnable",
    "S": "sleeping (interruptible wait)",
    "D": "disk sleep (uninterruptible wait)",
    "T": "stopped by a signal",
    "t": "stopped by a debugger",
    "Z": "zombie (ended, not yet reaped)",
    "X": "dead",
    "I": "idle kernel thread",
    "P": "parked",
    "W": "waking / paging",
    "K": "wakekill",
}


def available() -> bool:
    """True where per-thread kernel states can be read (Linux with /proc)."""
    return platform_support.has_proc()


def kernel_states(pid: int) -> dict[int, str]:
    """Each thread of ``pid``: native thread id -> kernel state letter; {} where unavailable."""
    if not available():
        return {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}  # the process is gone
    states: dict[int, str] = {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue  # the thread ended between listing and reading
        # The name field sits in parentheses and may itself hold ")" or spaces: the state is
        # the first field after the last ")".
        close = data.rfind(b")")
        if close >= 0 and len(data) > close + 2:
            states[int(tid)] = chr(data[close + 2])
    return states


def kernel_state_meaning(letter: str) -> str:
    """A few words for a kernel state letter."""
    return KERNEL_STATE_MEANINGS.get(letter, "unknown")
