"""RLock: a recursive function takes the same lock again at every level.

Two threads run the same function ``descend``, each on a lock of its own. An ``RLock`` counts
its owner's acquisitions, so the RLock thread goes down all ``depth`` levels and releases as
it comes back. A plain ``Lock`` has no owner: at level 2 the thread waits for a lock that only
it could release, and would wait forever. Here every acquire waits at most ``detect_ms``: then
the thread raises ``SelfDeadlock``, which unwinds every level (each ``with`` releases what it
took), so the Lock is free again and the run ends with its verdict. Nobody else touches either
lock, so any wait on it is a wait on itself.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from demos.context import WorkerContext
from demos.events import State, now_ns
from demos.primitives.common import POLL_S
from demos.primitives.results_more import RLockResult
from demos.protocol import Msg
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives rlock",
    "a recursive function re-enters an RLock; a plain Lock deadlocks on itself",
    (
        Param("depth", int, 4, 2, 8, caption="Recursion de&pth", help="Levels of recursion"),
        Param(
            "level_ms",
            int,
            100,
            10,
            500,
            unit="ms",
            caption="&Work per level",
            help="What each level computes while it holds the lock",
        ),
        Param(
            "detect_ms",
            int,
            500,
            100,
            3000,
            unit="ms",
            caption="Deadlock &detection",
            help="How long an acquire may wait before it is called a self-deadlock",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
KEY_FUNCTIONS = ("descend", "recursion_worker")
AFTER_MS = 300  # work done holding the Lock again after recovering: shows that it is free


class SelfDeadlock(Exception):
    """An acquire waited past ``detect_ms`` for a lock its own thread holds."""

    def __init__(self, level: int) -> None:
        super().__init__(f"deadlocked on itself at depth {level}")
        self.level = level


class SharedLocks:
    """The two locks and how deep each thread got."""

    def __init__(self, depth: int, level_ms: int, detect_ms: int) -> None:
        self.depth, self.level_ms, self.detect_ms = depth, level_ms, detect_ms
        self.locks: dict[str, threading.Lock | threading.RLock] = {
            "RLock": threading.RLock(),
            "Lock": threading.Lock(),
        }
        self.reached = {"RLock": 0, "Lock": 0}
        self.stuck_at: int | None = None
        self.recovered = False

    def result(self) -> RLockResult:
        """How deep each got, where the Lock stuck, and whether it was free again after."""
        return RLockResult(
            depth=self.depth,
            rlock_depth=self.reached["RLock"],
            lock_depth=self.reached["Lock"],
            lock_stuck_at=self.stuck_at,
            detect_ms=self.detect_ms,
            recovered=self.recovered,
        )


class Watched:
    """One thread's lock, used as ``with lock:``; its acquire gives up: a wait past
    ``detect_s`` raises SelfDeadlock (Cancel and Pause are felt while it waits). Only its own
    thread uses it, so any wait is a wait on itself."""

    def __init__(self, ctx: WorkerContext, lock: Any, detect_s: float) -> None:
        self.ctx, self.lock, self.detect_s = ctx, lock, detect_s
        self.level = 0  # how many times its thread holds it now

    def __enter__(self) -> None:
        level = self.level + 1
        if not self.lock.acquire(blocking=False):
            self.ctx.emit(State.BLOCKED, f"depth {level}: waits for itself")
            deadline = time.perf_counter() + self.detect_s
            while not self.lock.acquire(timeout=POLL_S):
                self.ctx.checkpoint()
                if time.perf_counter() > deadline:
                    raise SelfDeadlock(level)
        self.level = level

    def __exit__(self, *_: object) -> None:
        self.level -= 1
        self.lock.release()


def descend(ctx: WorkerContext, shared: SharedLocks, lock: Watched, kind: str, level: int) -> None:
    """The recursive function: takes the lock, works, and calls itself one level deeper."""
    with lock:
        shared.reached[kind] = level
        ctx.compute(shared.level_ms, f"{kind} held {level}x (depth {level})")
        if level < shared.depth:
            descend(ctx, shared, lock, kind, level + 1)


def recursion_worker(ctx: WorkerContext, shared: SharedLocks, kind: str) -> None:
    """Run ``descend`` on this thread's lock; catch a self-deadlock, then take the lock again."""
    lock = Watched(ctx, shared.locks[kind], shared.detect_ms / 1000)
    try:
        descend(ctx, shared, lock, kind, 1)
    except SelfDeadlock as stuck:
        shared.stuck_at = stuck.level
        ctx.sink.send(Msg.MARK, (now_ns(), f"{kind} deadlocked on itself at depth {stuck.level}"))
        ctx.emit(State.RUNNING, "SelfDeadlock: unwound, lock released")
        # Every level's `with` released what it took: the Lock is free, the thread goes on.
        try:
            with lock:
                ctx.compute(AFTER_MS, f"{kind} free again: taken once")
        except SelfDeadlock:
            return  # still held: not recovered
        shared.recovered = True


def build(depth: int, level_ms: int, detect_ms: int) -> list[WorkerSpec]:
    """The RLock thread and the Lock thread, sharing one new :class:`SharedLocks`."""
    shared = SharedLocks(depth, level_ms, detect_ms)
    return [
        WorkerSpec(f"{kind}-recursion", recursion_worker, {"shared": shared, "kind": kind})
        for kind in shared.locks
    ]


def deadline_s(depth: int, level_ms: int, detect_ms: int) -> float:
    """A generous bound: every level, the detection and the work after it, twice."""
    return 2 * (depth * level_ms + detect_ms + AFTER_MS) / 1000 + 10.0
