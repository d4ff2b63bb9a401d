"""The "GIL or no GIL" tab's list of Pythons: one tickable row per interpreter discovery finds.

The app's own is listed (and ticked) at once; the others are found in a thread the first time
the list is shown (probing every Python takes a second or two), including the paths the user
added through the toolbar's "Other Python...". What is ticked is remembered as interpreter keys.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from app import thread_result
from app.interpreter_choice import ADDED_KEY
from demos.interpreters import Interpreter, discover, running

KEY = "gil_or_not/pythons"  # Interpreter.key of each ticked one, one a line
ROWS_SHOWN = 4  # tall enough for four Pythons without a scroll bar


class PythonList(QListWidget):
    """Tickable interpreters; ``ticked()`` gives those to run on, in list order."""

    found = Signal(list)  # from the discovery thread, queued to the GUI thread
    discovered = Signal()  # the list is complete

    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.interpreters: list[Interpreter] = []
        self._discovery: threading.Thread | None = None
        self.setAccessibleName("Pythons to run the job on")
        self.setToolTip("Tick every Python to compare; Start runs the job on each in turn")
        self._add([running()])
        self.found.connect(self._add_found)
        self.itemChanged.connect(self._remember)
        row = self.sizeHintForRow(0) if self.count() else 20
        self.setFixedHeight(row * ROWS_SHOWN + 2 * self.frameWidth() + 4)

    def _remembered(self) -> set[str]:
        raw = self.settings.value(KEY)
        if isinstance(raw, str):
            return {line for line in raw.splitlines() if line}
        return {running().key}  # nothing remembered: the app's own

    def _add(self, found: list[Interpreter]) -> None:
        ticked = self._remembered()
        known = {i.key for i in self.interpreters}
        self.blockSignals(True)  # adding rows is no choice to remember
        for interp in found:
            if interp.key in known:
                continue
            self.interpreters.append(interp)
            mine = "  (this app's)" if interp.running else ""
            subs = f", subinterpreters: {interp.subinterpreters}" if interp.subinterpreters else ""
            item = QListWidgetItem(f"{interp.label}{mine}")
            item.setToolTip(f"{interp.executable}{subs}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = interp.key in ticked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)

    def _add_found(self, found: list[Interpreter]) -> None:
        self._add(found)
        self.discovered.emit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Look for the other Pythons the first time the list is on screen."""
        super().showEvent(event)
        self.discover()

    def discover(self) -> None:
        """Find every Python, once, in a thread; the rows appear when it is done."""
        if self._discovery is not None:
            return
        raw = self.settings.value(ADDED_KEY)  # read here: QSettings stays on the GUI thread
        added = [line for line in raw.splitlines() if line] if isinstance(raw, str) else []
        thread_result.prepare()
        self._discovery = threading.Thread(
            target=self._find, args=(added,), name="find Pythons", daemon=True
        )
        self._discovery.start()

    @property
    def discovering(self) -> bool:
        """True while the discovery thread runs."""
        return self._discovery is not None and self._discovery.is_alive()

    def _find(self, added: list[str]) -> None:
        # Through the relay, never this list's own signal: the window may close meanwhile.
        thread_result.deliver(self, self.found.emit, discover(added)[0])

    def _remember(self, _item: QListWidgetItem) -> None:
        self.settings.setValue(KEY, "\n".join(i.key for i in self.ticked()))

    def ticked(self) -> list[Interpreter]:
        """The interpreters ticked, in list order."""
        return [
            interp
            for row, interp in enumerate(self.interpreters)
            if (item := self.item(row)) is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def set_ticked(self, keys: set[str]) -> None:
        """Tick exactly these (by key); for tests and restored runs."""
        for row, interp in enumerate(self.interpreters):
            item = self.item(row)
            if item is not None:
                on = interp.key in keys
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
