"""The window's periodic work (drawing, CPU sampling, the status line), on only while it has any.

While a run goes or a replay plays, the plots move and these timers keep them moving. With
nothing running they would redraw the same picture many times a second, so they stop after a
short tail (long enough to draw a run's last events and its last CPU samples), and :meth:`wake`
starts them again when something happens: a run starts, pauses or ends, the tab changes, lanes
or events arrive, a replay moves. What is on screen then stays as it was last drawn: the CPU plot
stops scrolling at its last sample, the timeline at its last "now".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance

from app.lab_timers import RING_POLL_MS

TAIL_S = 1.0  # after the last moment something moved: a run's final events are drawn by then
# A run of more lanes than this is drawn 15 times a second and its events read every 20 ms (not
# 20 and 10): thin lanes scroll as smoothly to the eye, and the GUI's CPU during a 64-thread run
# fell from 11.8 % to 10.6 % of a core (frames) in A/B runs.
MANY_LANES = 32
MANY_LANES_DRAW_PERIOD_MS = 67
MANY_LANES_POLL_MS = 20


def periods_for(lanes: int, draw_ms: int) -> tuple[int, int]:
    """(draw period, ring-poll period) in ms for a run of ``lanes`` lanes."""
    if lanes > MANY_LANES:
        return MANY_LANES_DRAW_PERIOD_MS, MANY_LANES_POLL_MS
    return draw_ms, RING_POLL_MS


class Heartbeat(QObject):
    """Three timers that run while ``live()`` is true, and for ``TAIL_S`` after it last was."""

    def __init__(
        self,
        parent: QObject,
        live: Callable[[], bool],
        periods_ms: tuple[int, int, int],
        work: tuple[Callable[[], None], Callable[[], None], Callable[[], None]],
    ) -> None:
        """``periods_ms`` and ``work``: (draw, cpu sample, status), in that order."""
        super().__init__(parent)
        self._live = live
        self._quiet_after = 0.0
        self._stopped = False
        self.draw_timer, self.cpu_timer, self.status_timer = (QTimer(self) for _ in range(3))
        self._work = work
        for timer, period, job in zip(self.timers(), periods_ms, work, strict=True):
            timer.setInterval(period)
            timer.timeout.connect(job)
        # The draw tick, the most frequent, decides when all three may rest.
        self.draw_timer.timeout.connect(self._rest_if_quiet)

    def timers(self) -> tuple[QTimer, QTimer, QTimer]:
        """(draw, cpu, status)."""
        return self.draw_timer, self.cpu_timer, self.status_timer

    def active(self) -> bool:
        """True while the timers run."""
        return self.draw_timer.isActive()

    def wake(self) -> None:
        """Something changed: draw, sample and update the status for at least ``TAIL_S``."""
        if self._stopped:
            return
        self._quiet_after = time.monotonic() + TAIL_S
        for timer in self.timers():
            if not timer.isActive():
                timer.start()

    def wake_on(self, *signals: SignalInstance) -> None:
        """Wake whenever one of ``signals`` fires (whatever its arguments)."""
        for signal in signals:
            signal.connect(lambda *_args: self.wake())

    def stop(self) -> None:
        """For good (the window closes): ``wake`` no longer starts anything."""
        self._stopped = True
        for timer in self.timers():
            timer.stop()

    def _rest_if_quiet(self) -> None:
        now = time.monotonic()
        if self._live():
            self._quiet_after = now + TAIL_S
            return
        if now < self._quiet_after:
            return
        for timer in self.timers():
            timer.stop()
        # One last status update: the figures on screen are those of the quiet state.
        self._work[2]()
