"""Pools, part two: ``submit()`` every task, then take the results with ``as_completed()``.

A submitting thread starts a pool (threads, or processes under ``spawn``), submits tasks of
different lengths, cancels the last few while they still wait in the queue, and loops over
``as_completed(futures)``: each result arrives when its task ends, not in the order submitted.
A watcher thread reads every Future through its public API (``running()``, ``done()``,
``cancelled()``) every few milliseconds and draws its state on the future's own lane. The pool's
workers get lanes too: each task reports who ran it and when.

    python -m demos.pool_futures --kind process --futures 12 --task-ms 200 --workers 2 --cancel 2
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import Future, as_completed
from typing import Any

from demos import pools
from demos.context import Cancelled, WorkerContext
from demos.events import Kind, Lane, State, now_ns
from demos.exit_status import twin_main
from demos.future_states import future_state
from demos.pool_lanes import PoolLanes
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.pool_futures",
    "submit() tasks of different lengths to a pool and take each result as it completes",
    (
        Param("kind", str, "process", choices=("thread", "process"), help="Which pool runs them"),
        Param("work", str, "cpu", choices=("cpu", "io"), help="What a task does: compute or sleep"),
        Param("futures", int, 12, 2, 40, caption="F&utures", help="Tasks submitted: a Future each"),
        Param(
            "task_ms",
            int,
            200,
            10,
            2000,
            unit="ms",
            caption="Mean task &length",
            help="Each task takes between a fifth of this and 1.8 times it, at random (fixed seed)",
        ),
        Param("workers", int, 2, 1, 8, caption="Pool w&orkers", help="max_workers of the pool"),
        Param(
            "cancel",
            int,
            2,
            0,
            40,
            caption="Ca&ncel the last",
            help="cancel() this many futures right after submitting: one still queued says True",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
KEY_FUNCTIONS = ("submit_and_collect",)
# Chosen so that with the defaults the tasks end in an order far from the submitted one, with
# 49 ms or more between two ends (a simulation of two workers taking tasks in turn).
LENGTH_SEED = 82
SLICE_MS = 5.0  # a task is run as slices this long, so Pause and Cancel reach it within one
WATCH_S = 0.003  # how often the watcher reads every Future's state
LANE_STATE = {
    "PENDING": State.READY,
    "RUNNING": State.RUNNING,
    "FINISHED": State.DONE,
    "CANCELLED": State.CANCELLED,
}
LANE_DETAIL = {
    "PENDING": "PENDING: submitted, queued in the pool",
    "RUNNING": "RUNNING: Future.running() is True",
    "FINISHED": "FINISHED: its result is ready",
    "CANCELLED": "CANCELLED: cancel() took it out of the queue",
}


def task_lengths(futures: int, task_ms: int) -> list[int]:
    """Each task's length in ms: from 0.2x to 1.8x the mean, the same for the same settings."""
    draw = random.Random(LENGTH_SEED * 100003 + futures * 7919 + task_ms)
    return [max(1, round(task_ms * draw.uniform(0.2, 1.8))) for _ in range(futures)]


def sliced_task(slice_size: int, slices: int) -> tuple[int, int, int, int]:
    """One task: ``slices`` steps of :func:`demos.pools.pool_task` (each holds while paused and
    skips its work once cancelled); returns who ran it, when it began and ended, and the CPU
    time its thread spent on it (ns)."""
    cpu0 = time.thread_time_ns()
    ident, t0, t1 = pools.pool_task(slice_size)
    for _ in range(slices - 1):
        t1 = pools.pool_task(slice_size)[2]
    return ident, t0, t1, time.thread_time_ns() - cpu0


class FutureWatch:
    """Reads every Future's state through its public API and draws it on the future's lane."""

    def __init__(self, ctx: WorkerContext, first_lane: int) -> None:
        self.ctx, self.first_lane = ctx, first_lane
        self.futures: list[Future[Any]] = []
        self.seen: list[list[tuple[str, int]]] = []  # per future: (state, t_ns) on each change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="future-watcher", daemon=True)

    def add(self, future: Future[Any]) -> None:
        """A new future (from the submitting thread): look at it at once."""
        self.seen.append([])
        self.futures.append(future)
        self.look(len(self.futures) - 1)

    def look(self, index: int) -> None:
        """Record and draw the future's state if it changed."""
        state = future_state(self.futures[index])
        seen = self.seen[index]
        if not seen or seen[-1][0] != state:
            t_ns = now_ns()
            seen.append((state, t_ns))
            event = (t_ns, self.first_lane + index, int(LANE_STATE[state]), LANE_DETAIL[state])
            self.ctx.sink.emit(event)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Look one last time, then stop the watcher thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        for index in range(len(self.futures)):
            self.look(index)

    def _loop(self) -> None:
        while not self._stop.wait(WATCH_S):
            for index in range(len(self.futures)):
                self.look(index)
            self.ctx.sink.flush_if_due()


