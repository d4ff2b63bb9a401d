"""The GIL figures of a Multithreading run, read from its intervals (what the timeline draws).

Per thread: time RUNNING, time READY inside CPU steps (waiting for the GIL, or for a CPU: the
slice's detail says which), hand-offs (READY slices waiting for the GIL). For the run: the
hand-offs in total and ``overlap_s``, the time two or more threads were RUNNING at once: near
zero when a GIL makes them take turns, most of the run when they compute in parallel.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from demos.events import State
from demos.gil_slices import WAITING_FOR_CPU, WAITING_FOR_GIL
from demos.intervals import IntervalStore

_RUNNING = int(State.RUNNING)
_READY = int(State.READY)
_WAITS = (WAITING_FOR_GIL, WAITING_FOR_CPU)
# Threads that took turns still overlap a little on the timeline: a gap is drawn at the end of
# the 0.5 ms chunk it happened in. Below this share of the run, overlap is not parallelism.
SMALL_OVERLAP_SHARE = 0.1


@dataclass(frozen=True)
class ThreadGil:
    """One thread's share of the run."""

    name: str
    running_s: float
    ready_s: float  # waiting in all
    handoffs: int
    cpu_s: float | None = None  # the thread's own CPU time computing, where known
    cpu_wait_s: float = 0.0  # of ready_s, the slices that waited for a CPU rather than the GIL

    @property
    def gil_wait_s(self) -> float:
        """Seconds in slices that waited for the GIL."""
        return self.ready_s - self.cpu_wait_s

    @property
    def handoffs_per_s(self) -> float:
        """Hand-offs per second of the thread's life (running or waiting)."""
        alive = self.running_s + self.ready_s
        return self.handoffs / alive if alive > 0 else 0.0


@dataclass(frozen=True)
class GilFigures:
    """The run's GIL figures and the interpreter setting they were measured under."""

    enabled: bool
    switch_interval_ms: float
    handoffs: int
    overlap_s: float
    elapsed_s: float
    threads: list[ThreadGil] = field(default_factory=list)

    @property
    def took_turns(self) -> bool:
        """The measurement shows turns: a GIL, and the threads hardly ever ran at once."""
        return self.enabled and self.overlap_s <= SMALL_OVERLAP_SHARE * self.elapsed_s

    @property
    def turn_ms(self) -> float:
        """Mean RUNNING time between two hand-offs, in ms."""
        running = sum(t.running_s for t in self.threads)
        return running * 1000.0 / self.handoffs if self.handoffs else running * 1000.0

    def as_json(self) -> dict[str, Any]:
        """The twin's ``gil`` object."""
        return {
            "enabled": self.enabled,
            "switch_interval_ms": self.switch_interval_ms,
            "handoffs": self.handoffs,
            "overlap_s": round(self.overlap_s, 4),
        }

    def per_thread_json(self) -> list[dict[str, Any]]:
        """The twin's ``per_thread`` list."""
        rows = []
        for t in self.threads:
            row = {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(t).items()}
            rows.append(row)
        return rows


def overlap_s(intervals: list[tuple[int, int]]) -> float:
    """Seconds during which two or more of the intervals [start, end) (in ns) were open at once."""
    if len(intervals) < 2:
        return 0.0
    # At equal times an end (-1) comes before a start (+1): touching intervals do not overlap.
    edges = sorted([(t0, 1) for t0, _ in intervals] + [(t1, -1) for _, t1 in intervals])
    depth, total, previous = 0, 0, edges[0][0]
    for t, step in edges:
        if depth >= 2:
            total += t - previous
        depth += step
        previous = t
    return total / 1e9


def measure(
    store: IntervalStore,
    lane_ids: Collection[int],
    *,
    enabled: bool,
    switch_interval_ms: float,
    elapsed_s: float,
    cpu_s: Mapping[int, float] | None = None,
) -> GilFigures:
    """The figures of the lanes ``lane_ids`` (the run's threads) in ``store``.

    Plain Python over the intervals, no numpy: a twin run with ``--python`` on another
    interpreter has only the standard library (the store itself falls back to demos.mini_numpy).
    """
    start, end, rows, states = store.view(store.t_last_ns)
    lanes = [lane for lane in store.lanes if lane.lane_id in lane_ids]
    of_row: dict[int, list[int]] = {store.row_of(lane.lane_id): [] for lane in lanes}
    for i in range(len(rows)):
        row = int(rows[i])
        if row in of_row:
            of_row[row].append(i)
    threads: list[ThreadGil] = []
    running_intervals: list[tuple[int, int]] = []
    for lane in lanes:
        running_ns = gil_ns = cpu_wait_ns = handoffs = 0
        for i in of_row[store.row_of(lane.lane_id)]:
            t0, t1, state = int(start[i]), int(end[i]), int(states[i])
            if state == _RUNNING:
                running_ns += t1 - t0
                running_intervals.append((t0, t1))
            # Only the slices CPU steps measured: not the wait for a first turn after start().
            elif state == _READY and store.detail[i] in _WAITS:
                if store.detail[i] == WAITING_FOR_GIL:
                    gil_ns += t1 - t0
                    handoffs += 1
                else:
                    cpu_wait_ns += t1 - t0
        threads.append(
            ThreadGil(
                lane.name,
                running_ns / 1e9,
                (gil_ns + cpu_wait_ns) / 1e9,
                handoffs,
                None if cpu_s is None else cpu_s.get(lane.lane_id),
                cpu_wait_ns / 1e9,
            )
        )
    both = overlap_s(running_intervals)
    return GilFigures(
        enabled=enabled,
        switch_interval_ms=switch_interval_ms,
        handoffs=sum(t.handoffs for t in threads),
        overlap_s=both,
        elapsed_s=elapsed_s,
        threads=threads,
    )
