"""Synchronization overhead: the same increments with a lock around each, or counted locally.

One run does the same total number of increments of a shared counter three times, one phase
after the other, with a ``threading.Barrier`` between phases so no phase overlaps another:

1. **baseline**: one thread, no lock (the others wait at the barrier): what the work costs;
2. **locked**: N threads, each does its share as ``with lock: counter.value += 1``;
3. **batched**: N threads, each counts in a local variable and adds its total to the shared
   counter once, under the same lock.

Each phase is timed from the barrier that starts it to the barrier that ends it (the barrier's
action stamps the clock, in whichever thread arrives last), so a phase's time is the time of its
slowest thread. Both locked phases end with the exact total; the difference is what taking a
lock hundreds of thousands of times costs, including threads queueing for it.

    python -m demos.sync_overhead [--threads 4] [--operations 1000000] [--json]
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from demos.context import Cancelled, WorkerContext
from demos.events import Kind, State
from demos.json_fields import (
    mapping,
    read_bool,
    read_int,
    read_optional_float,
    read_optional_int,
)
from demos.scenario import Param, Scenario
from demos.twin import finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIO = Scenario(
    "demos.sync_overhead",
    "the same increments with a lock around each, or counted locally and merged once",
    (
        Param(
            "threads",
            int,
            4,
            1,
            16,
            caption="&Threads",
            help="Threads sharing the counter in the locked phases",
        ),
        Param(
            "operations",
            int,
            1_000_000,
            10_000,
            5_000_000,
            caption="Total &operations",
            help="Increments per phase, split among the threads",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
PHASES = ("baseline", "locked", "batched")
CHUNK = 1000  # increments between checkpoints (pause/cancel), the same in every phase
BARRIER_POLL_S = 0.05
# Slowest measured cost of one locked increment here (16 threads on 2 cores: about 2 us), with a
# wide margin; used only for deadlines, never for results.
WORST_OP_S = 10e-6


class Tally:
    """What one run's threads share: the counter, the lock, the barrier and the phase clock."""

    def __init__(self, threads: int, operations: int) -> None:
        self.threads = threads
        self.operations = operations
        self.value = 0
        self.lock = threading.Lock()
        self.stamps: list[float] = []  # perf_counter at each barrier release
        self.counts: dict[str, int] = {}  # the counter at the end of each phase
        self.barrier = threading.Barrier(threads, action=self._stamp)

    def _stamp(self) -> None:
        # Runs in the last thread to arrive, before any is released: the end of one phase and
        # the start of the next, on one clock.
        phase = len(self.stamps) - 1
        if 0 <= phase < len(PHASES):
            self.counts[PHASES[phase]] = self.value
        self.value = 0
        self.stamps.append(time.perf_counter())

    def share(self, index: int) -> int:
        """This thread's part of the total (the first ones take the remainder)."""
        base, extra = divmod(self.operations, self.threads)
        return base + (1 if index < extra else 0)


def wait_at_barrier(ctx: WorkerContext, tally: Tally, detail: str) -> None:
    """``Barrier.wait()``, shown as BLOCKED; a broken barrier (a cancelled peer) cancels us."""
    ctx.emit(State.BLOCKED, detail)
    try:
        tally.barrier.wait()
    except threading.BrokenBarrierError:
        raise Cancelled from None


