"""The lab process on another Python: multiprocessing's Process, started by subprocess.

multiprocessing's spawn runs children on one executable for the whole GUI and hands them the
GUI's sys.path (our venv's packages included). For another interpreter the lab is instead started
as ``PYTHON -m demos.lab_boot`` with a clean environment (demos.interpreters.child_env), and its
handles (command pipe, event socket, flags and ring in shared memory) cross the way spawn sends
them: pickled with multiprocessing's own reductions, the file descriptors inherited at the same
numbers. The result is a ``BaseProcess`` (join, is_alive, terminate, kill, sentinel), so the
client, its death watch and demos.escalate treat it like the spawned lab. POSIX only: Windows
hands handles over differently, and there the lab stays on the app's interpreter.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
from collections.abc import Callable
from multiprocessing import context, process, reduction
from typing import Any

from demos.interpreters import Interpreter, child_env
from demos.other_python import REPO

SPAWN = multiprocessing.get_context("spawn")
SUPPORTED = os.name == "posix"


class _Handover:
    """Stands in for spawn's Popen while the handles are pickled: notes each descriptor."""

    def __init__(self) -> None:
        self.fds: list[int] = []

    def duplicate_for_child(self, fd: int) -> int:
        self.fds.append(fd)
        return fd  # inherited at the same number

    @staticmethod
    def DupFd(fd: int) -> Any:  # noqa: N802 - the name multiprocessing calls
        from multiprocessing.popen_spawn_posix import _DupFd

        return _DupFd(fd)


class _Popen:
    """What BaseProcess needs of a Popen (poll, wait, terminate, kill, close, sentinel)."""

    def __init__(self, python: Interpreter, args: tuple[Any, ...]) -> None:
        handover = _Handover()
        context.set_spawning_popen(handover)  # type: ignore[arg-type]
        try:
            payload = reduction.ForkingPickler.dumps(args)
        finally:
            context.set_spawning_popen(None)
        # The sentinel: the write end lives in the lab only, so the read end hears EOF at its end.
        self.sentinel, child_end = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [python.executable, "-m", "demos.lab_boot"],
                stdin=subprocess.PIPE,
                pass_fds=[*handover.fds, child_end],
                env=child_env(python.env, pythonpath=REPO),
            )
        finally:
            os.close(child_end)
        self.pid = self._proc.pid
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died at once: the sentinel says so
            self._proc.stdin.write(bytes(payload))
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def poll(self, flag: int = 0) -> int | None:
        return self._proc.poll()

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.terminate()

    def kill(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()

    def close(self) -> None:
        if self.sentinel >= 0:
            os.close(self.sentinel)
            self.sentinel = -1


class ForeignLab(process.BaseProcess):
    """The lab process on ``python``; started by :meth:`start` like any Process."""

    def __init__(self, python: Interpreter, args: tuple[Any, ...]) -> None:
        super().__init__(name="concurrency-lab", args=args)
        self.python = python

    def start(self) -> None:
        """Start ``python -m demos.lab_boot`` and hand it the lab's handles."""
        popen = _Popen(self.python, self._args)  # type: ignore[attr-defined]
        self._popen = popen
        self._sentinel = popen.sentinel
        process._children.add(self)  # type: ignore[attr-defined]  # active_children() lists it


def lab_process(
    target: Callable[..., None], args: tuple[Any, ...], python: Interpreter | None
) -> process.BaseProcess:
    """The lab's process: spawned as before on the app's Python, else a :class:`ForeignLab`.

    Not a daemon either way: the lab starts worker processes of its own. It still never outlives
    the GUI: it quits when the command pipe closes, and the client's stop escalates.
    """
    if python is None or python.running or not SUPPORTED:
        return SPAWN.Process(target=target, args=args, name="concurrency-lab", daemon=False)
    return ForeignLab(python, args)
