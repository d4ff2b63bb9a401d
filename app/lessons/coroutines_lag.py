"""The Coroutines tab's event-loop lag meter: how late a 50 ms timer fires in this window's loop.

A blocking call inside a coroutine stops the loop; this meter shows it (red above 100 ms).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from app.palette import BLUISH_GREEN, VERMILLION

LAG_PERIOD_MS = 50  # the meter's own timer: how late it fires is the loop's lag
LAG_RED_MS = 100  # above this a person notices the window stutter
LAG_FULL_SCALE_MS = 1000  # the blocking call's length fills the bar
LAG_DECAY = 0.85  # per tick: a spike stays visible for about a second instead of one tick


class LoopLagMeter(QFrame):
    """How late a 50 ms timer fires in this loop: the current lag (held briefly) and the max."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # One line high: the splitter below gets all the spare height.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.max_ms = 0.0
        self.shown_ms = 0.0
        self._red = False
        self._last = time.perf_counter()
        self.label = QLabel()
        self.label.setMinimumWidth(300)
        self.bar = QProgressBar()
        self.bar.setRange(0, LAG_FULL_SCALE_MS)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Event-loop lag")
        self.bar.setToolTip(
            f"How late a {LAG_PERIOD_MS} ms timer on this window's event loop fires. Red above "
            f"{LAG_RED_MS} ms: the window stutters; a blocking call stops it completely."
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(QLabel("<b>Event-loop lag</b>"))
        row.addWidget(self.bar, 1)
        row.addWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(LAG_PERIOD_MS)
        self.timer.timeout.connect(self._tick)
        self._measuring = False  # only while tasks run: an idle loop has no lag to show
        self._show()

    def reset_max(self) -> None:
        """Forget the worst lag seen (a new run or a reset)."""
        self.max_ms = 0.0
        self._show()

    def set_measuring(self, on: bool) -> None:
        """Measure while a run's tasks go (not paused); an idle loop wakes for nothing."""
        self._measuring = on
        self._sync_timer()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Measure only while visible: the lag of a hidden tab's meter helps nobody."""
        super().showEvent(event)
        self._sync_timer()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """Stop measuring."""
        super().hideEvent(event)
        self._sync_timer()

    def _sync_timer(self) -> None:
        on = self._measuring and self.isVisible()
        if on and not self.timer.isActive():
            self._last = time.perf_counter()
            self.timer.start()
        elif not on and self.timer.isActive():
            self.timer.stop()
            self.shown_ms = 0.0  # nothing runs now: no lag (the max stays)
            self._show()

    def _tick(self) -> None:
        now = time.perf_counter()
        lag_ms = max(0.0, (now - self._last) * 1000.0 - LAG_PERIOD_MS)
        self._last = now
        self.max_ms = max(self.max_ms, lag_ms)
        self.shown_ms = max(lag_ms, self.shown_ms * LAG_DECAY)
        self._show()

    def _show(self) -> None:
        self.bar.setValue(int(min(self.shown_ms, LAG_FULL_SCALE_MS)))
        self.label.setText(f"now {self.shown_ms:5.0f} ms   max {self.max_ms:5.0f} ms")
        red = self.shown_ms > LAG_RED_MS
        if red != self._red:  # restyle only on change: a stylesheet per tick is not free
            self._red = red
            chunk = VERMILLION if red else BLUISH_GREEN
            self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {chunk}; }}")
            self.label.setStyleSheet(f"color: {VERMILLION}; font-weight: bold;" if red else "")
