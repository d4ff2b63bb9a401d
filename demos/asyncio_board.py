"""Where the modern-asyncio scenarios draw: lanes, states and values on one IntervalStore.

The scenarios run on the loop's own thread, the thread that reads the store, so events are
applied at once, with no batching or locking (as ``demos.coroutines.StoreSink`` does).
"""

from __future__ import annotations

import threading
from typing import Any

from demos.events import Kind, Lane, Mark, State, now_ns
from demos.intervals import IntervalStore


class Board:
    """One scenario's lanes on a store: ``lane()`` adds one, ``set()`` moves it to a state."""

    def __init__(self, store: IntervalStore) -> None:
        self.store = store
        self._next = 1

    def lane(self, name: str, state: State = State.READY, detail: str = "") -> int:
        """A new task lane, in ``state``; its id."""
        lane_id = self._next
        self._next += 1
        # A task's OS identity is the thread its loop runs on: the same for every lane.
        self.store.add_lane(Lane(lane_id, Kind.TASK, name, threading.get_native_id()))
        self.set(lane_id, state, detail)
        return lane_id

    def set(self, lane_id: int, state: State, detail: str = "") -> None:
        """The lane is now in ``state``."""
        self.store.add_events(((now_ns(), lane_id, int(state), detail),))

    def value(self, lane_id: int, name: str, value: Any) -> None:
        """A figure at this moment (the queue's depth, say)."""
        self.store.add_value(now_ns(), lane_id, name, value)

    def mark(self, label: str) -> None:
        """A moment on the timeline (a cancel, a deadline)."""
        self.store.add_mark(Mark(now_ns(), label))

    def state(self, lane_id: int) -> State | None:
        """The lane's current (or final) state."""
        finals = self.store.final_states()
        return finals[lane_id][0] if lane_id in finals else None
