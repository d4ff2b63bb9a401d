"""Starvation lesson: greedy and polite threads contend for one lock; a FIFO lock restores fairness.

A *greedy* worker takes the lock, holds it for ``hold_ms`` (sleeping, as if doing I/O under the
lock), releases it and at once asks again. A *polite* worker pauses briefly between attempts.

``threading.Lock`` promises no order among waiters. When a greedy thread releases it, one waiter
is woken, but the releasing thread is still running and asks again first, so it usually wins
the lock back before the woken waiter has even been scheduled. Polite threads wait and wait:
that is starvation, and no thread is ever stuck for good, which makes it easy to miss.

With ``--fair`` the workers share a :class:`FairLock`: waiters queue, and ``release()`` hands the
lock straight to the longest waiter instead of leaving it free for whoever asks first.

Fairness is measured with Jain's index over acquisitions (``demos.starvation_result``).

    python -m demos.starvation [--greedy 2] [--polite 2] [--duration-s 2] [--fair] [--json]
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from demos.context import POLL_S, WorkerContext
from demos.events import Kind, State, now_ns
from demos.scenario import Param, Scenario
from demos.starvation_result import (
    ROLES,
    StarvationResult,
    WorkerTurns,
    wait_histogram,
)
from demos.starvation_result import jain_index as jain_index  # the lesson's measure, re-exported
from demos.twin import finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIO = Scenario(
    "demos.starvation",
    "greedy and polite threads contend for one lock; a FIFO lock restores fairness",
    (
        Param(
            "greedy",
            int,
            2,
            0,
            8,
            caption="&Greedy workers",
            help="Workers that re-acquire the lock at once after releasing it",
        ),
        Param(
            "polite",
            int,
            2,
            0,
            8,
            caption="&Polite workers",
            help="Workers that pause briefly between attempts",
        ),
        Param(
            "duration_s",
            float,
            2,
            1,
            10,
            unit="s",
            caption="&Duration",
            help="How long the workers contend (a fixed time)",
        ),
        Param(
            "hold_ms",
            float,
            2,
            1,
            20,
            unit="ms",
            caption="&Hold time",
            help="How long a worker holds the lock each time",
        ),
        Param(
            "fair",
            bool,
            False,
            caption="f&air lock (FIFO hand-over)",
            help="Use the FIFO FairLock: release hands the lock to the longest waiter",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
ACQUISITIONS = "acquisitions"  # value: how often this worker has had the lock so far (an int)
REPORT_PERIOD_NS = 50_000_000  # a worker reports its count at most this often, and once at the end
POLITE_PAUSE_SHARE = 0.25  # a polite worker pauses a quarter of the hold time between attempts


class FairLock:
    """A FIFO lock: a queue of per-waiter Events, and ownership handed over on release.

    ``release()`` never leaves the lock free while someone waits: it wakes the head of the queue
    and the lock stays taken on that waiter's behalf, so the releasing thread cannot barge back in.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()  # guards the two fields below, held only for a moment
        self._locked = False
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, stop: Callable[[], bool]) -> bool:
        """Take the lock in arrival order; False if ``stop()`` turned true while waiting."""
        with self._mutex:
            if not self._locked and not self._waiters:
                self._locked = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        while not turn.wait(POLL_S):
            if stop():
                with self._mutex:
                    if not turn.is_set():  # still queued: leave the queue
                        self._waiters.remove(turn)
                        return False
                # Handed over just as we gave up: we own it, so pass it on.
                self.release()
                return False
        return True

    def release(self) -> None:
        """Hand the lock to the longest waiter, or free it if nobody waits."""
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()  # stays locked: the waiter owns it now
            else:
                self._locked = False


