"""Deadlock lesson: threads that each hold one lock and wait for another, forever.

Two modes:

- ``two``: thread T1 takes lock A then B, thread T2 takes B then A, each pausing between the two
  acquisitions (as real code does work between them), so each ends up holding what the other needs.
- ``philosophers``: N dining philosophers (2-10) around a table with one fork between neighbours;
  each takes the left fork, pauses, then reaches for the right one.

A "deadlock detector" thread rebuilds the wait-for graph every 100 ms from a small table the
workers keep up to date (who holds which lock, who waits for which) and reports a cycle with a
timeline mark, saying how long after the cycle formed it saw it.

Fixes: ``ordering`` (everyone takes the lower-numbered lock first, so no cycle can form) and
``timeout`` (the second acquisition gives up after a while: release what you hold, back off a
random few ms, try again; a cycle may form but never lasts).

Every wait is an ``acquire(timeout=POLL_S)`` in a loop with a checkpoint, so Cancel always ends a
deadlocked run. Without a fix the GUI run lasts until Cancel; the twin cancels by itself a moment
after the detection and reports whether every thread ended (``recovered``).

    python -m demos.deadlock [--philosophers 5] [--fix ordering|timeout] [--json]

(``--philosophers N`` alone sets the table; ``--mode two|philosophers`` says it outright.)
"""

from __future__ import annotations

import random
import signal
import threading
import time
from typing import Any

from demos.context import WorkerContext
from demos.events import Kind, State, now_ns
from demos.exit_status import (
    cancel_on_sigint,
    note_failed_workers,
    note_failure,
    note_missed_deadline,
)
from demos.intervals import IntervalStore
from demos.protocol import Msg
from demos.runtime import Run
from demos.scenario import Param, Scenario
from demos.transport import ListSink
from demos.twin import add_common_arguments, finish, print_lane_summary, twin_main
from demos.waitgraph import WaitGraph, node_names
from demos.worker import WorkerSpec

