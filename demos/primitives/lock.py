"""Mutex: N threads take turns holding one ``threading.Lock``.

Each round a thread works outside the lock (a sleep), then acquires the lock and computes for
``hold_ms`` while holding it. The holder shows RUNNING "holds lock"; the others show BLOCKED.
``threading.Lock`` promises no order among its waiters: whichever the OS wakes (or a thread that
just released it and asks again) gets it next, so the scenario names no queue position.
"""

from __future__ import annotations

import threading
from typing import Any

from demos.context import WorkerContext
from demos.events import now_ns
from demos.primitives.common import seconds, wait_for
from demos.primitives.results import LockResult, ThreadTimes
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives lock",
    "N threads take turns holding one threading.Lock",
    (
        Param("workers", int, 4, 2, 16, caption="&Threads", help="How many threads"),
        Param(
            "rounds",
            int,
            3,
            1,
            20,
            caption="Rou&nds per thread",
            help="How many times each thread goes through",
        ),
        Param(
            "hold_ms",
            int,
            100,
            5,
            500,
            unit="ms",
            caption="Hol&d time",
            help="How long a thread computes while it holds the lock",
        ),
        Param(
            "work_ms",
            int,
            50,
            0,
            500,
            unit="ms",
            caption="&Work time",
            help="Work each thread does outside the lock before it needs it",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
# The lab ring keeps 44 bytes of detail: "not FIFO" says why no queue position is shown.
WAITING_DETAIL = "waiting for lock (not FIFO: order unknown)"


class SharedLock:
    """One run's lock and the bookkeeping around it (kept under a separate, tiny lock)."""

    def __init__(self, workers: int, rounds: int, hold_ms: int, work_ms: int) -> None:
        self.workers, self.rounds, self.hold_ms, self.work_ms = workers, rounds, hold_ms, work_ms
        self.lock = threading.Lock()
        self.names = [f"Thread-{i + 1}" for i in range(workers)]
        self._stats = threading.Lock()
        self.holds: list[tuple[int, int, int]] = []  # (worker, acquired_ns, released_ns)
        self.wait_s = [0.0] * workers
        self.waiting = 0
        self.max_waiters = 0

    def _count_waiter(self, delta: int) -> None:
        with self._stats:
            self.waiting += delta
            self.max_waiters = max(self.max_waiters, self.waiting)

    def result(self) -> LockResult:
        """Hold and wait time per worker, the most waiters seen, and the mutual-exclusion check."""
        with self._stats:
            holds = sorted(self.holds, key=lambda h: h[1])
        hold_s = [0.0] * self.workers
        for worker, t0, t1 in holds:
            hold_s[worker] += (t1 - t0) / 1e9
        # Sorted by acquisition, each hold must start after the previous one ended.
        overlaps = sum(holds[i][1] < holds[i - 1][2] for i in range(1, len(holds)))
        total_hold = sum(hold_s)
        span = seconds(holds[0][1], holds[-1][2]) if holds else 0.0
        return LockResult(
            workers=self.workers,
            rounds=self.rounds,
            hold_ms=self.hold_ms,
            work_ms=self.work_ms,
            per_thread=tuple(
                ThreadTimes(name, round(held, 4), round(waited, 4))
                for name, held, waited in zip(self.names, hold_s, self.wait_s, strict=True)
            ),
            total_hold_s=round(total_hold, 4),
            locked_span_s=span,
            busy_share=round(total_hold / span, 4) if span else 0.0,
            max_waiters=self.max_waiters,
            overlaps=overlaps,
            holds=tuple((self.names[w], t0, t1) for w, t0, t1 in holds),
        )


def lock_worker(ctx: WorkerContext, shared: SharedLock, index: int) -> None:
    """Rounds of: work outside, wait for the lock (BLOCKED), compute while holding it."""
    lock = shared.lock
    for round_no in range(shared.rounds):
        ctx.checkpoint()  # outside the lock: a paused thread never holds it
        if shared.work_ms:
            ctx.sleep(shared.work_ms / 1000, f"round {round_no + 1}: work outside the lock")
        waited = 0.0
        if not lock.acquire(blocking=False):
            shared._count_waiter(+1)
            try:
                waited = wait_for(ctx, lambda t: lock.acquire(timeout=t), WAITING_DETAIL)
            finally:
                shared._count_waiter(-1)
        acquired = now_ns()
        try:
            ctx.compute(shared.hold_ms, f"holds lock (round {round_no + 1})")
        finally:
            released = now_ns()  # stamped before release: the next holder starts after it
            lock.release()
            with shared._stats:
                shared.holds.append((index, acquired, released))
                shared.wait_s[index] += waited


def build(workers: int, rounds: int, hold_ms: int, work_ms: int) -> list[WorkerSpec]:
    """One run's threads, all sharing one new :class:`SharedLock`."""
    shared = SharedLock(workers, rounds, hold_ms, work_ms)
    return [
        WorkerSpec(name, lock_worker, {"shared": shared, "index": i})
        for i, name in enumerate(shared.names)
    ]


def deadline_s(workers: int, rounds: int, hold_ms: int, work_ms: int) -> float:
    """A generous bound on the run's duration: every hold one after another, twice."""
    return 2 * workers * rounds * (hold_ms + work_ms) / 1000 + 10.0
