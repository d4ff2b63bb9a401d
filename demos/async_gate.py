"""Pause and Cancel for coroutines: awaits that end as soon as the flags change.

A coroutine that awaits a 2 s ``asyncio.sleep`` would see Pause only when it wakes; one that polls
the flags every few ms costs the loop N wake-ups per period (a thousand tasks held by Pause,
polling every 20 ms, are 50,000 wake-ups a second in the GUI's own loop). Here each waiting
coroutine awaits a future of its own, and one timer callback polls the flags for all of them and
wakes them when the flags change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableSequence

WATCH_S = 0.01  # how often the loop looks at the flags while coroutines wait on them


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class AsyncGate:
    """Awaits that end when the flags change (seen by one periodic callback) or at a deadline.

    Use from one event loop at a time (each run's loop; the timer stops when nobody waits).
    """

    def __init__(self, flags: MutableSequence[int], watched: tuple[int, ...]) -> None:
        self._flags = flags
        self._watched = watched
        self._waiters: set[asyncio.Future[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._seen: tuple[int, ...] = ()

    def _snapshot(self) -> tuple[int, ...]:
        flags = self._flags
        return tuple(flags[i] for i in self._watched)

    async def wait_until(self, done: Callable[[], bool], deadline: float | None = None) -> bool:
        """Await until ``done()`` (True) or ``time.perf_counter()`` reaches ``deadline`` (False).

        ``done`` must depend only on the watched flags.
        """
        loop = asyncio.get_running_loop()
        while True:
            if done():
                return True
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                return False
            future: asyncio.Future[None] = loop.create_future()
            alarm = None if left is None else loop.call_later(left, _wake, future)
            self._waiters.add(future)
            if self._timer is None:
                self._seen = self._snapshot()
                self._timer = loop.call_later(WATCH_S, self._poll, loop)
            try:
                await future
            finally:
                self._waiters.discard(future)
                if alarm is not None:
                    alarm.cancel()
                if not self._waiters and self._timer is not None:
                    self._timer.cancel()  # nobody waits: no timer left ticking in the loop
                    self._timer = None

    def _poll(self, loop: asyncio.AbstractEventLoop) -> None:
        """Look at the flags for every waiter; wake them all when they changed."""
        now = self._snapshot()
        if now != self._seen:
            self._seen = now
            for future in self._waiters:
                _wake(future)
        self._timer = loop.call_later(WATCH_S, self._poll, loop) if self._waiters else None
