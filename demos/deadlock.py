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

import argparse
import dataclasses
import random
import signal
import time
from typing import Any

from demos.context import WorkerContext
from demos.deadlock_result import DeadlockResult
from demos.events import Kind, State, now_ns
from demos.exit_status import (
    cancel_on_sigint,
    note_failed_workers,
    note_failure,
    note_missed_deadline,
)
from demos.intervals import IntervalStore
from demos.lock_table import LockTable
from demos.protocol import Msg
from demos.runtime import Run
from demos.scenario import Param, Scenario
from demos.transport import ListSink
from demos.twin import finish, print_lane_summary, twin_main
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


def summarize(specs: list[WorkerSpec]) -> DeadlockResult:
    """The figures of a run built by :func:`build_workers`, read from its lock table."""
    table: LockTable = specs[0].params["table"]
    after = table.detected_after_s
    return DeadlockResult(
        mode=table.mode,
        fix=table.fix,
        threads=table.threads,
        rounds=table.rounds,
        rounds_done=tuple(table.done),
        detected_after_s=None if table.deadlock_graph is None or after is None else round(after, 4),
        cycles_broken_by_timeout=table.cycles_broken,
        retries=sum(table.retries),
        recovered=table.ended == len(specs),
        graph=table.deadlock_graph or table.last_graph,
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """What the lab sends with "finished": :meth:`DeadlockResult.as_json`."""
    return summarize(specs).as_json()


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

    def mode_from_table(args: argparse.Namespace) -> None:
        if args.mode is None:  # --philosophers N alone has always meant the philosophers' table
            args.mode = "two" if args.philosophers is None else "philosophers"
        if args.philosophers is None:
            args.philosophers = DEFAULTS["philosophers"]

    parser, args, params = SCENARIO.parse(
        argv,
        __doc__,
        lambda parser: parser.set_defaults(mode=None, philosophers=None),  # given or not?
        mode_from_table,
    )
    specs = build_workers(**params)  # type: ignore[arg-type]  # typed by the scenario
    run, store, cancel = run_twin(specs)
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    measured = summarize(specs)
    outcome = dataclasses.replace(
        measured,
        recovered=measured.recovered and run.alive() == 0,
        cancelled=cancel["cancelled"],
        stopped_after_cancel_s=cancel["stopped_after_cancel_s"],
        elapsed_s=round(elapsed_s, 4),
    )
    # Cancel after a detected deadlock is the lesson's recovery; any other cancel is not.
    note_failed_workers(run.workers)
    if outcome.cancelled and not outcome.deadlock_detected:
        note_missed_deadline(f"the run did not end within {MAX_RUN_S:g} s and was cancelled")
    elif outcome.cancelled and not outcome.recovered:
        note_failure("the deadlocked threads did not all end after Cancel")
    two = args.mode == "two"
    who = "T1 (A then B) and T2 (B then A)" if two else f"{args.philosophers} philosophers"
    print(f"{who}, {args.rounds} rounds each, fix: {args.fix}")
    print_lane_summary(store)
    if outcome.detected_after_s is not None:
        print(f"deadlock     {outcome.cycle}")
        print(f"detected     {outcome.detected_after_s:.3f} s after the cycle formed")
    else:
        print("deadlock     none detected")
    if outcome.cycles_broken_by_timeout:
        print(f"cycles       {outcome.cycles_broken_by_timeout} formed, broken by timeouts")
    print(f"rounds done  {sum(outcome.rounds_done)} of {outcome.rounds_planned}")
    if outcome.cancelled:
        state = "every thread ended" if outcome.recovered else "some threads did NOT end"
        print(f"recovered    {state} {cancel['stopped_after_cancel_s']:.2f} s after Cancel")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
