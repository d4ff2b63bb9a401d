"""Text on the timeline: lane names on the axis and durations in tooltips."""

from __future__ import annotations

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