KIND = Kind.THREAD
MODES = ("two", "philosophers")
FIXES = ("none", "ordering", "timeout")
SCENARIO = Scenario(
    "demos.deadlock",
    "threads that each hold one lock and wait for another, forever; a detector and two fixes",
    (
        Param("mode", str, "two", choices=MODES, help="Two threads and two locks, or philosophers"),
        Param(
            "philosophers", int, 5, 2, 10, caption="&Philosophers", help="Philosophers at the table"
        ),
        Param("fix", str, "none", choices=FIXES, help="Lock ordering, or timeouts with back-off"),
        Param("rounds", int, 5, 1, 50, caption="&Rounds", help="Meals per thread"),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
DETECTOR_NAME = "deadlock detector"

POLL_S = 0.02  # a waiting thread looks at the Cancel flag this often
SCAN_PERIOD_S = 0.1  # the detector rebuilds the wait-for graph this often
WAIT_GRAPH = "wait_graph"  # value whenever the graph changed: WaitGraph.as_dict()
DETECTED_AFTER_S = "detected_after_s"  # value once: seconds from the cycle to its detection
REACH_S = 0.05  # pause between the two acquisitions: long enough for every thread to take its first
EAT_S = 0.02  # time spent holding both locks
THINK_S = (0.0, 0.01)  # random pause between rounds (none before the first: the trap is set)
ACQUIRE_TIMEOUT_S = 0.1  # the timeout fix gives up on the second lock after this long
BACKOFF_S = (0.002, 0.03)  # ... then waits a random while before trying again
GRACE_S = 0.5  # the twin lets a detected deadlock stand this long before it cancels
CANCEL_DEADLINE_S = 2.0
MAX_RUN_S = 60.0  # the twin cancels any run still going after this long


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


def acquire(
    ctx: WorkerContext, table: LockTable, thread: int, lock: int, timeout_s: float | None
) -> bool:
    """Take ``lock``, waiting in short slices so Cancel is seen; False if ``timeout_s`` ran out."""
    if table.locks[lock].acquire(blocking=False):
        table.note_held(thread, lock)
        return True
    table.note_wait(thread, lock, bounded=timeout_s is not None)
    ctx.emit(State.BLOCKED, f"waits {table.lock_label(lock)}")
    deadline = None if timeout_s is None else time.perf_counter() + timeout_s
    try:
        while True:
            ctx.checkpoint()
            ctx.sink.flush_if_due()  # a blocked thread emits nothing else: deliver the others'
            slice_s = POLL_S
            if deadline is not None:
                slice_s = min(POLL_S, deadline - time.perf_counter())
                if slice_s <= 0:
                    return False
            if table.locks[lock].acquire(timeout=slice_s):
                table.note_held(thread, lock)
                return True
    finally:
        if table.holder[lock] != thread:
            table.stop_waiting(thread)


def take_both(ctx: WorkerContext, table: LockTable, thread: int, rng: random.Random) -> bool:
    """One attempt at both locks. True holding both; False after the timeout fix backed off."""
    first, second = table.order(thread)
    acquire(ctx, table, thread, first, None)  # holding nothing, this wait cannot close a cycle
    try:
        ctx.emit(State.RUNNING, table.holds_text(first))
        ctx.sleep(REACH_S, f"{table.holds_text(first)}; reaches")
        timeout_s = ACQUIRE_TIMEOUT_S if table.fix == "timeout" else None
        if acquire(ctx, table, thread, second, timeout_s):
            ctx.emit(State.RUNNING, table.holds_text(first, second))
            return True
    except BaseException:
        table.release(first)
        raise
    table.release(first)  # the timeout fix: give back what we hold so others can go on
    table.retries[thread] += 1
    ctx.sleep(rng.uniform(*BACKOFF_S), "timed out, backs off")
    return False


def eater_worker(ctx: WorkerContext, table: LockTable, index: int) -> None:
    """A thread (or philosopher): ``table.rounds`` times take both locks, work, release."""
    rng = random.Random()
    first, second = table.order(index)
    try:
        for round_no in range(table.rounds):
            ctx.checkpoint()
            if round_no:
                ctx.sleep(rng.uniform(*THINK_S), "thinks")
            while not take_both(ctx, table, index, rng):
                ctx.checkpoint()
            try:
                ctx.sleep(EAT_S, f"eats; {table.holds_text(first, second)}")
            finally:
                table.release(second)
                table.release(first)
            table.done[index] = round_no + 1
    finally:
        table.worker_ended(eater=True)


def detection_detail(after_s: float, graph: WaitGraph) -> str:
    """``deadlock 0.08s T1>B>T2>A>T1``, cut to fit the ring's 44 bytes (a tooltip; the figure
    is the DETECTED_AFTER_S value)."""
    text = f"deadlock {after_s:.2f}s {graph.path_text('>')}"
    return text if len(text) <= 44 else text[:42] + ".."


def detector_worker(ctx: WorkerContext, table: LockTable) -> None:
    """Every SCAN_PERIOD_S: snapshot the table, look for a cycle, report the first deadlock.

    The graph goes out as a WAIT_GRAPH value whenever it changed, the detection as a
    DETECTED_AFTER_S value; the details on the detector's lane say the same for tooltips.
    """
    reported: WaitGraph | None = None
    try:
        while table.eaters_ended < table.threads:
            ctx.checkpoint()
            graph, formed_ns, bounded = table.snapshot()
            table.last_graph = graph
            if graph != reported:
                ctx.report(WAIT_GRAPH, graph.as_dict())
                reported = graph
            if graph.cycle() and bounded and formed_ns not in table._broken_seen:
                table._broken_seen.add(formed_ns)  # a timeout will break it: not a deadlock
                table.cycles_broken += 1
            elif graph.cycle() and not bounded and not table.detected_ns:
                table.detected_ns = now_ns()
                table.detected_after_s = (table.detected_ns - formed_ns) / 1e9
                table.deadlock_graph = graph
                after = table.detected_after_s
                ctx.sink.send(Msg.MARK, (table.detected_ns, f"deadlock: {graph.path_text()}"))
                ctx.emit(State.RUNNING, detection_detail(after, graph))
                ctx.report(DETECTED_AFTER_S, round(after, 4), table.detected_ns)
            ctx.sleep(SCAN_PERIOD_S, graph.encode())
        ctx.checkpoint()  # the threads may have ended because of Cancel: then so does this one
        table.last_graph = table.snapshot()[0]  # everyone is done: every lock is free again
        ctx.emit(State.RUNNING, table.last_graph.encode())
        if table.last_graph != reported:
            ctx.report(WAIT_GRAPH, table.last_graph.as_dict())
    finally:
        table.worker_ended(eater=False)


def build_workers(
    mode: str = "two", philosophers: int = 5, fix: str = "none", rounds: int = 5
) -> list[WorkerSpec]:
    """The workers of one run, all sharing one new :class:`LockTable`, then the detector."""
    SCENARIO.validate({"mode": mode, "philosophers": philosophers, "fix": fix, "rounds": rounds})
    threads = 2 if mode == "two" else philosophers
    table = LockTable(mode, threads, fix, rounds)
    names, _ = node_names(mode, threads)
    specs = [
        WorkerSpec(names[i], eater_worker, {"table": table, "index": i}) for i in range(threads)
    ]
    specs.append(WorkerSpec(DETECTOR_NAME, detector_worker, {"table": table}))
    return specs


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The figures of a run built by :func:`build_workers`, read from its lock table."""
    table: LockTable = specs[0].params["table"]
    graph = table.deadlock_graph or table.last_graph
    after = table.detected_after_s
    return {
        "mode": table.mode,
        "fix": table.fix,
        "threads": table.threads,
        "rounds": table.rounds,
        "rounds_done": list(table.done),
        "completed": all(n == table.rounds for n in table.done),
        "deadlock_detected": table.deadlock_graph is not None,
        "detected_after_s": None if after is None else round(after, 4),
        "cycle": graph.path_text() if table.deadlock_graph else "",
        "cycles_broken_by_timeout": table.cycles_broken,
        "retries": sum(table.retries),
        "recovered": table.ended == len(specs),
        "graph": graph.as_dict(),
    }


def run_twin(specs: list[WorkerSpec]) -> tuple[Run, IntervalStore, dict[str, Any]]:
    """Run here until done, or until a detected deadlock has stood GRACE_S; then cancel."""
    table: LockTable = specs[0].params["table"]
    sink = ListSink()
    run = Run(KIND, specs, sink)
    previous = signal.signal(signal.SIGINT, cancel_on_sigint(run.control))
    cancel: dict[str, Any] = {"cancelled": False, "stopped_after_cancel_s": None}
    try:
        run.start()
        give_up = time.perf_counter() + MAX_RUN_S
        while run.alive():
            run.workers[-1].join(0.05)
            standing_s = (now_ns() - table.detected_ns) / 1e9 if table.detected_ns else 0.0
            if standing_s > GRACE_S or time.perf_counter() > give_up or run.control.cancelled:
                break
        if run.alive():
            report = run.cancel(CANCEL_DEADLINE_S)
            cancel = {"cancelled": True, "stopped_after_cancel_s": round(report.waited_s, 4)}
    finally:
        signal.signal(signal.SIGINT, previous)
    store = IntervalStore()
    store.add_messages(sink.messages)
    store.add_events(sorted(sink.events, key=lambda e: e[0]))
    return run, store, cancel


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser = SCENARIO.parser(__doc__)
    parser.set_defaults(mode=None, philosophers=None)  # given or not: see below
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.mode is None:  # --philosophers N alone has always meant the philosophers' table
        args.mode = "two" if args.philosophers is None else "philosophers"
    if args.philosophers is None:
        args.philosophers = DEFAULTS["philosophers"]
    params = SCENARIO.from_args(parser, args)
    specs = build_workers(**params)  # type: ignore[arg-type]  # typed by the scenario
    run, store, cancel = run_twin(specs)
    outcome = {**result(specs), **cancel}
    outcome["recovered"] = outcome["recovered"] and run.alive() == 0
    # Cancel after a detected deadlock is the lesson's recovery; any other cancel is not.
    note_failed_workers(run.workers)
    if cancel["cancelled"] and not outcome["deadlock_detected"]:
        note_missed_deadline(f"the run did not end within {MAX_RUN_S:g} s and was cancelled")
    elif cancel["cancelled"] and not outcome["recovered"]:
        note_failure("the deadlocked threads did not all end after Cancel")
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    outcome["elapsed_s"] = round(elapsed_s, 4)
    two = args.mode == "two"
    who = "T1 (A then B) and T2 (B then A)" if two else f"{args.philosophers} philosophers"
    print(f"{who}, {args.rounds} rounds each, fix: {args.fix}")
    print_lane_summary(store)
    if outcome["deadlock_detected"]:
        print(f"deadlock     {outcome['cycle']}")
        print(f"detected     {outcome['detected_after_s']:.3f} s after the cycle formed")
    else:
        print("deadlock     none detected")
    if outcome["cycles_broken_by_timeout"]:
        print(f"cycles       {outcome['cycles_broken_by_timeout']} formed, broken by timeouts")
    done = sum(outcome["rounds_done"])
    print(f"rounds done  {done} of {outcome['threads'] * outcome['rounds']}")
    if cancel["cancelled"]:
        state = "every thread ended" if outcome["recovered"] else "some threads did NOT end"
        print(f"recovered    {state} {cancel['stopped_after_cancel_s']:.2f} s after Cancel")
    return finish(args, store, outcome)


if __name__ == "__main__":
    raise SystemExit(main())
