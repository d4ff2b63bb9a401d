"""What this operating system offers the lessons, asked in one place.

Linux has all of it. Elsewhere a lesson goes without the part that needs the missing feature and
says so in a line of its own; everything else works. Callers look these up at call time
(``platform_support.has_proc()``, not an imported copy), so a test can take a feature away by
monkeypatching the function here or the ``os`` function it looks for.

- ``/proc`` (Linux): kernel thread states, the kernel's names for threads, fast per-thread CPU.
  macOS and Windows have none; psutil still gives CPU times where the OS lets it.
- CPU affinity (``os.sched_setaffinity``: Linux, BSD): pinning workers to one core. macOS and
  Windows Python have no such function.
- Start methods: the app starts every process with ``spawn``, which every OS has; ``fork`` is
  missing on Windows and is not the default on macOS.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

PROC_MISSING = "<code>/proc</code>, which only Linux provides"
AFFINITY_MISSING = "<code>os.sched_setaffinity</code>, which this operating system does not provide"


def has_proc() -> bool:
    """True where per-thread entries of ``/proc`` can be read (Linux)."""
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self/task")


def has_affinity() -> bool:
    """True where a thread or process can pin itself to CPUs (``os.sched_setaffinity``)."""
    return hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")


def start_methods() -> list[str]:
    """The multiprocessing start methods this platform has, its default first."""
    return list(multiprocessing.get_all_start_methods())


def default_start_method() -> str:
    """What ``multiprocessing`` would use here if no one chose (fork on Linux, else spawn)."""
    methods = start_methods()
    return methods[0] if methods else "spawn"


def has_fork() -> bool:
    """True where ``fork`` is a start method (not on Windows)."""
    return "fork" in start_methods()


def usable_cores() -> int:
    """CPUs this process may run on: its affinity where the OS keeps one, else every CPU."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def summary() -> dict[str, object]:
    """Every check at once: for ``--self-test`` reports and bug reports."""
    return {
        "platform": sys.platform,
        "proc": has_proc(),
        "affinity": has_affinity(),
        "start_methods": start_methods(),
        "usable_cores": usable_cores(),
    }
