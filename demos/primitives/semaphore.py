"""Semaphore(N): more threads than permits; at most N are ever inside.

Each round a thread asks ``BoundedSemaphore(N)`` for a permit, uses it for ``hold_ms`` (a sleep,
like a connection from a pool of N doing I/O) and gives it back. Occupancy is counted under a
separate tiny lock: incremented just after acquire, decremented just before release, so the
counter never runs ahead of the real number inside, and its maximum must never exceed N.
"""

from __future__ import annotations

import threading
from typing import Any

from demos.context import WorkerContext
from demos.events import State, now_ns
from demos.primitives.common import emit_at, wait_for
from demos.primitives.results import SemaphoreResult
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives semaphore",
    "more threads than permits: at most N inside a BoundedSemaphore(N)",
    (
        Param(
            "permits",
            int,
            3,
            1,
            8,
            caption="&Permits (N)",
            help="Semaphore(N): how many threads may be inside at once",
        ),
        Param("workers", int, 8, 2, 16, caption="&Threads", help="How many threads"),
        Param(
            "rounds",
            int,
            3,
            1,
            10,
            caption="Rou&nds per thread",
            help="How many times each thread goes through",
        ),
        Param(
            "hold_ms",
            int,
            150,
            10,
            500,
            unit="ms",
            caption="Hol&d time",
            help="How long a thread keeps its permit (a sleep, like I/O)",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
OCCUPANCY = "occupancy"  # value after every change: threads inside (an int)


class SharedSemaphore:
    """One run's semaphore and its occupancy counter."""

    def __init__(self, permits: int, workers: int, rounds: int, hold_ms: int) -> None:
        self.permits, self.workers, self.rounds, self.hold_ms = permits, workers, rounds, hold_ms
        # Bounded: releasing more often than acquiring raises instead of silently adding permits.
        self.semaphore = threading.BoundedSemaphore(permits)
        self._stats = threading.Lock()
        self.occupancy = 0
        self.max_occupancy = 0
        self.samples: list[tuple[int, int]] = []  # (t_ns, occupancy) after every change
        self.wait_s = [0.0] * workers
        self.blocked = 0
        self.entries = 0

    def change(self, delta: int) -> tuple[int, int]:
        """Move the occupancy counter; returns (time, new occupancy), both taken under the lock."""
        with self._stats:
            self.occupancy += delta
            self.entries += delta > 0
            self.max_occupancy = max(self.max_occupancy, self.occupancy)
            t_ns = now_ns()
            self.samples.append((t_ns, self.occupancy))
            return t_ns, self.occupancy

    def result(self) -> SemaphoreResult:
        """The limit, the highest occupancy seen, and how long threads waited for a permit."""
        return SemaphoreResult(
            permits=self.permits,
            workers=self.workers,
            rounds=self.rounds,
            hold_ms=self.hold_ms,
            max_occupancy=self.max_occupancy,
            entries=self.entries,
            times_blocked=self.blocked,
            wait_s_total=round(sum(self.wait_s), 4),
            wait_s_max=round(max(self.wait_s, default=0.0), 4),
        )


def occupancy_detail(occupancy: int, permits: int, what: str) -> str:
    """The lane's detail at an occupancy change (a tooltip; the figure is the OCCUPANCY value)."""
    return f"{what}: occupancy={occupancy}/{permits}"


def semaphore_worker(ctx: WorkerContext, shared: SharedSemaphore, index: int) -> None:
    """Rounds of: wait for a permit (BLOCKED if none is free), use it, give it back."""
    semaphore = shared.semaphore
    permits = shared.permits
    for round_no in range(shared.rounds):
        ctx.checkpoint()  # outside: a paused thread holds no permit
        if not semaphore.acquire(blocking=False):
            detail = f"all {permits} permits taken: Semaphore({permits}) blocks"
            waited = wait_for(ctx, lambda t: semaphore.acquire(timeout=t), detail)
            with shared._stats:
                shared.wait_s[index] += waited
                shared.blocked += 1
        try:
            t_ns, occupancy = shared.change(+1)
            emit_at(ctx, t_ns, State.RUNNING, occupancy_detail(occupancy, permits, "acquired"))
            ctx.report(OCCUPANCY, occupancy, t_ns)
            ctx.sleep(shared.hold_ms / 1000, f"holds a permit (round {round_no + 1}): I/O")
        finally:
            t_ns, occupancy = shared.change(-1)
            semaphore.release()
        emit_at(ctx, t_ns, State.RUNNING, occupancy_detail(occupancy, permits, "released"))
        ctx.report(OCCUPANCY, occupancy, t_ns)


def build(permits: int, workers: int, rounds: int, hold_ms: int) -> list[WorkerSpec]:
    """One run's threads, all sharing one new :class:`SharedSemaphore`."""
    shared = SharedSemaphore(permits, workers, rounds, hold_ms)
    return [
        WorkerSpec(f"Thread-{i + 1}", semaphore_worker, {"shared": shared, "index": i})
        for i in range(workers)
    ]


def deadline_s(permits: int, workers: int, rounds: int, hold_ms: int) -> float:
    """A generous bound: every use one after another, twice."""
    return 2 * workers * rounds * hold_ms / 1000 + 10.0
