"""Run one program unmodified in a child process: ``sys.executable path/to/file.py``.

Each printed line arrives with the time since the start, a deadline stops a program that runs
too long (terminate, then kill, its children too), and the report holds the wall time and the
exit code. The child's environment only adds ``PYTHONUNBUFFERED=1``: through a pipe Python
would otherwise hold prints back until the program ends, and the lines would not stream.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

STOP_GRACE_S = 0.5  # after terminate, and again after kill
READER_JOIN_S = 2.0  # the pipe closes when the child ends; this only guards a stray holder


@dataclass(frozen=True)
class Line:
    """One printed line and when it arrived, in seconds since the program started."""

    t_s: float
    text: str


@dataclass
class RunReport:
    """How one run went."""

    path: str
    exit_code: int | None  # None only if the child could not be reaped
    wall_s: float
    deadline_s: float
    stopped: str = ""  # "terminated" or "killed" when the deadline ended it; "" otherwise
    lines: list[Line] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        """Ended by itself, in time, with exit code 0."""
        return not self.stopped and self.exit_code == 0


def command(path: Path | str) -> list[str]:
    """The command line: this interpreter and the file, nothing else."""
    return [sys.executable, str(path)]


def child_env() -> dict[str, str]:
    """The environment of the child: ours, with unbuffered output (see the module's note)."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def run(
    path: Path | str,
    deadline_s: float,
    on_line: Callable[[Line], None] | None = None,
) -> RunReport:
    """Run ``path`` to its end or its deadline; ``on_line`` hears each line as it comes."""
    lines: queue.Queue[str | None] = queue.Queue()
    start = time.perf_counter()
    child = subprocess.Popen(
        command(path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=child_env(),
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert child.stdout is not None
    reader = threading.Thread(
        target=_read, args=(child.stdout, lines), name="snippet-reader", daemon=True
    )
    reader.start()
    report = RunReport(str(path), None, 0.0, deadline_s)
    end = start + deadline_s
    while True:
        try:
            text = lines.get(timeout=max(0.0, end - time.perf_counter()))
        except queue.Empty:
            report.stopped = stop(child)
            break
        if text is None:  # the pipe closed: the program ended (or closed its output)
            break
        line = Line(time.perf_counter() - start, text)
        report.lines.append(line)
        if on_line is not None:
            on_line(line)
    if not report.stopped:
        try:
            child.wait(max(0.0, end - time.perf_counter()))
        except subprocess.TimeoutExpired:
            report.stopped = stop(child)
    report.wall_s = time.perf_counter() - start
    report.exit_code = child.returncode
    reader.join(READER_JOIN_S)
    if not reader.is_alive():  # else a process we could not end still holds the pipe: closing
        child.stdout.close()  # it would wait for the blocked reader for ever
    return report


def _read(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    try:
        for text in stream:
            lines.put(text.rstrip("\r\n"))
    except (OSError, ValueError):
        pass  # the pipe was closed under us: the run is over either way
    finally:
        lines.put(None)


def stop(child: subprocess.Popen[str]) -> str:
    """Terminate, then kill, ``child`` and every process below it; says what it took."""
    try:
        below = psutil.Process(child.pid).children(recursive=True)
    except psutil.Error:
        below = []
    how = "terminated"
    child.terminate()
    try:
        child.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        how = "killed"
        child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(STOP_GRACE_S)
    for proc in below:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(below, STOP_GRACE_S)
    return how
