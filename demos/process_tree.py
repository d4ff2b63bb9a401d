"""A snapshot of what is running: a process, its threads, and its child processes, recursively.

Pure psutil, no Qt: the Program, process and thread tab draws it as a tree, and tests check it.
Reading one process's threads costs well under a millisecond, so a refresh twice a second is
cheap. Any process may end between two reads: it is then simply left out. Where the OS will not
show a process's threads to another process (macOS, unless root), the process is still listed,
with ``threads_readable`` False.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import psutil

from demos import platform_support

# NoSuchProcess, ZombieProcess and AccessDenied, plus a /proc entry vanishing mid-read.
_GONE = (psutil.Error, OSError)
MAX_DEPTH = 4  # GUI -> lab -> worker -> its children is as deep as the app goes
MB = 1024 * 1024


@dataclass
class ThreadInfo:
    """One thread: its native id, a name where one is known, and its CPU seconds."""

    tid: int
    name: str
    cpu_s: float


@dataclass
class ProcessInfo:
    """One process: pid, name, CPU seconds, memory, its threads and its children."""

    pid: int
    name: str
    cpu_s: float
    rss_mb: float
    threads: list[ThreadInfo] = field(default_factory=list)
    children: list[ProcessInfo] = field(default_factory=list)
    threads_readable: bool = True  # False: the OS refused to list them (access denied)

    def walk(self) -> list[ProcessInfo]:
        """This process and every descendant, parents first."""
        found = [self]
        for child in self.children:
            found += child.walk()
        return found


def os_thread_name(pid: int, tid: int) -> str:
    """The kernel's name for a thread (Linux ``comm``), or "" where there is none.

    Qt names its own threads this way; Python 3.11 does not, so most Python threads show the
    program's name here and the caller prefers the names the lessons report.
    """
    if not platform_support.has_proc():
        return ""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/comm") as comm:
        return comm.read().strip()
    return ""


def _describe(proc: psutil.Process, names: dict[int, str]) -> str:
    if proc.pid in names:
        return names[proc.pid]
    with contextlib.suppress(*_GONE):
        if "resource_tracker" in " ".join(proc.cmdline()):
            return "resource tracker"
    return proc.name()


def _threads(proc: psutil.Process, info: ProcessInfo) -> list[Any]:  # psutil's pthread tuples
    """``proc``'s threads; [] and ``info.threads_readable = False`` where the OS says no."""
    try:
        return list(proc.threads())
    except psutil.AccessDenied:  # macOS: only root may list another process's threads
        info.threads_readable = False
        return []


def snapshot(
    pid: int,
    names: dict[int, str] | None = None,
    process_names: dict[int, str] | None = None,
    depth: int = 0,
) -> ProcessInfo | None:
    """The process ``pid`` with its threads and children; None if it has gone.

    ``names`` maps native thread ids to names (from the lessons' lanes or ``threading``);
    ``process_names`` maps pids to names ("GUI process", a worker's lane name).
    """
    names = names or {}
    process_names = process_names or {}
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            cpu = proc.cpu_times()
            info = ProcessInfo(
                pid,
                _describe(proc, process_names),
                cpu.user + cpu.system,
                proc.memory_info().rss / MB,
            )
            program = proc.name()
            for thread in _threads(proc, info):
                name = names.get(thread.id) or os_thread_name(pid, thread.id)
                if thread.id == pid and thread.id not in names:
                    name = "main thread"  # on Linux the first thread's id is the pid
                elif name == program:
                    name = ""  # the kernel only repeated the program's name: not a real name
                info.threads.append(
                    ThreadInfo(thread.id, name, thread.user_time + thread.system_time)
                )
            children = proc.children() if depth < MAX_DEPTH else []
    except _GONE:
        return None
    for child in children:
        node = snapshot(child.pid, names, process_names, depth + 1)
        if node is not None:
            info.children.append(node)
    return info
