"""The Pools lesson's timeline lanes: one per pool worker, one bar per chunk of tasks.

A pool's workers are not ours to instrument, so each task reports who ran it and when, and the
submitting thread draws the lanes from those reports.
"""

from __future__ import annotations

from demos.context import WorkerContext
from demos.events import Kind, Lane, State, now_ns

MERGE_GAP_NS = 50_000  # tasks of one worker closer than this (one chunk) make one bar on its lane


class PoolLanes:
    """A lane per pool worker from each task's (who, start, end); back-to-back tasks: one bar."""

    def __init__(
        self, ctx: WorkerContext, lane: tuple[Kind, str], idents: list[int], skip_lanes: int = 0
    ) -> None:
        """``lane``: the lanes' kind and name ("pool Process": "pool Process 1", ...); they
        follow the context's own lane and ``skip_lanes`` more (lanes of the caller's own)."""
        (self.kind, self.name), self.ctx = lane, ctx
        self.first_lane = ctx.lane_id + 1 + skip_lanes
        self.ids: dict[int, int] = {}
        self.open: dict[int, tuple[int, int]] = {}
        for ident in idents:
            self._lane(ident)

    def _lane(self, ident: int) -> int:
        lane_id = self.ids.get(ident)
        if lane_id is None:
            lane_id = self.ids[ident] = self.first_lane + len(self.ids)
            name = f"{self.name} {len(self.ids)}"
            self.ctx.sink.announce(Lane(lane_id, self.kind, name, 0))  # name first
            self.ctx.sink.announce(Lane(lane_id, self.kind, name, ident))
            self.emit(lane_id, now_ns(), State.WAITING, "idle in the pool")
        return lane_id

    def emit(self, lane_id: int, t_ns: int, state: State, detail: str) -> None:
        self.ctx.sink.emit((t_ns, lane_id, int(state), detail))

    def task(self, ident: int, t0: int, t1: int) -> None:
        """Record one task; a gap before it closes the worker's previous chunk."""
        opened = self.open.get(ident)
        if opened is not None and t0 - opened[1] <= MERGE_GAP_NS:
            self.open[ident] = (opened[0], t1)
            return
        self.close(ident)
        self.open[ident] = (t0, t1)

    def close(self, ident: int) -> None:
        """Draw the worker's open chunk: RUNNING while it ran, then waiting for the next."""
        opened = self.open.pop(ident, None)
        if opened is not None:
            lane_id = self._lane(ident)
            self.emit(lane_id, opened[0], State.RUNNING, "running a chunk of tasks")
            self.emit(lane_id, opened[1], State.WAITING, "waiting for its next chunk")

    def end(self, state: State, detail: str) -> None:
        """The pool is shut down: every lane ends."""
        for ident in list(self.open):
            self.close(ident)
        for lane_id in self.ids.values():
            self.emit(lane_id, now_ns(), state, detail)
