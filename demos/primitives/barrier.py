"""Barrier(parties): threads arrive at different times and leave together.

Each round every thread works a random time (a sleep), then calls ``Barrier.wait()`` and shows
BLOCKED until the last party arrives; that arrival releases them all at once, marked on the
timeline. ``release_spread_ms`` is the spread of the moments the threads leave ``wait()``.

With ``late`` one thread works past the barrier's timeout: the first waiter whose ``wait``
times out breaks the barrier, every waiter (and the late thread, when it arrives) gets
``BrokenBarrierError``, and each one handles it and ends cleanly.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from demos.context import Cancelled, WorkerContext
from demos.events import State, now_ns
from demos.primitives.common import emit_at
from demos.primitives.results import BarrierResult
from demos.protocol import Msg
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives barrier",
    "threads arrive at random times and leave a Barrier together",
    (
        Param(
            "parties",
            int,
            5,
            2,
            16,
            caption="&Parties",
            help="Barrier(parties): how many threads must arrive",
        ),
        Param(
            "rounds",
            int,
            2,
            1,
            5,
            caption="Rou&nds per thread",
            help="How many times each thread goes through",
        ),
        Param(
            "work_ms",
            int,
            800,
            10,
            2000,
            unit="ms",
            caption="&Work time",
            help="The most work a thread does before it waits (random, 20-100% of this)",
        ),
        Param(
            "timeout_ms",
            int,
            1000,
            200,
            3000,
            unit="ms",
            caption="Barrier time&out",
            help="The barrier's timeout, used when one thread is late",
        ),
        Param(
            "late",
            bool,
            False,
            caption="one thread is &late past the timeout",
            help="Its wait comes after the others' timeout: BrokenBarrierError",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
LATE_MARGIN_S = 0.3  # the late thread arrives this long after the timeout must have fired
# Without the late option nobody should time out; the timeout then only guards against a bug.
# Cancel does not rely on it: a cancelled thread aborts the barrier, which frees the waiters.
SAFETY_TIMEOUT_S = 60.0


class SharedBarrier:
    """One run's barrier, the planned work per round and thread, and the measured moments."""

    def __init__(
        self, parties: int, rounds: int, work_ms: int, late: bool, timeout_ms: int, seed: int | None
    ) -> None:
        self.parties, self.rounds, self.work_ms = parties, rounds, work_ms
        self.late, self.timeout_ms = late, timeout_ms
        rng = random.Random(seed)
        # Random work between 20% and 100% of work_ms, so arrivals spread out visibly.
        self.work_s = [
            [rng.uniform(0.2, 1.0) * work_ms / 1000 for _ in range(parties)] for _ in range(rounds)
        ]
        if late:
            self.work_s[0][-1] = max(self.work_s[0]) + timeout_ms / 1000 + LATE_MARGIN_S
        timeout = timeout_ms / 1000 if late else SAFETY_TIMEOUT_S
        self.barrier = threading.Barrier(parties, timeout=timeout)
        self.names = [f"Thread-{i + 1}" for i in range(parties)]
        self.arrive_ns = [[0] * parties for _ in range(rounds)]
        self.leave_ns = [[0] * parties for _ in range(rounds)]
        self.broken: list[str] = []  # threads that caught BrokenBarrierError
        self._stats = threading.Lock()

    def result(self) -> BarrierResult:
        """Arrival and release spreads per completed round, and who handled a broken barrier."""
        arrival, release = [], []
        for arrive, leave in zip(self.arrive_ns, self.leave_ns, strict=True):
            if all(leave):  # the round released everyone
                arrival.append(round((max(arrive) - min(arrive)) / 1e6, 3))
                release.append(round((max(leave) - min(leave)) / 1e6, 3))
        return BarrierResult(
            parties=self.parties,
            rounds=self.rounds,
            late=self.late,
            timeout_ms=self.timeout_ms if self.late else None,
            release_spread_ms_per_round=tuple(release),
            arrival_spread_ms_per_round=tuple(arrival),
            handled_by=tuple(sorted(self.broken)),
        )


def barrier_worker(ctx: WorkerContext, shared: SharedBarrier, index: int) -> None:
    """Rounds of: random work, ``Barrier.wait()`` (BLOCKED), leave with everyone."""
    barrier = shared.barrier
    try:
        for round_no in range(shared.rounds):
            ctx.checkpoint()
            work_s = shared.work_s[round_no][index]
            late = shared.late and round_no == 0 and index == shared.parties - 1
            what = "late, past the timeout" if late else "working"
            ctx.sleep(work_s, f"round {round_no + 1}: {what} ({work_s * 1000:.0f} ms)")
            arrive = now_ns()
            shared.arrive_ns[round_no][index] = arrive
            emit_at(ctx, arrive, State.BLOCKED, f"at the barrier: Barrier({shared.parties}).wait()")
            try:
                position = barrier.wait()
            except threading.BrokenBarrierError:
                if ctx.control.cancelled:
                    raise Cancelled from None  # broken by a cancelled thread's abort()
                with shared._stats:
                    shared.broken.append(shared.names[index])
                    first = len(shared.broken) == 1
                if first:
                    ctx.sink.send(Msg.MARK, (now_ns(), "barrier broken (BrokenBarrierError)"))
                ctx.emit(
                    State.RUNNING,
                    "BrokenBarrierError caught: ending cleanly",  # fits the lab's 44-byte detail
                )
                return
            leave = now_ns()
            shared.leave_ns[round_no][index] = leave
            if position == shared.parties - 1:  # the last to arrive is the one that released
                ctx.sink.send(Msg.MARK, (leave, f"barrier released (round {round_no + 1})"))
            emit_at(ctx, leave, State.RUNNING, f"released by the barrier (round {round_no + 1})")
    except BaseException:
        # A thread leaving early (cancelled or failed) would strand the others at the barrier:
        # abort() breaks it, so they wake at once with BrokenBarrierError.
        barrier.abort()
        raise


def build(
    parties: int,
    rounds: int,
    work_ms: int,
    late: bool = False,
    timeout_ms: int = 1000,
    seed: int | None = None,
) -> list[WorkerSpec]:
    """One run's threads, all sharing one new :class:`SharedBarrier`."""
    shared = SharedBarrier(parties, rounds, work_ms, bool(late), timeout_ms, seed)
    return [
        WorkerSpec(name, barrier_worker, {"shared": shared, "index": i})
        for i, name in enumerate(shared.names)
    ]


def deadline_s(parties: int, rounds: int, work_ms: int, timeout_ms: int = 1000, **_: Any) -> float:
    """A generous bound: every round's slowest work plus the timeout, twice."""
    return 2 * (rounds * work_ms + timeout_ms) / 1000 + 10.0
