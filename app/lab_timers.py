"""The lab client's two periodic jobs, each awake only while it has work.

- :class:`RingPoller` reads the shared-memory ring every 10 ms while a run goes. A paused run
  whose workers have reported PAUSED sends (almost) nothing: it slows to 200 ms. Between runs the
  lab writes nothing to the ring: it stops, a moment after the run's end.
- :class:`DeathWatch` learns that the lab ended without a timer on POSIX: the process's sentinel
  is a pipe that reaches EOF when it ends. Elsewhere (a Windows handle) a 250 ms check remains.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

RING_POLL_MS = 10
RING_PAUSED_POLL_MS = 200
RING_TAIL_S = 0.5  # keep polling at full rate this long after a start, pause, resume or end
LIVENESS_CHECK_MS = 250


class RunState(Protocol):
    """What the poller asks of its owner (the lab client)."""

    @property
    def running(self) -> bool: ...  # noqa: D102

    @property
    def paused(self) -> bool: ...  # noqa: D102


class RingPoller(QObject):
    """Calls ``poll()`` (which returns how many events it took) at the rate the run needs."""

    def __init__(self, owner: RunState, poll: Callable[[], int]) -> None:
        """``owner`` is the parent and says whether a run goes, and whether it is paused."""
        super().__init__(owner if isinstance(owner, QObject) else None)
        self._owner, self._poll = owner, poll
        self._busy_at = 0.0  # monotonic time of the last event, start, pause, resume or end
        self.period_ms = RING_POLL_MS  # while a run goes
        self.timer = QTimer(self)
        self.timer.setInterval(RING_POLL_MS)
        self.timer.timeout.connect(self._tick)

    def wake(self) -> None:
        """Poll at full rate (a run started, paused, resumed or ended)."""
        self._busy_at = time.monotonic()
        self.timer.setInterval(self.period_ms)
        if not self.timer.isActive():
            self.timer.start()

    def set_period(self, ms: int) -> None:
        """Poll a running run every ``ms`` (the window draws less often with many lanes)."""
        self.period_ms = ms
        if self.timer.isActive() and self.timer.interval() != RING_PAUSED_POLL_MS:
            self.timer.setInterval(ms)

    def stop(self) -> None:
        """No more polling until the next :meth:`wake`."""
        self.timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        if self._poll():
            self._busy_at = now
        running = self._owner.running
        if running and not self._owner.paused or now - self._busy_at < RING_TAIL_S:
            return
        if running:
            self.timer.setInterval(RING_PAUSED_POLL_MS)
        else:
            self.timer.stop()


class DeathWatch(QObject):
    """Calls ``on_end()`` when the watched process ends (the caller checks and reaps it)."""

    def __init__(self, parent: QObject, on_end: Callable[[], None]) -> None:
        super().__init__(parent)
        self._on_end = on_end
        self._notifier: QSocketNotifier | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.timer = QTimer(self)  # only where the sentinel is no pipe
        self.timer.setInterval(LIVENESS_CHECK_MS)
        self.timer.timeout.connect(on_end)

    def watch(self, process: multiprocessing.process.BaseProcess) -> None:
        """Watch a started process (replacing any previous one)."""
        self.stop()
        self._process = process
        if os.name != "posix":
            self.timer.start()
            return
        self._notifier = QSocketNotifier(process.sentinel, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._fired)

    def stop(self) -> None:
        """Watch nothing."""
        self.timer.stop()
        self._process = None
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None

    def _fired(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)  # EOF stays readable: once is enough
        if self._process is not None:
            self._process.join(0.5)  # it has ended: reap it, so is_alive() says so
        self._on_end()