def submit_and_collect(
    ctx: WorkerContext,
    pool: Any,
    lengths: list[int],
    work: str,
    cancel: int,
    out: dict[str, Any],
    lanes: PoolLanes,
) -> None:
    """What a learner writes: submit all, cancel the last few, take results as they complete
    (each drawn at once on the lane of the worker that ran it)."""
    watch = FutureWatch(ctx, ctx.lane_id + 1)
    slices = [max(1, round(ms / SLICE_MS)) for ms in lengths]
    size = pools.task_size(work, round(SLICE_MS * 1000))
    watch.start()
    try:
        ctx.emit(State.RUNNING, f"submit() x {len(lengths)}")
        out["submitted_ns"] = now_ns()
        index_of: dict[Future[Any], int] = {}
        for i, count in enumerate(slices):
            future = pool.submit(sliced_task, size, count)
            index_of[future] = i
            watch.add(future)
        out["cancel_returned"] = []  # [index, what cancel() answered]
        for i in range(len(lengths) - cancel, len(lengths)):
            answer = watch.futures[i].cancel()
            out["cancel_returned"].append([i, answer])
            ctx.emit(State.RUNNING, f"future {i}.cancel() -> {answer}")
        ctx.emit(State.BLOCKED, "for future in as_completed(futures): waiting for the next")
        out["yields"] = []
        for future in as_completed(index_of, timeout=deadline_for(lengths)):
            i = index_of[future]
            ran = None if future.cancelled() else future.result()
            out["yields"].append({"index": i, "t_ns": now_ns(), "ran": ran})
            if ran is not None:
                lanes.task(*ran[:3])
                lanes.close(ran[0])
            ctx.emit(State.RUNNING, f"as_completed gave future {i} ({len(out['yields'])})")
            ctx.checkpoint()
            ctx.emit(State.BLOCKED, "for future in as_completed(futures): waiting for the next")
    finally:
        watch.stop()
        out["states"] = [[[state, t_ns] for state, t_ns in seen] for seen in watch.seen]


def deadline_for(lengths: list[int]) -> float:
    """as_completed's limit: every task one after another, twice, and start-up time."""
    return 2.0 * sum(lengths) / 1000.0 + 60.0


def submitter_worker(
    ctx: WorkerContext,
    kind: str,
    work: str,
    futures: int,
    task_ms: int,
    workers: int,
    cancel: int,
    out: dict[str, Any],
) -> None:
    """The submitting thread: a warm pool, a lane per Future and per worker, then the loop."""
    lengths = task_lengths(futures, task_ms)
    out.update(lengths_ms=lengths)
    for i, ms in enumerate(lengths):
        ctx.sink.announce(Lane(ctx.lane_id + 1 + i, Kind.TASK, f"future {i} ({ms} ms)", 0))
    flags, stop, mirror = pools.shared_flags(ctx, kind)
    pool: Any = None
    lanes: PoolLanes | None = None
    ended, detail = State.FAILED, "the submitter failed"
    try:
        t_pool = now_ns()
        pool, arrived = pools.started_pool(ctx, kind, workers, flags)
        out["startup_ms"] = round((now_ns() - t_pool) / 1e6, 1)
        idents = [int(arrived[1 + i]) for i in range(workers)]
        out["workers"] = idents
        lanes = PoolLanes(ctx, pools.LANE_NAMES[kind], idents, skip_lanes=futures)  # after futures
        submit_and_collect(ctx, pool, lengths, work, cancel, out, lanes)
        ctx.checkpoint()  # a cancel during the last task must not read as complete
        ended, detail = State.DONE, "pool shut down"
    except Cancelled:
        ended, detail = State.CANCELLED, "cancelled: queued futures dropped"
        raise
    finally:
        ctx.emit(State.BLOCKED, pools.end_call(kind, ended is State.DONE))
        if pool is not None:
            pools.end_pool(pool, completed=ended is State.DONE)
        if lanes is not None:
            lanes.end(ended, detail)
        stop.set()
        if mirror is not None:
            mirror.join()


def build_workers(
    kind: str, work: str, futures: int, task_ms: int, workers: int, cancel: int
) -> list[WorkerSpec]:
    """One submitting thread that owns the pool; its figures land in ``params["out"]``."""
    values = dict(kind=kind, work=work, futures=futures, task_ms=task_ms)
    params = SCENARIO.validate({**values, "workers": workers, "cancel": cancel})
    if cancel > futures:
        raise ValueError(f"cancel ({cancel}) can be at most the number of futures ({futures})")
    return [WorkerSpec("Submitter", submitter_worker, {**params, "out": {}})]


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The raw record the submitter kept (the lab sends it with "finished")."""
    return dict(specs[0].params["out"]) if specs else {}


def deadline_s(params: dict[str, Any]) -> float:
    """Generous: every task one after another, twice over, and a minute to start the pool."""
    return deadline_for(task_lengths(params["futures"], params["task_ms"])) + 30.0


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson."""
    return SCENARIO.command(params)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    from demos.pool_futures_result import summarize
    from demos.twin import finish, parse_and_run, print_lane_summary

    args, params, specs, store = parse_and_run(SCENARIO, argv, __doc__, build_workers, deadline_s)
    figures = summarize(params, result(specs))
    print(f"{args.kind} pool of {args.workers}, {args.futures} futures of about {args.task_ms} ms:")
    print_lane_summary(store)
    print(f"submitted:        {' '.join(map(str, figures.submit_order))}")
    print(f"as_completed:     {' '.join(map(str, figures.yield_order))}")
    print(figures.verdict())
    return finish(args, store, figures.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
