"""Coroutines lesson: N tasks awaiting simulated I/O on one thread, in one event loop.

Every task awaits ``asyncio.sleep`` for a few steps. While one task waits, the loop runs the
others, so N tasks take about as long as one. All of them run on the loop's thread: the result
counts the distinct OS threads the coroutines ran on, and it is 1. A "blocking call" makes one
task call ``time.sleep`` instead of awaiting: nothing else runs until it returns, and a lag probe
(a task waking every 10 ms) measures how late the loop got.

This module runs the lesson (``CoroutineRun``: lanes, lag probe, figures) and its terminal twin;
what each coroutine does is in ``demos.coroutine_tasks``.

    python -m demos.coroutines --tasks 1000 --io-ms 200 --json
    python -m demos.coroutines --tasks 1000 --io-ms 200 --blocking --json
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import time
from typing import Any

from demos import asyncio_modern
from demos.context import Control
from demos.coroutine_result import CoroutinesResult
from demos.coroutine_tasks import (
    BLOCKING_CALL_S,
    Shared,
    band_name,
    band_worker,
    bands,
)
from demos.events import Event, Kind, Lane, State
from demos.exit_status import note_failed_workers, note_missed_deadline
from demos.intervals import IntervalStore
from demos.runtime import Run, StopReport
from demos.scenario import Param, Scenario
from demos.task_worker import TaskWorker
from demos.twin import finish, print_lane_summary, twin_main
from demos.worker import WorkerSpec

MODES = ("gather", "sequential")
SCENARIO = Scenario(
    "demos.coroutines",
    "many coroutines overlap their waits on one thread; one blocking call stops them all",
    (
        Param("tasks", int, 1000, 1, 10_000, caption="&Tasks", help="How many coroutines to start"),
        Param(
            "io_ms",
            int,
            200,
            10,
            2000,
            unit="ms",
            caption="&I/O wait per step",
            help="Each await's length",
        ),
        Param(
            "steps",
            int,
            3,
            1,
            10,
            caption="&Steps per task",
            help="How many awaits each task makes",
        ),
        Param(
            "limit",
            int,
            0,
            0,
            10_000,
            caption="Sema&phore limit (0 = none)",
            help="asyncio.Semaphore(N) around each task; 0: no semaphore",
        ),
        Param(
            "mode",
            str,
            "gather",
            choices=MODES,
            help="gather: all at once; sequential: await each before starting the next",
        ),
        Param(
            "blocking",
            bool,
            False,
            caption="&Blocking call: task 1 calls time.sleep(1)",
            help="task 1 calls time.sleep(1) instead of awaiting: the loop stalls",
        ),
        Param(
            "cpu_ms",
            int,
            0,
            0,
            50,
            unit="ms",
            caption="CP&U step per task",
            help="Pure-Python work after the first await",
        ),
        Param(
            "offload",
            bool,
            False,
            caption="&Offload the CPU step to a thread (run_in_executor)",
            help="run the CPU step in a worker thread, so the loop stays free",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
LAG_PROBE_PERIOD_S = 0.01
OFFLOAD_THREADS = 1  # CPU steps hold the GIL: more threads would only fight the loop for it


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


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """The settings, typed and checked against the lesson's limits (ValueError says what)."""
    return SCENARIO.validate(params)


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson (or the modern scenario the tab chose)."""
    if params.get("scenario", "classic") in asyncio_modern.SCENARIOS:
        return asyncio_modern.twin_command(params)
    return SCENARIO.command(params)


def task_s(params: dict[str, Any]) -> float:
    """One task's own work as asked: its awaits, its CPU step, and the blocking call."""
    return float(params["steps"] * params["io_ms"] / 1000.0 + params["cpu_ms"] / 1000.0)


def expected_s(params: dict[str, Any]) -> float:
    """About how long the run should take: the longest task, or rounds of it under a limit."""
    extra = BLOCKING_CALL_S if params["blocking"] else 0.0
    if params["mode"] == "sequential":
        return float(params["tasks"] * task_s(params) + extra)
    limit = params["limit"] or params["tasks"]
    io_s = params["steps"] * params["io_ms"] / 1000.0
    # Waits overlap; CPU steps do not (one thread, or threads sharing one GIL on a GIL build).
    return float(
        math.ceil(params["tasks"] / limit) * io_s + params["tasks"] * params["cpu_ms"] / 1e3 + extra
    )


class CoroutineRun:
    """One run of the lesson in the caller's running loop: lanes, lag probe, figures."""

    def __init__(self, params: dict[str, Any], sink: Any, control: Control | None = None) -> None:
        self.params = validate(params)
        self.control = control if control is not None else Control()
        self.control.clear()
        self.lanes = bands(self.params["tasks"])
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

    def figures(self) -> CoroutinesResult:
        """The lesson's figures, typed."""
        params, shared = self.params, self.shared
        ends = [w.outcome.end_ns for w in self.run.workers]
        t_end = max(ends) if ends and all(ends) else time.perf_counter_ns()
        elapsed = max(0.0, (t_end - self.run.t_start_ns) / 1e9 - self.paused_s)
        states = [w.outcome.state for w in self.run.workers]
        return CoroutinesResult(
            **{k: params[k] for k in DEFAULTS},
            lanes=len(self.lanes),
            elapsed_s=round(elapsed, 4),
            sequential_s=round(shared.work_s, 4),
            expected_s=round(expected_s(params), 4),
            speedup=round(shared.work_s / elapsed, 2) if elapsed > 0 else 0.0,
            threads_used=len(shared.threads),
            offload_threads=len(shared.offload_threads),
            max_loop_lag_ms=round(self.max_lag_s * 1000.0, 1),
            cancelled=sum(s is State.CANCELLED for s in states),
            failed=sum(s is State.FAILED for s in states),
        )

    def result(self) -> dict[str, Any]:
        """The lesson's figures and verdict as JSON (the twin's line, a saved run's figures)."""
        return self.figures().as_json()


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
    parser, args, params = SCENARIO.parse(argv, __doc__)
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
    print(result["verdict"])
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
