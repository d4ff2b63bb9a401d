"""Replay of a recorded run: play, pause, scrub and change speed, with no workers running.

The presenter's safety net: a run saved earlier plays back into the same timeline, so a talk
goes on when a live demo misbehaves.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from demos.intervals import IntervalStore
from demos.recording import Recording, fill_store

TICK_MS = 33
SCRUB_STEPS = 1000
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class ReplayController(QObject):
    """Moves a replay clock and feeds the store with the events it has reached."""

    # Nanoseconds since the start: a Python int, since a run over 2.1 s overflows a C int.
    positionChanged = Signal(object)
    finished = Signal()

    def __init__(self, store: IntervalStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.recording: Recording | None = None
        self.position_ns = 0
        self.speed = 1.0
        self._cursor = 0  # events already in the store
        self._value_cursor = 0  # values already in the store
        self._last_tick = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        """True while a recording is loaded."""
        return self.recording is not None

    @property
    def playing(self) -> bool:
        """True while the clock runs."""
        return self._timer.isActive()

    def load(self, recording: Recording) -> None:
        """Take a recording and show its first moment, paused."""
        self.recording = recording
        self.seek(0)

    def now_ns(self) -> int:
        """The replay clock on the runs' own time axis (for drawing open intervals)."""
        assert self.recording is not None
        return self.recording.t0_ns + self.position_ns

    def play(self) -> None:
        """Run the clock (from the start again if at the end)."""
        if self.recording is None:
            return
        if self.position_ns >= self.recording.duration_ns:
            self.seek(0)
        self._last_tick = time.perf_counter()
        self._timer.start()

    def pause(self) -> None:
        """Stop the clock where it is."""
        self._timer.stop()

    def seek(self, position_ns: int) -> None:
        """Jump anywhere; the store is rebuilt up to that moment."""
        if self.recording is None:
            return
        self.position_ns = max(0, min(position_ns, self.recording.duration_ns))
        fill_store(self.store, self.recording, self.position_ns)
        self._cursor = self.recording.cut(self.position_ns)
        self._value_cursor = self.recording.value_cut(self.position_ns)
        self.positionChanged.emit(self.position_ns)

    def stop(self, clear: bool = True) -> None:
        """Leave replay: nothing loaded, the store emptied (unless a live run now uses it)."""
        self._timer.stop()
        self.recording = None
        if clear:
            self.store.clear()

    def _tick(self) -> None:
        recording = self.recording
        if recording is None:
            self._timer.stop()
            return
        now = time.perf_counter()
        step = int((now - self._last_tick) * 1e9 * self.speed)
        self.position_ns = min(self.position_ns + step, recording.duration_ns)
        self._last_tick = now
        if self.position_ns >= recording.duration_ns:
            self.position_ns = recording.duration_ns
            self._timer.stop()
        cut = recording.cut(self.position_ns)
        if cut > self._cursor:  # only the new events: playing costs what the run produced
            self.store.add_events(recording.events[self._cursor : cut])
            self._cursor = cut
        for mark in recording.marks:
            if mark not in self.store.marks and mark.t_ns <= self.now_ns():
                self.store.add_mark(mark)
        value_cut = recording.value_cut(self.position_ns)  # only the new values, like events
        for value in recording.values[self._value_cursor : value_cut]:
            self.store.add_value(*value)
        self._value_cursor = max(self._value_cursor, value_cut)
        self.positionChanged.emit(self.position_ns)
        if not self._timer.isActive():
            self.finished.emit()


class ReplayBar(QWidget):
    """Play/pause, speed, scrub slider, time, and a way out."""

    leaveRequested = Signal()

    def __init__(self, controller: ReplayController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.title = QLabel()
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play or pause the recorded run")
        self.play_button.clicked.connect(self.toggle)
        self.speed = QComboBox()
        self.speed.addItems([f"{s:g}x" for s in SPEEDS])
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("Replay speed")
        self.speed.setAccessibleName("Replay speed")
        self.speed.currentIndexChanged.connect(lambda i: setattr(controller, "speed", SPEEDS[i]))
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setRange(0, SCRUB_STEPS)
        self.scrub.setToolTip("Drag to any moment of the run")
        self.scrub.setAccessibleName("Replay position")
        self.scrub.sliderMoved.connect(self._scrubbed)
        self.clock = QLabel("0.00 s")
        self.leave_button = QPushButton("Leave replay")
        self.leave_button.clicked.connect(self.leaveRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        for widget in (self.title, self.play_button, self.speed):
            layout.addWidget(widget)
        layout.addWidget(self.scrub, 1)
        layout.addWidget(self.clock)
        layout.addWidget(self.leave_button)
        self.setStyleSheet("ReplayBar { background: #E8F1FA; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        controller.positionChanged.connect(self._show_position)
        controller.finished.connect(lambda: self.play_button.setText("Play"))
        self.hide()

    def toggle(self) -> None:
        """Play or pause."""
        if self.controller.playing:
            self.controller.pause()
            self.play_button.setText("Play")
        else:
            self.controller.play()
            self.play_button.setText("Pause")

    def _scrubbed(self, value: int) -> None:
        recording = self.controller.recording
        if recording is not None:
            self.controller.seek(recording.duration_ns * value // SCRUB_STEPS)

    def _show_position(self, position_ns: int) -> None:
        recording = self.controller.recording
        if recording is None:
            return
        total = max(1, recording.duration_ns)
        if not self.scrub.isSliderDown():
            self.scrub.setValue(position_ns * SCRUB_STEPS // total)
        self.clock.setText(f"{position_ns / 1e9:.2f} / {total / 1e9:.2f} s")