class PlainLock:
    """``threading.Lock`` behind the same interface as :class:`FairLock` (no order promised)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self, stop: Callable[[], bool]) -> bool:
        """Take the lock; False if ``stop()`` turned true while waiting."""
        # Timed waits only so that cancel and the end of the run are noticed; a waiter of a
        # threading.Lock has no place in any queue to lose by waking up.
        while not self._lock.acquire(timeout=POLL_S):
            if stop():
                return False
        return True

    def release(self) -> None:
        """``Lock.release()``."""
        self._lock.release()


class Arena:
    """What one run's workers share: the lock, the clock, and each worker's tally."""

    def __init__(self, roles: list[str], duration_s: float, hold_ms: float, fair: bool) -> None:
        self.roles = roles
        self.duration_s = duration_s
        self.hold_s = hold_ms / 1000
        self.fair = fair
        self.lock: FairLock | PlainLock = FairLock() if fair else PlainLock()
        self.acquisitions = [0] * len(roles)
        self.waits_s: list[list[float]] = [[] for _ in roles]  # one list per worker: no sharing
        self._ends_at = 0.0
        self._clock_lock = threading.Lock()

    def ends_at(self) -> float:
        """When the run ends (perf_counter seconds), fixed by the first worker to ask."""
        with self._clock_lock:
            if not self._ends_at:
                self._ends_at = time.perf_counter() + self.duration_s
            return self._ends_at


def contender(ctx: WorkerContext, arena: Arena, index: int) -> None:
    """One worker: take the lock, hold it, release it, until the run's time is up."""
    polite = arena.roles[index] == "polite"
    ends_at = arena.ends_at()
    lock, hold_s = arena.lock, arena.hold_s
    waits = arena.waits_s[index]
    last_report_ns = 0

    def stop() -> bool:
        return ctx.control.cancelled or time.perf_counter() >= ends_at

    while not stop():
        ctx.checkpoint()  # outside the lock: a paused worker never holds it
        ctx.emit(State.BLOCKED, "waits for the lock")
        asked = time.perf_counter()
        if not lock.acquire(stop):
            break
        waits.append(time.perf_counter() - asked)
        arena.acquisitions[index] += 1
        ctx.emit(State.WAITING, f"holds lock #{arena.acquisitions[index]}")
        time.sleep(hold_s)
        lock.release()
        if now_ns() - last_report_ns >= REPORT_PERIOD_NS:  # outside the lock, and not too often
            ctx.report(ACQUISITIONS, arena.acquisitions[index])
            last_report_ns = now_ns()
        if polite:
            ctx.emit(State.WAITING, "polite pause")
            time.sleep(hold_s * POLITE_PAUSE_SHARE)
    ctx.report(ACQUISITIONS, arena.acquisitions[index])
    ctx.checkpoint()  # a cancelled run ends CANCELLED, not DONE


def worker_names(greedy: int, polite: int) -> list[str]:
    """``greedy-1 .. greedy-G, polite-1 .. polite-P``."""
    return [f"greedy-{i + 1}" for i in range(greedy)] + [f"polite-{i + 1}" for i in range(polite)]


def validate(greedy: int, polite: int, duration_s: float, hold_ms: float) -> None:
    """Reject settings outside the lesson's limits with a clear message."""
    SCENARIO.validate(
        {"greedy": greedy, "polite": polite, "duration_s": duration_s, "hold_ms": hold_ms}
    )
    if greedy + polite < 2:
        raise ValueError("starvation needs at least two workers")


def build_workers(
    greedy: int,
    polite: int,
    duration_s: float = DEFAULTS["duration_s"],
    hold_ms: float = DEFAULTS["hold_ms"],
    fair: bool = False,
) -> list[WorkerSpec]:
    """The workers of one run, sharing one new :class:`Arena`."""
    validate(greedy, polite, duration_s, hold_ms)
    names = worker_names(greedy, polite)
    arena = Arena([n.split("-")[0] for n in names], float(duration_s), float(hold_ms), bool(fair))
    return [
        WorkerSpec(name, contender, {"arena": arena, "index": i}) for i, name in enumerate(names)
    ]


def summarize(arena: Arena, names: list[str]) -> StarvationResult:
    """Acquisitions and mean wait per worker, the longest wait, and the waits per role."""
    waits_by_role: dict[str, list[float]] = {role: [] for role in ROLES}
    for role, waits in zip(arena.roles, arena.waits_s, strict=True):
        waits_by_role[role].extend(waits)
    return StarvationResult(
        fair=arena.fair,
        duration_s=arena.duration_s,
        hold_ms=arena.hold_s * 1000,
        workers=tuple(
            WorkerTurns(name, count, round(1000 * sum(w) / len(w), 3) if w else None)
            for name, count, w in zip(names, arena.acquisitions, arena.waits_s, strict=True)
        ),
        max_wait_ms=round(1000 * max((max(w) for w in arena.waits_s if w), default=0.0), 3),
        greedy_waits=tuple(wait_histogram(waits_by_role["greedy"])),
        polite_waits=tuple(wait_histogram(waits_by_role["polite"])),
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The outcome of a run built by :func:`build_workers`."""
    return summarize(specs[0].params["arena"], [spec.name for spec in specs]).as_json()


def deadline_s(duration_s: float) -> float:
    """A generous bound on one run's duration, for joins."""
    return duration_s + 10.0


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser, args, params = SCENARIO.parse(argv, __doc__)
    try:
        specs = build_workers(**params)  # type: ignore[arg-type]  # typed by the scenario
    except ValueError as exc:  # the one check across settings: at least two workers
        parser.error(str(exc))
    _, store = run_locally(KIND, specs, timeout_s=deadline_s(args.duration_s))
    outcome = summarize(specs[0].params["arena"], [spec.name for spec in specs])
    lock = "FairLock (FIFO hand-over)" if args.fair else "threading.Lock"
    print(f"{args.greedy} greedy + {args.polite} polite workers, {args.duration_s:g} s, {lock}:")
    print_lane_summary(store)
    for worker in outcome.workers:
        mean = worker.mean_wait_ms
        waited = f"mean wait {mean:.2f} ms" if mean is not None else "never got the lock"
        print(f"  {worker.name:<10} {worker.acquisitions:>6} acquisitions, {waited}")
    worst = 1 / len(specs)
    print(f"jain_index   {outcome.jain_index:.3f} (1 = fair, {worst:.2f} = one takes all)")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