def overhead_worker(ctx: WorkerContext, tally: Tally, index: int) -> None:
    """One thread: the baseline (thread 0 only), then its share locked, then batched."""
    try:
        wait_at_barrier(ctx, tally, "barrier: start together")
        if index == 0:
            ctx.emit(State.RUNNING, "baseline: += 1, no lock")
            for _ in range(tally.operations // CHUNK):
                ctx.checkpoint()
                for _ in range(CHUNK):
                    tally.value += 1
            tally.value += tally.operations % CHUNK
        wait_at_barrier(ctx, tally, "barrier: baseline done")
        share = tally.share(index)
        lock = tally.lock
        ctx.emit(State.RUNNING, f"locked: {share} x (lock, += 1)")
        done = 0
        while done < share:
            ctx.checkpoint()
            n = min(CHUNK, share - done)
            for _ in range(n):
                with lock:
                    tally.value += 1
            done += n
        wait_at_barrier(ctx, tally, "barrier: locked done")
        ctx.emit(State.RUNNING, f"batched: {share} x local += 1")
        local = 0
        done = 0
        while done < share:
            ctx.checkpoint()
            n = min(CHUNK, share - done)
            for _ in range(n):
                local += 1
            done += n
        with lock:  # the one synchronised step of this phase
            tally.value += local
        wait_at_barrier(ctx, tally, "barrier: batched done")
    except BaseException:
        tally.barrier.abort()  # peers waiting for us would wait forever
        raise


def build_workers(threads: int, operations: int) -> list[WorkerSpec]:
    """The threads of one run, sharing one new :class:`Tally`."""
    SCENARIO.validate({"threads": threads, "operations": operations})
    tally = Tally(threads, operations)
    return [
        WorkerSpec(f"Thread-{i + 1}", overhead_worker, {"tally": tally, "index": i})
        for i in range(threads)
    ]


# A ratio of batched to locked ops/s below this is not called an overhead: phases measured one
# after another on a shared machine differ by some 10-20% from noise alone.
CLEAR_OVERHEAD_RATIO = 1.25


@dataclass(frozen=True)
class SyncOverheadResult:
    """Seconds and ops/s of each phase that finished (None for one that did not), and whether
    every finished phase ended with the exact total."""

    threads: int
    operations: int
    seconds_baseline: float | None
    seconds_locked: float | None
    seconds_batched: float | None
    ops_per_s_baseline: int | None
    ops_per_s_locked: int | None
    ops_per_s_batched: int | None
    exact: bool
    complete: bool

    def seconds(self, phase: str) -> float | None:
        """How long ``phase`` took, barrier to barrier."""
        value: float | None = getattr(self, f"seconds_{phase}")
        return value

    def ops_per_s(self, phase: str) -> int | None:
        """Increments per second in ``phase``."""
        value: int | None = getattr(self, f"ops_per_s_{phase}")
        return value

    @property
    def overhead_ratio(self) -> float | None:
        """Batched ops/s over locked ops/s: how many times a lock per increment slows the work."""
        locked, batched = self.ops_per_s_locked, self.ops_per_s_batched
        return round(batched / locked, 2) if locked and batched else None

    def verdict(self) -> str:
        """What the rates show, from the rates (a lock per increment is not always measured
        as slower: a short run on a busy machine can hide it)."""
        ratio = self.overhead_ratio
        if not self.complete or ratio is None:
            return "The run ended before all three phases finished."
        if not self.exact:
            return (
                "A total was NOT exact, although every phase counted alone or under the lock: "
                "increments went missing that the lock should have kept."
            )
        if ratio >= CLEAR_OVERHEAD_RATIO:
            return (
                f"A lock around every increment made the work {ratio:.1f} times slower than "
                "counting locally and merging once (both totals exact)."
            )
        if ratio <= 1 / CLEAR_OVERHEAD_RATIO:
            return (
                f"The batched phase came out slower this time ({ratio:.2f}x), which only noise "
                "explains (the machine was busy): run it again."
            )
        return (
            f"No clear overhead measured this time ({ratio:.2f}x, both totals exact): "
            "try more operations."
        )

    def as_json(self) -> dict[str, Any]:
        """The figures, the ratio and the verdict: the twin's JSON line, the lab's "result"."""
        return {**asdict(self), "overhead_ratio": self.overhead_ratio, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> SyncOverheadResult:
        """The result :meth:`as_json` wrote (the ratio and the verdict are derived and ignored);
        KeyError, TypeError or ValueError for anything else."""
        fields = mapping(data)
        return cls(
            threads=read_int(fields, "threads", 1),
            operations=read_int(fields, "operations", 1),
            seconds_baseline=read_optional_float(fields, "seconds_baseline"),
            seconds_locked=read_optional_float(fields, "seconds_locked"),
            seconds_batched=read_optional_float(fields, "seconds_batched"),
            ops_per_s_baseline=read_optional_int(fields, "ops_per_s_baseline"),
            ops_per_s_locked=read_optional_int(fields, "ops_per_s_locked"),
            ops_per_s_batched=read_optional_int(fields, "ops_per_s_batched"),
            exact=read_bool(fields, "exact"),
            complete=read_bool(fields, "complete"),
        )


def summarize(tally: Tally) -> SyncOverheadResult:
    """Seconds and ops/s of each finished phase and whether the counts are exact."""
    seconds: dict[str, float | None] = dict.fromkeys(PHASES)
    rates: dict[str, int | None] = dict.fromkeys(PHASES)
    for i, phase in enumerate(PHASES):
        if i + 1 < len(tally.stamps):
            took = tally.stamps[i + 1] - tally.stamps[i]
            seconds[phase] = round(took, 6)
            rates[phase] = round(tally.operations / took) if took else None
    return SyncOverheadResult(
        threads=tally.threads,
        operations=tally.operations,
        seconds_baseline=seconds["baseline"],
        seconds_locked=seconds["locked"],
        seconds_batched=seconds["batched"],
        ops_per_s_baseline=rates["baseline"],
        ops_per_s_locked=rates["locked"],
        ops_per_s_batched=rates["batched"],
        exact=all(count == tally.operations for count in tally.counts.values()),
        complete=len(tally.counts) == len(PHASES),
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The outcome of a run built by :func:`build_workers`."""
    return summarize(specs[0].params["tally"]).as_json()


def deadline_s(threads: int, operations: int) -> float:
    """A generous bound on one run's duration, for joins."""
    return operations * WORST_OP_S * 3 + 10.0


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser, args, params = SCENARIO.parse(argv, __doc__)
    specs = build_workers(**params)  # type: ignore[arg-type]  # typed by the scenario
    _, store = run_locally(KIND, specs, timeout_s=deadline_s(args.threads, args.operations))
    outcome = summarize(specs[0].params["tally"])
    print(f"{args.operations:,} increments, {args.threads} threads, three phases:")
    print_lane_summary(store)
    for phase in PHASES:
        rate, took = outcome.ops_per_s(phase), outcome.seconds(phase)
        if rate and took is not None:
            print(f"  {phase:<9} {rate:>12,} ops/s  ({took:.3f} s)")
    if outcome.overhead_ratio:
        print(f"overhead_ratio {outcome.overhead_ratio:.1f} (batched ops/s / locked ops/s)")
    print(f"exact        {outcome.exact}")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
