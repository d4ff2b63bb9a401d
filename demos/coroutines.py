"""Coroutines lesson: N tasks awaiting simulated I/O on one thread, in one event loop.

Every task awaits ``asyncio.sleep`` for a few steps. While one task waits, the loop runs the
others, so N tasks take about as long as one. All of them run on the loop's thread: the result
counts the distinct OS threads the coroutines ran on, and it is 1. A "blocking call" makes one
task call ``time.sleep`` instead of awaiting: nothing else runs until it returns, and a lag probe
(a task waking every 10 ms) measures how late the loop got.

    python -m demos.coroutines --tasks 1000 --io-ms 200 --json
    python -m demos.coroutines --tasks 1000 --io-ms 200 --blocking --json
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from demos import workloads
from demos.context import Cancelled, Control
from demos.events import Event, Kind, Lane, State
from demos.exit_status import note_failed_workers, note_missed_deadline
from demos.intervals import IntervalStore
from demos.runtime import Run, StopReport, TaskContext, TaskWorker, WorkerSpec
from demos.twin import add_common_arguments, finish, print_lane_summary, twin_main

MODES = ("gather", "sequential")
LIMITS = {"tasks": (1, 10_000), "io_ms": (10, 2000), "steps": (1, 10), "limit": (0, 10_000)}
LIMITS["cpu_ms"] = (0, 50)
DEFAULTS: dict[str, Any] = {
    "tasks": 1000,
    "io_ms": 200,
    "steps": 3,
    "limit": 0,  # semaphore size; 0 = no semaphore
    "mode": "gather",
    "blocking": False,
    "cpu_ms": 0,
    "offload": False,
}
MAX_TASK_LANES = 64  # up to this many tasks, one lane each; beyond, tasks share band lanes
BAND_LANES = 32
BLOCKING_CALL_S = 1.0  # the blocking call's length: long enough to see, short enough to bear
LAG_PROBE_PERIOD_S = 0.01
OFFLOAD_THREADS = 1  # CPU steps hold the GIL: more threads would only fight the loop for it
PAUSE_POLL_S = 0.02
# Band lanes show the "most active" state of their tasks, in this order.
_BAND_PRIORITY = (State.RUNNING, State.WAITING, State.BLOCKED, State.PAUSED, State.READY)


class StoreSink:
    """A sink that applies events straight to an IntervalStore.

    For coroutines only: they emit from the loop's thread, the same thread that reads the store,
    so there is nothing to batch, lock or hand over.
    """

    def __init__(self, store: IntervalStore) -> None:
        self.store = store
        self.messages: list[tuple[str, Any]] = []

    def emit(self, event: Event) -> None:
        """Apply one event."""
        self.store.add_events((event,))

    def send(self, kind: str, payload: Any) -> None:
        """Keep a message (nobody else needs it)."""
        self.messages.append((kind, payload))

    def flush_if_due(self) -> None:
        """Nothing queued: events are applied as they come."""

    def announce(self, lane: Lane) -> None:
        """Add or rename the lane."""
        self.store.add_lane(lane)


def validate(params: dict[str, Any]) -> None:
    """Reject settings outside the lesson's limits with a clear message."""
    for name, (low, high) in LIMITS.items():
        value = params[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    if params["mode"] not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {params['mode']!r}")


def bands(tasks: int) -> list[range]:
    """Task indices per lane: one task per lane up to MAX_TASK_LANES, else BAND_LANES bands."""
    if tasks <= MAX_TASK_LANES:
        return [range(i, i + 1) for i in range(tasks)]
    size = math.ceil(tasks / BAND_LANES)
    return [range(start, min(tasks, start + size)) for start in range(0, tasks, size)]


def band_name(members: range) -> str:
    """'task 7' or 'tasks 1-313' (1-based, as a person counts)."""
    first, last = members.start + 1, members.stop
    return f"task {first}" if first == last else f"tasks {first}-{last}"


def task_s(params: dict[str, Any]) -> float:
    """One task's own work as asked: its awaits, its CPU step, and the blocking call."""
    return params["steps"] * params["io_ms"] / 1000.0 + params["cpu_ms"] / 1000.0


def expected_s(params: dict[str, Any]) -> float:
    """About how long the run should take: the longest task, or rounds of it under a limit."""
    extra = BLOCKING_CALL_S if params["blocking"] else 0.0
    if params["mode"] == "sequential":
        return params["tasks"] * task_s(params) + extra
    limit = params["limit"] or params["tasks"]
    io_s = params["steps"] * params["io_ms"] / 1000.0
    # Waits overlap; CPU steps never do (one thread, or threads sharing one GIL).
    return (
        math.ceil(params["tasks"] / limit) * io_s + params["tasks"] * params["cpu_ms"] / 1e3 + extra
    )


@dataclass
class Shared:
    """What the tasks of one run share: settings, the semaphore, and what they measured."""

    params: dict[str, Any]
    control: Control
    semaphore: asyncio.Semaphore | None
    executor: concurrent.futures.ThreadPoolExecutor | None
    band_done: list[asyncio.Event]
    threads: set[int] = field(default_factory=set)
    offload_threads: set[int] = field(default_factory=set)
    work_s: float = 0.0
    member_tasks: list[asyncio.Task[None]] = field(default_factory=list)


class BandState:
    """Counts the states of a lane's tasks and emits the lane's state only when it changes."""

    def __init__(self, ctx: TaskContext, size: int) -> None:
        self.ctx = ctx
        self.size = size
        self.counts = [0] * len(State)
        self.counts[State.READY] = size
        self.shown = ctx.state

    def move(self, old: State, new: State, detail: str) -> None:
        """One task went from ``old`` to ``new``; re-derive the lane's state."""
        counts = self.counts
        counts[old] -= 1
        counts[new] += 1
        state = next((s for s in _BAND_PRIORITY if counts[s]), None)
        if state is None or state == self.shown:
            return  # all ended (the worker emits DONE/CANCELLED) or nothing visible changed
        self.shown = state
        if self.size > 1:
            busy = (State.RUNNING, State.WAITING, State.BLOCKED, State.PAUSED)
            detail = ", ".join(f"{counts[s]} {s.name.lower()}" for s in busy if counts[s])
            detail += f" (of {self.size} tasks)"
        self.ctx.emit(state, detail)


class Member:
    """One of the N coroutines: its state within its lane."""

    __slots__ = ("band", "index", "state")

    def __init__(self, index: int, band: BandState) -> None:
        self.index = index
        self.band = band
        self.state = State.READY

    def move(self, state: State, detail: str = "") -> None:
        """Record a transition (the lane hears about it only if the lane's state changes)."""
        self.band.move(self.state, state, detail)
        self.state = state


def _cpu_step(iterations: int) -> tuple[int, float]:
    """Pure-Python work; returns the thread it ran on and the CPU seconds it used."""
    start = time.thread_time()
    workloads.spin(iterations)
    return threading.get_native_id(), time.thread_time() - start


async def _checkpoint(member: Member, control: Control) -> None:
    """Step boundary: stop if cancelled, hold (by awaiting) while paused."""
    if control.paused and not control.cancelled:
        previous = member.state
        member.move(State.PAUSED, "paused at a step boundary")
        while control.paused and not control.cancelled:  # noqa: ASYNC110 - a flag, no event
            await asyncio.sleep(PAUSE_POLL_S)
        member.move(previous, "resumed")
    if control.cancelled:
        raise Cancelled


async def _steps(member: Member, shared: Shared) -> None:
    params = shared.params
    steps, io_s = params["steps"], params["io_ms"] / 1000.0
    for step in range(steps):
        await _checkpoint(member, shared.control)
        label = f"task {member.index + 1}, step {step + 1}/{steps}"
        shared.threads.add(threading.get_native_id())
        if params["blocking"] and member.index == 0 and step == 0:
            # The mistake on purpose: a synchronous call holds the loop's only thread.
            member.move(State.RUNNING, f"{label}: time.sleep({BLOCKING_CALL_S:g}), loop stuck")
            t0 = time.perf_counter()
            time.sleep(BLOCKING_CALL_S)  # noqa: ASYNC251 - this is the lesson
            shared.work_s += time.perf_counter() - t0
        else:
            member.move(State.WAITING, f"{label}: await asyncio.sleep({io_s:g})")
            await asyncio.sleep(io_s)
            shared.work_s += io_s  # as asked: a late wake-up is the loop's lag, not work
        if step == 0 and params["cpu_ms"]:
            await _cpu(member, shared, label)


async def _cpu(member: Member, shared: Shared, label: str) -> None:
    iterations = int(shared.params["cpu_ms"] * workloads.iterations_per_ms())
    if shared.executor is not None:
        member.move(State.WAITING, f"{label}: await run_in_executor(CPU step)")
        loop = asyncio.get_running_loop()
        ident, cpu_s = await loop.run_in_executor(shared.executor, _cpu_step, iterations)
        shared.offload_threads.add(ident)
    else:
        member.move(State.RUNNING, f"{label}: CPU step on the loop's thread")
        _, cpu_s = _cpu_step(iterations)
    shared.work_s += cpu_s


async def run_member(member: Member, shared: Shared) -> None:
    """One coroutine: optionally wait for the semaphore, then its steps."""
    try:
        if shared.semaphore is not None:
            member.move(State.BLOCKED, f"task {member.index + 1}: async with semaphore")
            async with shared.semaphore:
                await _steps(member, shared)
        else:
            await _steps(member, shared)
    except (Cancelled, asyncio.CancelledError):
        member.move(State.CANCELLED, "cancelled")
        raise
    except Exception as exc:
        member.move(State.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    member.move(State.DONE, "returned")


async def band_worker(ctx: TaskContext, name: str, members: range, shared: Shared) -> None:
    """One lane's worth of tasks: gathered together, or awaited one after another."""
    # The lane's OS identity is the thread the loop runs on: the same for every lane.
    ctx.sink.announce(Lane(ctx.lane_id, Kind.TASK, name, threading.get_native_id()))
    band = BandState(ctx, len(members))
    mine = [Member(i, band) for i in members]
    number = ctx.lane_id
    try:
        if shared.params["mode"] == "sequential":
            if number > 0:  # lanes take turns too: `for coro in coros: await coro` overall
                ctx.emit(State.BLOCKED, f"awaiting the tasks before {name}")
                await shared.band_done[number - 1].wait()
                ctx.emit(State.RUNNING, "its turn")
            for member in mine:
                await run_member(member, shared)
        elif len(mine) == 1:
            await run_member(mine[0], shared)
        else:
            loop = asyncio.get_running_loop()
            tasks = [
                loop.create_task(run_member(m, shared), name=f"task {m.index + 1}") for m in mine
            ]
            shared.member_tasks.extend(tasks)  # strong references, as qasync needs
            try:
                await asyncio.gather(*tasks)
            finally:
                # One task raising leaves its siblings running under gather: stop them here.
                pending = [t for t in tasks if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending)
    finally:
        shared.band_done[number].set()


class CoroutineRun:
    """One run of the lesson in the caller's running loop: lanes, lag probe, figures."""

    def __init__(self, params: dict[str, Any], sink: Any, control: Control | None = None) -> None:
        validate(params)
        self.params = dict(params)
        self.control = control if control is not None else Control()
        self.control.clear()
        self.lanes = bands(params["tasks"])
        # Filled in by start(): asyncio objects belong to the loop that runs them.
        self.shared = shared = Shared(self.params, self.control, None, None, [])
        specs = [
            WorkerSpec(
                band_name(r), band_worker, {"name": band_name(r), "members": r, "shared": shared}
            )
            for r in self.lanes
        ]
        self.run = Run(Kind.TASK, specs, sink, self.control)
        self.max_lag_s = 0.0
        self._probe: asyncio.Task[None] | None = None
        self._paused_since = 0.0
        self.paused_s = 0.0
        self.t_start = 0.0

    def start(self) -> None:
        """Create every task; call with the loop running (asyncio objects bind to it)."""
        params, shared = self.params, self.shared
        shared.semaphore = asyncio.Semaphore(params["limit"]) if params["limit"] else None
        if params["offload"] and params["cpu_ms"]:
            # Our own pool rather than asyncio.to_thread's default executor: that one outlives
            # the run (and in qasync it is a QThread pool), this one is shut down at the end.
            shared.executor = concurrent.futures.ThreadPoolExecutor(
                OFFLOAD_THREADS, thread_name_prefix="offload"
            )
        shared.band_done = [asyncio.Event() for _ in self.lanes]
        loop = asyncio.get_running_loop()
        # Created first, so it is already waiting when a blocking call stalls the loop.
        self._probe = loop.create_task(self._lag_probe(), name="loop-lag-probe")
        self.t_start = time.perf_counter()
        self.run.start()

    async def _lag_probe(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(LAG_PROBE_PERIOD_S)
            self.max_lag_s = max(self.max_lag_s, time.perf_counter() - t0 - LAG_PROBE_PERIOD_S)

    @property
    def running(self) -> bool:
        """True until every lane's task has ended."""
        return self.run.alive() > 0

    def pending_tasks(self) -> int:
        """Tasks not yet done: lanes and the tasks they gathered."""
        members = sum(not t.done() for t in self.shared.member_tasks)
        return self.run.alive() + members

    def pause(self) -> None:
        """Hold every task at its next step boundary."""
        if not self.control.paused:
            self._paused_since = time.perf_counter()
            self.control.pause()

    def resume(self) -> None:
        """Let paused tasks go on."""
        if self.control.paused:
            self.paused_s += time.perf_counter() - self._paused_since
            self.control.resume()

    async def finished(self) -> dict[str, Any]:
        """Await the natural end (or a cancel), stop the probe and pool, return the figures."""
        tasks = [w.task for w in self.run.workers if isinstance(w, TaskWorker) and w.task]
        if tasks:
            await asyncio.wait(tasks)
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
            await asyncio.wait([self._probe])
        if self.shared.executor is not None:
            self.shared.executor.shutdown(wait=False, cancel_futures=True)
        return self.result()

    async def join(self, timeout_s: float) -> StopReport:  # noqa: ASYNC109 - a deadline, then escalate
        """Await every task up to ``timeout_s``; past it, Task.cancel() the rest."""
        return await self.run.join_async(timeout_s)

    async def cancel(self, timeout_s: float = 2.0) -> StopReport:  # noqa: ASYNC109
        """Task.cancel() every lane now (which cancels what it gathered), then await them."""
        self.resume()
        self.control.cancel()
        for worker in self.run.workers:
            if isinstance(worker, TaskWorker) and worker.task and not worker.task.done():
                worker.task.cancel()
        report = await self.run.join_async(timeout_s)
        for worker in self.run.workers:
            if worker.outcome.state is State.NEW:
                # Cancelled before its first step: the coroutine never ran to say so itself.
                worker.outcome.state = State.CANCELLED
                worker.outcome.end_ns = time.perf_counter_ns()
                self.run.sink.emit(
                    (
                        worker.outcome.end_ns,
                        worker.lane_id,
                        int(State.CANCELLED),
                        "cancelled before it started",
                    )
                )
        return report

    def result(self) -> dict[str, Any]:
        """The lesson's figures (the twin's JSON)."""
        params, shared = self.params, self.shared
        ends = [w.outcome.end_ns for w in self.run.workers]
        t_end = max(ends) if ends and all(ends) else time.perf_counter_ns()
        elapsed = max(0.0, (t_end - self.run.t_start_ns) / 1e9 - self.paused_s)
        states = [w.outcome.state for w in self.run.workers]
        return {
            **{k: params[k] for k in DEFAULTS},
            "lanes": len(self.lanes),
            "elapsed_s": round(elapsed, 4),
            "sequential_s": round(shared.work_s, 4),
            "expected_s": round(expected_s(params), 4),
            "speedup": round(shared.work_s / elapsed, 2) if elapsed > 0 else 0.0,
            "threads_used": len(shared.threads),
            "offload_threads": len(shared.offload_threads),
            "max_loop_lag_ms": round(self.max_lag_s * 1000.0, 1),
            "cancelled": sum(s is State.CANCELLED for s in states),
            "failed": sum(s is State.FAILED for s in states),
        }


async def run_twin(params: dict[str, Any], store: IntervalStore) -> CoroutineRun:
    """Run once in the current loop with a generous deadline, then Task.cancel() what is left."""
    run = CoroutineRun(params, StoreSink(store))
    run.start()
    await run.join(expected_s(params) * 2 + 10)
    await run.finished()
    return run


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser = argparse.ArgumentParser(
        prog="python -m demos.coroutines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tasks", type=int, default=DEFAULTS["tasks"])
    parser.add_argument("--io-ms", type=int, default=DEFAULTS["io_ms"])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"])
    parser.add_argument("--limit", type=int, default=0, help="asyncio.Semaphore size (0: none)")
    parser.add_argument("--mode", choices=MODES, default=DEFAULTS["mode"])
    parser.add_argument("--blocking", action="store_true", help="task 1 calls time.sleep(1)")
    parser.add_argument("--cpu-ms", type=int, default=0, help="a CPU step per task")
    parser.add_argument("--offload", action="store_true", help="CPU step in a worker thread")
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    params = {k: getattr(args, k) for k in DEFAULTS}
    try:
        validate(params)
    except ValueError as exc:
        parser.error(str(exc))
    store = IntervalStore()
    finished = asyncio.run(run_twin(params, store))
    result = finished.result()
    note_failed_workers(finished.run.workers)
    if result["cancelled"]:  # only the deadline cancels here (Ctrl+C stops asyncio.run itself)
        lanes = f"{result['cancelled']} of {result['lanes']} lanes"
        note_missed_deadline(f"the run missed its deadline; Task.cancel() stopped {lanes}")
    limit = f", at most {args.limit} at once" if args.limit else ""
    print(
        f"{args.tasks} coroutines, each awaiting {args.io_ms} ms {args.steps} time(s) "
        f"({args.mode}{limit}{', one blocking call' if args.blocking else ''}):"
    )
    if len(store.lanes) <= 16:
        print_lane_summary(store)
    print(
        f"elapsed {result['elapsed_s']:.2f} s, one after another {result['sequential_s']:.2f} s, "
        f"expected about {result['expected_s']:.2f} s"
    )
    print(
        f"OS threads the coroutines ran on: {result['threads_used']}; "
        f"worst event-loop lag {result['max_loop_lag_ms']:.0f} ms"
    )
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
