"""The deadlock lesson's locks and the bookkeeping its detector reads."""

from __future__ import annotations

import threading

from demos.events import now_ns
from demos.waitgraph import WaitGraph, node_names


class LockTable:
    """One run's locks and the bookkeeping the detector reads: holders, waiters and since when.

    ``guard`` protects the bookkeeping only; nobody ever waits for a lesson lock while holding it.
    A holder is recorded after the lock is taken and cleared before it is released, so a
    snapshot never shows a hold that is not real, and a cycle in a snapshot is a real one.
    """

    def __init__(self, mode: str, threads: int, fix: str, rounds: int) -> None:
        self.mode, self.threads, self.fix, self.rounds = mode, threads, fix, rounds
        self.locks = [threading.Lock() for _ in range(threads)]
        self.guard = threading.Lock()
        self.holder: list[int | None] = [None] * threads
        self.held_since_ns = [0] * threads
        self.waits: list[int | None] = [None] * threads
        self.wait_since_ns = [0] * threads
        self.wait_bounded = [False] * threads
        self.done = [0] * threads  # rounds completed, one slot per thread
        self.retries = [0] * threads  # times the timeout fix gave up and backed off
        self.ended = 0  # workers (the detector too) that have returned or stopped
        self.eaters_ended = 0
        # Written by the detector.
        self.detected_ns = 0
        self.detected_after_s: float | None = None
        self.deadlock_graph: WaitGraph | None = None
        self.last_graph = WaitGraph(mode, (None,) * threads, (None,) * threads)
        self.cycles_broken = 0  # cycles seen in which some wait had a timeout (never a deadlock)
        self._broken_seen: set[int] = set()

    def order(self, thread: int) -> tuple[int, int]:
        """Which lock the thread takes first and which second."""
        if self.mode == "two":
            first, second = (0, 1) if thread == 0 else (1, 0)
        else:
            first, second = thread, (thread + 1) % self.threads  # left fork, then right fork
        if self.fix == "ordering":
            first, second = min(first, second), max(first, second)
        return first, second

    def lock_label(self, lock: int) -> str:
        """``lock A`` or ``fork 3``, for details."""
        _, locks = node_names(self.mode, self.threads)
        return f"lock {locks[lock]}" if self.mode == "two" else f"fork {lock + 1}"

    def holds_text(self, *locks: int) -> str:
        """``holds lock A,B`` or ``holds fork 3,4``."""
        noun, _ = self.lock_label(locks[0]).split(" ")
        labels = ",".join(self.lock_label(j).split(" ")[1] for j in locks)
        return f"holds {noun} {labels}"

    def note_wait(self, thread: int, lock: int, bounded: bool) -> None:
        """The thread starts waiting for the lock."""
        with self.guard:
            self.waits[thread] = lock
            self.wait_since_ns[thread] = now_ns()
            self.wait_bounded[thread] = bounded

    def note_held(self, thread: int, lock: int) -> None:
        """The thread has the lock (and waits for nothing)."""
        with self.guard:
            self.waits[thread] = None
            self.holder[lock] = thread
            self.held_since_ns[lock] = now_ns()

    def stop_waiting(self, thread: int) -> None:
        """The thread gave up or was cancelled."""
        with self.guard:
            self.waits[thread] = None

    def release(self, lock: int) -> None:
        """Record the release, then release (in that order: see the class docstring)."""
        with self.guard:
            self.holder[lock] = None
        self.locks[lock].release()

    def snapshot(self) -> tuple[WaitGraph, int, bool]:
        """The graph, when its cycle (if any) formed, and whether any wait on it is bounded."""
        with self.guard:
            graph = WaitGraph(self.mode, tuple(self.holder), tuple(self.waits))
            cycle = graph.cycle()
            locks = graph.cycle_locks()
            formed = max(
                [self.wait_since_ns[t] for t in cycle] + [self.held_since_ns[j] for j in locks],
                default=0,
            )
            bounded = any(self.wait_bounded[t] for t in cycle)
        return graph, formed, bounded

    def worker_ended(self, eater: bool) -> None:
        """Count a worker as ended."""
        with self.guard:
            self.ended += 1
            self.eaters_ended += eater
