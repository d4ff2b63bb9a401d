"""Runs the GIL-or-not twin once per chosen Python, one after another, in a QProcess each:
``python -m demos.gil_or_not ... --json --python PATH``. Nothing here blocks the GUI: output is
read as it comes, and each run's last JSON line is its result. ``cancel`` ends the twin and every
process below it (the twin on the other Python, and its worker processes).
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any

import psutil
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from demos.interpreters import Interpreter, child_env

KILL_GRACE_S = 1.0


def command(interp: Interpreter, params: dict[str, Any]) -> list[str]:
    """The twin's words for one interpreter (``--python`` for every one but the app's own)."""
    words = [
        "-m",
        "demos.gil_or_not",
        "--workers",
        str(params["workers"]),
        "--total-ms",
        str(params["total_ms"]),
        "--data-kb",
        str(params["data_kb"]),
        "--json",
    ]
    return words if interp.running else [*words, "--python", interp.executable]


def end_tree(process: QProcess) -> None:
    """Kill ``process`` and everything below it, and wait (bounded) until they are gone.

    Each is stopped (SIGSTOP) before its children are listed, so none can start another one
    between the listing and the kill: such a child would be left behind, an orphan.
    """
    tree: list[psutil.Process] = []
    with contextlib.suppress(psutil.Error, ValueError):
        todo = [psutil.Process(process.processId())]
        while todo:
            proc = todo.pop()
            with contextlib.suppress(psutil.Error):
                if hasattr(proc, "suspend") and sys.platform != "win32":
                    proc.suspend()
                tree.append(proc)
                todo += proc.children()
    for proc in tree:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    process.kill()
    psutil.wait_procs(tree, KILL_GRACE_S)
    process.waitForFinished(int(KILL_GRACE_S * 1000))


class TwinQueue(QObject):
    """The runs still to do; one QProcess at a time."""

    line = Signal(str)  # a line of the running twin's output
    started_one = Signal(object)  # the Interpreter now measured
    finished_one = Signal(object, object, str)  # Interpreter, result dict or None, error text
    finished_all = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._todo: list[Interpreter] = []
        self._params: dict[str, Any] = {}
        self._process: QProcess | None = None
        self._current: Interpreter | None = None
        self._partial = b""
        self._lines: list[str] = []

    @property
    def running(self) -> bool:
        """True until the last run has ended (or Cancel)."""
        return self._process is not None or bool(self._todo)

    def start(self, interpreters: list[Interpreter], params: dict[str, Any]) -> None:
        """Measure on each interpreter in turn."""
        self.cancel()
        self._todo = list(interpreters)
        self._params = dict(params)
        self._next()

    def _next(self) -> None:
        if not self._todo:
            self.finished_all.emit()
            return
        interp = self._todo.pop(0)
        process = QProcess(self)
        env = QProcessEnvironment()
        for key, value in child_env(interp.env).items():  # PYTHON_GIL of a free-threaded build
            env.insert(key, value)
        process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._done)
        process.errorOccurred.connect(self._error)
        self._process, self._current = process, interp
        self._partial, self._lines = b"", []
        self.started_one.emit(interp)
        process.start(sys.executable, command(interp, self._params))

    def _read(self) -> None:
        if self._process is None:
            return
        data = self._partial + bytes(self._process.readAllStandardOutput().data())
        *complete, self._partial = data.split(b"\n")
        for raw in complete:
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            self._lines.append(text)
            if not text.startswith("{"):
                self.line.emit(text)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            self._done(-1, QProcess.ExitStatus.CrashExit)

    def _done(self, code: int, _status: QProcess.ExitStatus) -> None:
        process, interp = self._process, self._current
        if process is None or interp is None:
            return
        self._read()
        errors = bytes(process.readAllStandardError().data()).decode("utf-8", "replace")
        self._process = self._current = None
        process.deleteLater()
        result: dict[str, Any] | None = None
        with contextlib.suppress(ValueError, IndexError):
            last = json.loads(self._lines[-1])
            result = last if isinstance(last, dict) and "exit_reason" not in last else None
        why = ""
        if result is None:
            lines = [ln for ln in errors.splitlines() if ln.strip()]
            why = lines[-1] if lines else f"exit code {code}"
        self.finished_one.emit(interp, result, why)
        self._next()

    def cancel(self) -> bool:
        """Stop the running twin and its children; forget the rest. True if one was stopped."""
        self._todo = []
        process = self._process
        if process is None:
            return False
        self._process = self._current = None
        process.finished.disconnect(self._done)
        end_tree(process)
        process.deleteLater()
        return True
