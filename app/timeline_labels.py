"""Text on the timeline: lane names on the axis and durations in tooltips."""

from __future__ import annotations

import numpy as np

from demos.events import TERMINAL_STATES, State
from demos.intervals import IntervalStore

NAME_CHARS = 24  # lane names are elided to this many characters on the axis


def fmt_duration(seconds: float) -> str:
    """'12.3 ms' below a second, '4.56 s' above."""
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def lane_label(store: IntervalStore, row: int) -> str:
    """'Thread-1 · thread 12345': a lane's name, kind and OS identity."""
    lane = store.lanes[row]
    name = lane.name if len(lane.name) <= NAME_CHARS else lane.name[: NAME_CHARS - 1] + "…"
    ident = f" {lane.ident}" if lane.ident else ""
    return f"{name} · {lane.kind.value}{ident}"


def describe_after_end(store: IntervalStore, row: int, t_ns: int, lane: str) -> str | None:
    """After a terminal moment the lane is empty: say how and when it ended (None if not)."""
    n = store.count
    hits = np.flatnonzero((store.row[:n] == row) & (store.start_ns[:n] <= t_ns))
    if not len(hits):
        return None
    i = int(hits[-1])
    state = State(int(store.state[i]))
    if state not in TERMINAL_STATES:
        return None
    at_s = (int(store.start_ns[i]) - (store.t0_ns or 0)) / 1e9
    detail = store.detail[i]
    text = f"{lane}\n{state.name} at {at_s:.3f} s"
    return f"{text}\n{detail}" if detail else text
