"""The console pane: runs one deck program unmodified and streams what it prints.

The child is a QProcess (``sys.executable path/to/file.py``, as ``demos.snippets.runner``
builds it), so the GUI never waits on it: its output arrives by signal, each line stamped with
the time since the start. A deadline, the Stop button, another lesson on screen and closing the
window all end it (terminate, then kill). At the end the wall time is shown beside the lesson's
prediction.
"""

from __future__ import annotations

import contextlib
import sys
import time

import psutil
from PySide6.QtCore import QProcess, QProcessEnvironment, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from demos.snippets.registry import Snippet
from demos.snippets.runner import child_env, command

KILL_GRACE_MS = 500  # after terminate, before kill
MAX_LINES = 2000  # the console keeps the last lines only: a chatty program cannot fill memory


def frozen() -> bool:
    """A packaged app has no Python to run a program with."""
    return bool(getattr(sys, "frozen", False))


def descendants(process: QProcess) -> list[psutil.Process]:
    """Every process below ``process`` now (a program may start its own)."""
    try:
        return psutil.Process(process.processId()).children(recursive=True)
    except (psutil.Error, ValueError):
        return []


def end_all(processes: list[psutil.Process]) -> None:
    """Kill what is still there of ``processes`` (their parent has ended)."""
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(processes, KILL_GRACE_MS / 1000)


class SnippetConsole(QWidget):
    """Run / Stop, the streamed lines, and the verdict line."""

    finished = Signal()  # the run ended (by itself, by Stop or by its deadline)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snippet: Snippet | None = None
        self.lines: list[str] = []  # the program's lines as printed, without the stamps
        self._process: QProcess | None = None
        self._partial = b""
        self._start = 0.0
        self._stopped = ""  # why the run was ended from here ("" if it ended by itself)
        self._deadline_s = 0.0
        self._below: list[psutil.Process] = []  # what the program had started when stopped
        self.run_button = QPushButton("Run this program")
        self.run_button.setToolTip("Runs the file exactly as shown, in a new Python process")
        self.run_button.clicked.connect(lambda: self.run())
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(lambda: self.stop("Stop pressed"))
        self.prediction = QLabel("")
        self.prediction.setWordWrap(True)
        self.status = QLabel("")  # below the output: its wrapping never moves the buttons
        self.status.setWordWrap(True)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(MAX_LINES)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.output.setAccessibleName("Output of the program, with the time of each line")
        self.output.setPlaceholderText("Its output appears here, line by line, as it prints.")
        self.output.setToolTip(
            "Two threads printing at once can share a line: print() writes the text and the "
            "line end separately."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.prediction)
        layout.addLayout(buttons)
        layout.addWidget(self.output, 1)
        layout.addWidget(self.status)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(lambda: self.stop("deadline"))
        self._kill = QTimer(self)
        self._kill.setSingleShot(True)
        self._kill.setInterval(KILL_GRACE_MS)
        self._kill.timeout.connect(self._kill_now)
        if frozen():
            self.run_button.setEnabled(False)
            self.run_button.setToolTip("The packaged app has no Python to run it with")

    # ------------------------------------------------------------------ API
    def set_snippet(self, snippet: Snippet | None) -> None:
        """Show ``snippet``'s console (a different one ends the run of the previous)."""
        if snippet == self.snippet:
            return
        self.stop("another program is on screen")
        self.snippet = snippet
        self.output.clear()
        self.lines = []
        self.status.setText("")
        self.prediction.setText(f"Predicted: {snippet.prediction}." if snippet else "")

    def is_running(self) -> bool:
        """Whether a program is running now."""
        return self._process is not None

    def run(self, deadline_s: float | None = None) -> None:
        """Start the program (a run already going is stopped first); it is stopped after
        ``deadline_s`` (by default the snippet's own deadline)."""
        if self.snippet is None or frozen():
            return
        self.stop("restarted")
        snippet = self.snippet
        process = QProcess(self)
        env = QProcessEnvironment()
        for key, value in child_env().items():
            env.insert(key, value)
        process.setProcessEnvironment(env)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        program, *args = command(snippet.path)
        self.output.clear()
        self.lines = []
        self._partial = b""
        self._stopped = ""
        self._process = process
        self.status.setText(f"Running… (predicted about {snippet.predicted_s:g} s)")
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._start = time.perf_counter()
        self._deadline_s = snippet.deadline_s if deadline_s is None else deadline_s
        self._deadline.start(int(self._deadline_s * 1000))
        process.start(program, args)

    def stop(self, why: str) -> None:
        """End the running program, if any: terminate now, kill if it is still there soon
        (and, once it has ended, any process it started)."""
        process = self._process
        if process is None:
            return
        self._stopped = why
        self._below = descendants(process)
        process.terminate()
        self._kill.start()

    def shutdown(self) -> None:
        """End the program now, without waiting for a grace (the window is closing)."""
        process = self._process
        if process is None:
            return
        self._stopped = "window closed"
        self._below = descendants(process)
        process.kill()
        process.waitForFinished(KILL_GRACE_MS)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """A console shown on its own ends its program when closed (in the window, the code
        panel does this when the window closes)."""
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------ internals
    def _kill_now(self) -> None:
        if self._process is not None:
            self._process.kill()

    def _read(self) -> None:
        process = self._process
        if process is None:
            return
        data = self._partial + bytes(process.readAllStandardOutput().data())
        *complete, self._partial = data.split(b"\n")
        for raw in complete:
            self._append(raw)

    def _append(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.lines.append(text)
        self.output.appendPlainText(f"{time.perf_counter() - self._start:6.2f} s | {text}")

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.status.setText(f"Could not start {sys.executable}")
            self._finished(-1, QProcess.ExitStatus.CrashExit)

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        process = self._process
        if process is None:
            return
        wall = time.perf_counter() - self._start
        self._read()
        if self._partial:
            self._append(self._partial)
            self._partial = b""
        self._process = None
        end_all(self._below)
        self._below = []
        self._deadline.stop()
        self._kill.stop()
        process.deleteLater()
        self.run_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        snippet = self.snippet
        predicted = f"predicted about {snippet.predicted_s:g} s" if snippet else ""
        if self._stopped == "deadline":
            ended = f"stopped at its {self._deadline_s:g} s deadline"
        elif self._stopped:
            ended = f"stopped: {self._stopped}"
        else:
            ended = f"exit code {code}"
        self.status.setText(f"wall {wall:.2f} s ({predicted}); {ended}")
        self.finished.emit()
