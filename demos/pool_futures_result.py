"""The "submit + as_completed" view's result: the order results came in, each Future's states,
and how long a process pool calls a future RUNNING before its task starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from demos.result_json import from_json

# A future seen RUNNING this long before its task began was handed over early: the watcher looks
# every 3 ms and a thread pool's worker calls the task right after marking it running.
EARLY_MS = 20.0
# Tasks that took this many times their length shared something: a GIL, or too few CPUs.
STRETCHED = 1.3


@dataclass(frozen=True)
class FutureRecord:
    """One Future: its task's length, the states the watcher saw, and what happened to it."""

    index: int
    length_ms: int
    states: tuple[str, ...]
    cancel_returned: bool | None  # None: cancel() was not called
    yielded: int  # its place in as_completed's order, from 1
    worker: int  # which pool worker ran it, from 1; 0 if it never ran
    started_s: float  # from the first submit() to the task's start (0 if it never ran)
    ended_s: float
    early_ms: float  # RUNNING (by the Future) this long before the task began


@dataclass(frozen=True)
class PoolFuturesResult:
    """One run of the view."""

    kind: str
    work: str
    workers: int
    task_ms: int
    startup_ms: float
    elapsed_s: float  # first submit() to the last result, pauses left out
    busy_s: float  # the tasks' own run times added up
    alone_s: float  # what the tasks that ran would take alone: their CPU time, or their sleeps
    submit_order: tuple[int, ...]
    yield_order: tuple[int, ...]
    misordered_ms: float  # how far the result order strays from the order the tasks ended
    most_running: int  # the most futures that said RUNNING at one time
    records: tuple[FutureRecord, ...]

    @property
    def cancelled(self) -> tuple[int, ...]:
        """Futures that ended CANCELLED."""
        return tuple(r.index for r in self.records if r.states[-1:] == ("CANCELLED",))

    @property
    def handed_early(self) -> tuple[int, ...]:
        """Futures RUNNING by their own account well before their task began."""
        return tuple(r.index for r in self.records if r.early_ms > EARLY_MS)

    @property
    def at_once(self) -> float:
        """Tasks under way at the same time, on average (busy time over elapsed time)."""
        return self.busy_s / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def stretch(self) -> float:
        """How much longer the tasks took than alone (sharing a GIL, or a busy CPU)."""
        return self.busy_s / self.alone_s if self.alone_s > 0 else 0.0

    def verdict(self) -> str:
        """What the run showed, from its figures."""
        ran = [r for r in self.records if r.worker]
        if not ran:
            return "No task ran."
        order = (
            "in the order submitted (the lengths happened to allow it)"
            if tuple(i for i in self.yield_order if i not in self.cancelled)
            == tuple(i for i in self.submit_order if i not in self.cancelled)
            else "in the order they finished, not the order submitted"
        )
        text = (
            f"as_completed gave the results {order}. {self.at_once:.2f} tasks were under way at "
            f"once over {self.elapsed_s:.2f} s."
        )
        if self.kind == "thread" and self.work == "cpu" and self.stretch > STRETCHED:
            text += (
                f" The computing threads took turns on one GIL: each task took {self.stretch:.1f}"
                "x its own CPU time."
            )
        if self.cancelled:
            names = ", ".join(map(str, self.cancelled))
            places = [r.yielded for r in self.records if r.index in self.cancelled]
            when = (
                "first"
                if max(places) <= len(places)
                else f"at places {', '.join(map(str, places))}, when the pool reached them"
            )
            text += (
                f" cancel() took {names} out of the queue: they never ran; as_completed gave "
                f"them {when}."
            )
        refused = [r.index for r in self.records if r.cancel_returned is False]
        if refused:
            text += f" cancel() said False for {', '.join(map(str, refused))}: already running."
        early = self.handed_early
        if early:
            text += (
                f" Up to {self.most_running} futures said RUNNING at once on {self.workers} "
                f"workers; {len(early)} of them up to {max(r.early_ms for r in self.records):.0f}"
                " ms before their task began: the pool marks a future running when it hands "
                "it over to its queue of calls, not when a worker takes it."
            )
        return text

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        figures = {"cancelled": list(self.cancelled), "stretch": round(self.stretch, 3)}
        return {**asdict(self), **figures, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> PoolFuturesResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def summarize(
    params: dict[str, Any],
    raw: dict[str, Any],
    paused_ns: Callable[[int, int], int] | None = None,
) -> PoolFuturesResult:
    """The figures from the submitter's record; ``paused_ns(t0, t1)`` is the paused time in
    [t0, t1] (not elapsed time)."""
    t_submit = int(raw["submitted_ns"])
    yields = raw["yields"]
    workers = {int(ident): n for n, ident in enumerate(raw.get("workers", []), 1)}
    asked = {int(i): bool(answer) for i, answer in raw.get("cancel_returned", [])}
    place = {int(item["index"]): n for n, item in enumerate(yields, 1)}
    ran = {int(item["index"]): item["ran"] for item in yields if item["ran"] is not None}
    records = []
    for index, (length, seen) in enumerate(zip(raw["lengths_ms"], raw["states"], strict=True)):
        run = ran.get(index)
        running_at = next((int(t) for s, t in seen if s == "RUNNING"), None)
        early = 0.0
        if run is not None and running_at is not None:
            early = max(0.0, (int(run[1]) - running_at) / 1e6)
        records.append(
            FutureRecord(
                index=index,
                length_ms=int(length),
                states=tuple(str(s) for s, _t in seen),
                cancel_returned=asked.get(index),
                yielded=place.get(index, 0),
                worker=workers.get(int(run[0]), 0) if run is not None else 0,
                started_s=round((int(run[1]) - t_submit) / 1e9, 4) if run is not None else 0.0,
                ended_s=round((int(run[2]) - t_submit) / 1e9, 4) if run is not None else 0.0,
                early_ms=round(early, 1),
            )
        )
    t_last = int(yields[-1]["t_ns"]) if yields else t_submit
    pause = paused_ns(t_submit, t_last) if paused_ns else 0
    ends = [int(ran[int(item["index"])][2]) for item in yields if int(item["index"]) in ran]
    # For each result, how much later than it a result given before it had ended.
    stray = max((max(ends[:n]) - end for n, end in enumerate(ends) if n), default=0)
    return PoolFuturesResult(
        kind=params["kind"],
        work=params["work"],
        workers=int(params["workers"]),
        task_ms=int(params["task_ms"]),
        startup_ms=float(raw.get("startup_ms", 0.0)),
        elapsed_s=round(max(1e-9, (t_last - t_submit - pause) / 1e9), 4),
        busy_s=round(sum(int(r[2]) - int(r[1]) for r in ran.values()) / 1e9, 4),
        alone_s=round(alone_ns(params["work"], raw["lengths_ms"], ran) / 1e9, 4),
        submit_order=tuple(range(len(raw["lengths_ms"]))),
        yield_order=tuple(int(item["index"]) for item in yields),
        misordered_ms=round(max(0, stray) / 1e6, 2),
        most_running=most_at_once(raw["states"]),
        records=tuple(records),
    )


def most_at_once(states: list[list[Any]]) -> int:
    """The most futures in RUNNING at one time, from each future's (state, t_ns) changes."""
    steps = sorted(
        (int(t), 1 if state == "RUNNING" else -1)
        for seen in states
        for n, (state, t) in enumerate(seen)
        if state == "RUNNING" or (n and seen[n - 1][0] == "RUNNING")
    )
    running = most = 0
    for _t, step in steps:
        running += step
        most = max(most, running)
    return most


def alone_ns(work: str, lengths_ms: list[Any], ran: dict[int, Any]) -> int:
    """What the tasks that ran take alone: a computing task its own CPU time (measured by its
    thread; the typed length rests on a calibration), a sleeping one its sleeps."""
    if work == "cpu" and all(len(r) > 3 for r in ran.values()):
        return sum(int(r[3]) for r in ran.values())
    return sum(int(lengths_ms[i]) for i in ran) * 1_000_000
