"""Events turned into state intervals, kept as numpy arrays (struct of arrays, grown by doubling).

This is the store the timeline draws from, the terminal twins summarise from and the trace
exporter writes from. It has no Qt in it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

try:
    import numpy as np
except ImportError:  # a twin on another Python, standard library only (demos.other_python)
    from demos import mini_numpy as np  # type: ignore[no-redef]

from demos.events import Event, Kind, Lane, Mark, State
from demos.protocol import Msg

Value = tuple[int, int, Any]  # (t_ns, lane_id, value): one reported figure

OPEN = -1  # end_ns of an interval that has not ended yet


class IntervalStore:
    """All intervals of one run. Row ``r`` is the r-th lane seen."""

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = capacity
        self.clear()

    def clear(self) -> None:
        """Forget everything (a new run)."""
        cap = self._capacity
        self.start_ns = np.zeros(cap, dtype=np.int64)
        self.end_ns = np.zeros(cap, dtype=np.int64)
        self.row = np.zeros(cap, dtype=np.int32)
        self.state = np.zeros(cap, dtype=np.int8)
        self.detail: list[str] = []
        self.count = 0
        self.lanes: list[Lane] = []
        self._row_of: dict[int, int] = {}
        self._open: dict[int, int] = {}  # row -> index of its open interval
        self.marks: list[Mark] = []
        self._values: dict[str, list[Value]] = {}  # name -> its values in time order
        self.t0_ns: int | None = None
        self.t_last_ns = 0
        self.version = 0  # bumped on every change, so views redraw only when needed

    # ----------------------------------------------------------------- lanes
    def add_lane(self, lane: Lane) -> int:
        """Register a lane (or update its name and OS identity); returns its row."""
        row = self._row_of.get(lane.lane_id)
        if row is None:
            row = len(self.lanes)
            self._row_of[lane.lane_id] = row
            self.lanes.append(lane)
        else:
            self.lanes[row] = lane
        self.version += 1
        return row

    def row_of(self, lane_id: int) -> int:
        """The row of a lane, creating an anonymous lane for ids never announced."""
        row = self._row_of.get(lane_id)
        if row is None:
            row = self.add_lane(Lane(lane_id, Kind.THREAD, f"worker {lane_id}", 0))
        return row

    # ---------------------------------------------------------------- events
    def add_events(self, events: Iterable[Event]) -> int:
        """Apply events in order; returns how many were applied."""
        applied = 0
        for t_ns, lane_id, state, detail in events:
            self._apply(t_ns, self.row_of(lane_id), state, detail)
            applied += 1
        if applied:
            self.version += 1
        return applied

    def _apply(self, t_ns: int, row: int, state: int, detail: str) -> None:
        if self.t0_ns is None or t_ns < self.t0_ns:
            self.t0_ns = t_ns
        open_index = self._open.pop(row, None)
        if open_index is not None:
            # Events of one lane arrive in order; clamp the rare cross-source reordering.
            t_ns = max(t_ns, int(self.start_ns[open_index]))
            self.end_ns[open_index] = t_ns
        if t_ns > self.t_last_ns:
            self.t_last_ns = t_ns
        index = self._append(t_ns, row, state, detail)
        if State(state).is_terminal:
            self.end_ns[index] = t_ns  # a terminal state is a moment, not an interval
        else:
            self._open[row] = index

    def _append(self, t_ns: int, row: int, state: int, detail: str) -> int:
        if self.count == len(self.start_ns):
            self._grow()
        i = self.count
        self.start_ns[i] = t_ns
        self.end_ns[i] = OPEN
        self.row[i] = row
        self.state[i] = state
        self.detail.append(detail)
        self.count += 1
        return i

    def _grow(self) -> None:
        size = max(1024, 2 * len(self.start_ns))
        for name in ("start_ns", "end_ns", "row", "state"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)

    def add_mark(self, mark: Mark) -> None:
        """Remember a moment (join returned, cancel asked) for the timeline."""
        self.marks.append(mark)
        self.version += 1

    def add_value(self, t_ns: int, lane_id: int, name: str, value: Any) -> None:
        """Keep a figure a worker reported (``Msg.VALUE``), in time order per name."""
        entries = self._values.setdefault(name, [])
        entry = (t_ns, lane_id, value)
        if entries and entries[-1][0] > t_ns:  # another thread's value overtook this one
            bisect.insort(entries, entry, key=lambda e: e[0])
        else:
            entries.append(entry)
        self.version += 1

    def values(self, name: str) -> list[Value]:
        """Every value reported under ``name``: (t_ns, lane_id, value), oldest first."""
        return list(self._values.get(name, ()))

    def latest(self, name: str, default: Any = None) -> Any:
        """The newest value reported under ``name``, or ``default``."""
        entries = self._values.get(name)
        return entries[-1][2] if entries else default

    def all_values(self) -> list[tuple[int, int, str, Any]]:
        """Every value as (t_ns, lane_id, name, value), in time order (for saving a run)."""
        out = [(t, lane, name, v) for name, es in self._values.items() for t, lane, v in es]
        return sorted(out, key=lambda e: e[0])

    def add_messages(self, messages: Iterable[tuple[str, Any]]) -> None:
        """Apply the lanes, marks and values among messages kept by a ListSink (twins)."""
        for kind, payload in messages:
            if kind == Msg.LANE:
                self.add_lane(Lane.from_tuple(payload))
            elif kind == Msg.MARK:
                self.add_mark(Mark(*payload))
            elif kind == Msg.VALUE:
                self.add_value(*payload)

    # --------------------------------------------------------------- queries
    def view(self, now_ns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, row, state) of all intervals, open ones ending at ``now_ns``."""
        n = self.count
        end = self.end_ns[:n].copy()
        end[end == OPEN] = now_ns
        return self.start_ns[:n], end, self.row[:n], self.state[:n]

    def current_state(self, lane_id: int) -> State | None:
        """The latest state of a lane, or None if it has no events."""
        row = self._row_of.get(lane_id)
        if row is None:
            return None
        hits = np.nonzero(self.row[: self.count] == row)[0]
        return State(int(self.state[hits[-1]])) if len(hits) else None

    def end_open_lanes(self, t_ns: int, state: State, detail: str) -> int:
        """Close every lane that has not ended (or never reported) with ``state``; how many.

        A lane with no events yet died before it could say anything: it ends too.
        """
        events = [
            (t_ns, lane.lane_id, int(state), detail)
            for lane in self.lanes
            if (now := self.current_state(lane.lane_id)) is None or not now.is_terminal
        ]
        self.add_events(events)
        return len(events)

    def interval_at(self, row: int, t_ns: int, now_ns: int) -> tuple[State, int, int, str] | None:
        """The interval of ``row`` covering ``t_ns``: (state, start, end, detail)."""
        start, end, rows, states = self.view(now_ns)
        hits = np.nonzero((rows == row) & (start <= t_ns) & (end >= t_ns))[0]
        if not len(hits):
            return None
        i = int(hits[-1])
        return State(int(states[i])), int(start[i]), int(end[i]), self.detail[i]

    def time_in_states(self, now_ns: int) -> dict[int, dict[State, float]]:
        """Seconds each lane spent in each state: lane_id -> {state: seconds}."""
        start, end, rows, states = self.view(now_ns)
        durations = (end - start) / 1e9
        out: dict[int, dict[State, float]] = {}
        for row, lane in enumerate(self.lanes):
            mine = rows == row
            out[lane.lane_id] = {
                s: float(durations[mine & (states == int(s))].sum())
                for s in State
                if np.any(mine & (states == int(s)))
            }
        return out

    def final_states(self) -> dict[int, tuple[State, str]]:
        """Each lane's last state and its detail."""
        out: dict[int, tuple[State, str]] = {}
        for row, lane in enumerate(self.lanes):
            hits = np.nonzero(self.row[: self.count] == row)[0]
            if len(hits):
                i = int(hits[-1])
                out[lane.lane_id] = (State(int(self.state[i])), self.detail[i])
        return out
