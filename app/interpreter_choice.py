"""The toolbar's "Run lessons on:" choice: which Python the lab (and its workers) runs on.

The app's own interpreter is always there. The others are found (demos.interpreters) when the
list is first opened, in a thread, so neither the start nor a test pays for probing every
Python. The choice is remembered by path; a remembered Python that has gone (or no longer
answers) falls back to the app's own, and the status line says so. Choosing another restarts
the lab on it; a permanent label in the status bar shows the version the lab reported.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QToolBar,
    QWidget,
)

from app import thread_result
from app.foreign_lab import SUPPORTED
from app.settings import read_choice
from demos.interpreters import Interpreter, describe, discover, running

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from app.lab_client import LabClient

KEY = "lab/python"  # Interpreter.key of the choice; absent: the app's own
ADDED_KEY = "lab/added_pythons"  # paths the user picked, one a line
OTHER_ITEM = "Other Python..."
STARTUP_PROBE_S = 3.0  # the remembered Python is asked once before the lab starts
MESSAGE_MS = 10_000
log = logging.getLogger(__name__)


class PythonBox(QComboBox):
    """A combo box that asks for the full list the first time it opens."""

    opening = Signal()

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        self.opening.emit()
        super().showPopup()


class InterpreterChoice(QObject):
    """The choice, its toolbar widgets and the status label; owns nothing but those."""

    found = Signal(list)  # the interpreters discovery found (emitted from its thread)

    def __init__(self, window: QMainWindow, lab: LabClient, toolbar: QToolBar) -> None:
        super().__init__(window)
        self.window_, self.lab = window, lab
        self.settings: QSettings = window.settings  # type: ignore[attr-defined]
        self.choices: list[Interpreter] = [running()]
        self.box = PythonBox()
        self.box.setToolTip(
            "The Python the lessons' workers run on: another version, or a free-threaded build"
        )
        self.box.setAccessibleName("Run lessons on")
        toolbar.addSeparator()
        # Label and list in one widget: a narrow toolbar moves them into its overflow together.
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(" Run lessons on: "))
        row.addWidget(self.box)
        toolbar.addWidget(holder)
        self.lab_label = QLabel()
        window.statusBar().addPermanentWidget(self.lab_label)
        self._discovery: threading.Thread | None = None
        self._restore()
        self._fill(self.lab.python)
        self.box.currentIndexChanged.connect(self._chosen)
        self.box.opening.connect(self.discover)
        self.found.connect(self._add_found)
        lab.labReady.connect(self._show_lab_python)
        lab.labStarted.connect(self._lab_starting)  # bound: dropped when this object goes

    # ------------------------------------------------------------ remembered
    def _restore(self) -> None:
        raw = self.settings.value(KEY)
        if raw is None:
            return
        path = raw.split("|", 1)[0] if isinstance(raw, str) else ""
        found = describe(path, "added", STARTUP_PROBE_S) if path else []
        keys = tuple(i.key for i in found) if isinstance(found, list) else ()
        if isinstance(raw, str) and path and not keys:
            self.settings.remove(KEY)  # gone: the app's own, said once
            self._say(f"Python at {path} not usable ({found}): lessons run on the app's own")
            return
        chosen = read_choice(self.settings, KEY, "", keys)
        if not isinstance(found, list):
            return
        picked = next((i for i in found if i.key == chosen), None)
        if picked is not None and not picked.running and SUPPORTED:
            self.choices += found
            self.lab.python = picked

    # --------------------------------------------------------------- the list
    def _fill(self, selected: Interpreter | None) -> None:
        self.box.blockSignals(True)  # filling is no choice
        self.box.clear()
        for interp in self.choices:
            self.box.addItem(interp.label + ("  (this app's)" if interp.running else ""))
        if SUPPORTED:
            self.box.addItem(OTHER_ITEM)
        index = next(
            (n for n, i in enumerate(self.choices) if selected and i.key == selected.key), 0
        )
        self.box.setCurrentIndex(index)
        self.box.blockSignals(False)

    def discover(self) -> None:
        """Find every Python, in a thread (once); the list grows when it is done."""
        if self._discovery is not None or not SUPPORTED:
            return
        thread_result.prepare()
        self._discovery = threading.Thread(
            target=self._find, args=(self.added(),), name="find Pythons", daemon=True
        )
        self._discovery.start()

    def added(self) -> list[str]:
        """The paths the user picked with "Other Python..." (remembered)."""
        raw = self.settings.value(ADDED_KEY)
        if raw is None or isinstance(raw, str):
            return [line for line in (raw or "").splitlines() if line]
        read_choice(self.settings, ADDED_KEY, "", ())  # not text: reset, and said so
        return []

    def _find(self, added: list[str]) -> None:
        # Through the relay, never our own signal: the window may close meanwhile.
        thread_result.deliver(self, self.found.emit, discover(added)[0])

    @property
    def discovering(self) -> bool:
        """True while the thread looks for interpreters."""
        return self._discovery is not None and self._discovery.is_alive()

    def _add_found(self, found: list[Interpreter]) -> None:
        known = {i.realpath + str(i.env) for i in self.choices}
        self.choices += [i for i in found if i.realpath + str(i.env) not in known]
        was_open = self.box.view().isVisible()
        self._fill(self.lab.python)
        if was_open:  # an open list does not grow by itself: show it again, with the others
            self.box.hidePopup()
            self.box.showPopup()

    # ------------------------------------------------------------- switching
    def choose(self, interp: Interpreter) -> bool:
        """Run the lab on ``interp`` from now on (restarting it); False while a run goes."""
        if self.lab.running:
            self._say("Stop the run before choosing another Python")
            self._fill(self.lab.python)
            return False
        other = None if interp.running else interp
        if other is None:
            self.settings.remove(KEY)
        else:
            self.settings.setValue(KEY, interp.key)
        if (self.lab.python and self.lab.python.key) == (other and other.key):
            return True
        self.lab.python = other
        if self.lab.is_alive():
            self.lab.stop_lab()
            self.lab.start_lab()
        self._say(f"Lessons now run on {interp.label}")
        return True

    def _chosen(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.choose(self.choices[index])
        elif index == len(self.choices):
            path, _filter = QFileDialog.getOpenFileName(self.window_, "Choose a Python interpreter")
            self.add(path) if path else self._fill(self.lab.python)

    def add(self, path: str) -> bool:
        """Probe ``path``; if it is a usable Python, remember it and run the lessons on it."""
        found = describe(path, "added")
        if isinstance(found, str):
            self._say(f"{path} cannot run the lessons: {found}")
            self._fill(self.lab.python)
            return False
        if path not in self.added():
            self.settings.setValue(ADDED_KEY, "\n".join([*self.added(), path]))
        known = {i.realpath + str(i.env) for i in self.choices}
        self.choices += [i for i in found if i.realpath + str(i.env) not in known]
        picked = next(i for i in self.choices if i.realpath == found[0].realpath)
        self.choose(picked)
        self._fill(self.lab.python)
        return True

    def _show_lab_python(self, version: str) -> None:
        self.lab_label.setText(f"  lab: Python {version}")

    def _say(self, text: str) -> None:
        log.info(text)
        self.window_.statusBar().showMessage(text, MESSAGE_MS)

    def _lab_starting(self, _pid: int) -> None:
        self.lab_label.setText("  lab: starting")
