"""Where the worker threads of one process wait for the Pause and Cancel flags to change.

The flags live in a byte buffer that another process (the GUI) may write, which cannot wake our
threads. Polling them from every waiting thread costs N wake-ups per poll: measured through the
lab, 64 paused threads each polling every 10 ms kept it above 5 % of a core for all of the 3 s
watched. Here one waiting thread at a time (the watcher) polls, and wakes the others (each
blocked on a lock of its own) when the flags change, so a paused lab costs one poll per period
whatever N is; the flags also name a command waiting for the lab's main thread (see
``demos.context``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableSequence

WATCH_S = 0.01  # how often the watcher looks at the flags
FOLLOWER_TIMEOUT_S = 1.0  # a safety net only: followers are woken by the watcher


class Gate:
    """Waits that end when the flags change (as seen by one polling watcher) or at a deadline.

    A waiting follower blocks on a lock of its own, released by whoever wakes it: waking takes
    no shared lock afterwards. (A Condition makes every woken thread take its lock again: with 64
    threads fighting for the GIL, that convoy held a Resume for seconds.)
    """

    def __init__(self, flags: MutableSequence[int], watched: tuple[int, ...]) -> None:
        self._flags = flags
        self._watched = watched
        self._lock = threading.Lock()  # guards the two fields below, held only briefly
        self._watching = False
        self._waiters: list[threading.Lock] = []  # held by their followers until woken

    def _snapshot(self) -> tuple[int, ...]:
        flags = self._flags
        return tuple(flags[i] for i in self._watched)

    def wait_until(
        self,
        done: Callable[[], bool],
        deadline: float | None = None,
        tick: Callable[[], None] | None = None,
    ) -> bool:
        """Wait until ``done()`` (True) or ``time.perf_counter()`` reaches ``deadline`` (False).

        ``done`` must depend only on the watched flags (and be cheap). ``tick`` runs on every
        poll of the watcher (to flush a sink, say).
        """
        while True:
            if done():
                self._pass_on()
                return True
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                self._pass_on()
                return False
            waiter = None
            with self._lock:
                if self._watching:
                    waiter = threading.Lock()
                    waiter.acquire()
                    self._waiters.append(waiter)
                else:
                    self._watching = True
            if waiter is None:
                self._watch_for_all(done, deadline, tick)
            # done(): it changed before we were listed, and nobody will wake us for that.
            elif done() or not waiter.acquire(
                timeout=FOLLOWER_TIMEOUT_S if left is None else min(left, FOLLOWER_TIMEOUT_S)
            ):
                self._forget(waiter)

    def _watch_for_all(
        self, done: Callable[[], bool], deadline: float | None, tick: Callable[[], None] | None
    ) -> None:
        """Poll the flags for everyone until ``done()`` or the deadline; wake all on a change,
        and on leaving hand the watch to one follower."""
        seen = self._snapshot()
        try:
            while not done():
                left = WATCH_S if deadline is None else min(WATCH_S, deadline - time.perf_counter())
                if left <= 0:
                    break
                time.sleep(left)
                if tick is not None:
                    tick()
                now = self._snapshot()
                if now != seen:
                    seen = now
                    self.wake_all()
        finally:
            with self._lock:
                self._watching = False
                if self._snapshot() != seen:
                    self._release(len(self._waiters))  # a change not announced yet
                else:
                    self._release(1)

    def _pass_on(self) -> None:
        """Leaving: if nobody watches now, one follower (if any) takes the watch over."""
        if self._watching or not self._waiters:  # read without the lock: the common case
            return
        with self._lock:
            if not self._watching:
                self._release(1)

    def _forget(self, waiter: threading.Lock) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _release(self, count: int) -> None:
        """Wake the ``count`` longest-waiting followers (call with the lock held)."""
        woken, self._waiters = self._waiters[:count], self._waiters[count:]
        for waiter in woken:
            waiter.release()

    def wake_all(self) -> None:
        """Every waiter looks at the flags again (call after writing them in this process)."""
        with self._lock:
            self._release(len(self._waiters))
