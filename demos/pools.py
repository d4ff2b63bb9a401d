"""Pools: ``Executor.map`` / ``Pool.imap`` over many small tasks, and what ``chunksize`` does.

One submitting thread runs every task itself (the one-process baseline), starts a thread pool, a
``spawn`` process pool or a ``spawn`` ``multiprocessing.Pool``, waits until each worker is up
(start-up is kept apart) and calls ``pool.map(task, items, chunksize=C)`` (the Pool:
``pool.imap(task, items, C)``), at one C or, with ``--sweep``, at several in turn.
A process pool pickles every chunk there and its results back: with thousands of tiny tasks and
C = 1 that costs more than the work; in chunks of hundreds it is paid once per chunk. A thread
pool sends nothing (it ignores C) but, on a GIL build, shares one GIL: there it speeds up
waiting, not computing (free-threaded, its computing threads can run in parallel).

    python -m demos.pools --kind process --tasks 10000 --task-us 50 --chunksize 1 --workers 2
    python -m demos.pools --kind mp --tasks 10000 --task-us 50 --chunksize 500 --workers 2
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import Pool
from typing import Any

from demos import workloads
from demos.context import CANCEL_FLAG, CONTROL_SIZE, PAUSE_FLAG, POLL_S, Cancelled, WorkerContext
from demos.events import Kind, State, now_ns
from demos.exit_status import twin_main
from demos.parallelism import usable_cores
from demos.pool_lanes import PoolLanes
from demos.pool_result import summarize
from demos.pool_wait import cancellable
from demos.process_worker import SPAWN
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

# The twin's plumbing is imported in main(): each pool process imports this module, keep it light.

# thread: ThreadPoolExecutor; process: ProcessPoolExecutor; mp: multiprocessing.Pool.
KINDS = ("thread", "process", "mp")
SIZE_HELP = "How long one task takes when it runs alone"
CHUNK_HELP = "Tasks sent to a worker process in one message (a thread pool ignores it)"
SCENARIO = Scenario(
    "demos.pools",
    "Executor.map over many small tasks: chunksize decides whether a process pool pays off",
    (
        Param("kind", str, "process", choices=KINDS, help="Which pool runs map()"),
        Param("work", str, "cpu", choices=("cpu", "io"), help="What a task does: compute or sleep"),
        Param("tasks", int, 10000, 10, 50000, caption="&Tasks", help="Items passed to map()"),
        Param("task_us", int, 50, 1, 5000, unit="µs", caption="Task &size", help=SIZE_HELP),
        Param("chunksize", int, 1, 1, 10000, caption="&Chunksize", help=CHUNK_HELP),
        Param("workers", int, 2, 1, 16, caption="&Workers", help="max_workers of the pool"),
        Param(
            "sweep",
            bool,
            False,
            caption="Sweep chunksi&zes 1, 4, 16, ... in one run",
            help="also measure a range of chunksizes, one step each",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
MAX_WORK_S = 20.0  # tasks x task size: the one-process baseline alone takes this long at most
SWEEP_FACTOR = 4  # the sweep's chunksizes: 1, 4, 16, ... up to one chunk per worker
STARTUP_DEADLINE_S = 60.0
CHECK_EVERY_S = 0.01  # the baseline passes a checkpoint this often
# Each pool worker's lane: its kind, and a name that tells which API ran it.
LANE_NAMES = {
    "thread": (Kind.THREAD, "pool Thread"),
    "process": (Kind.PROCESS, "pool Process"),
    "mp": (Kind.PROCESS, "Pool worker"),
}
KEY_FUNCTIONS = ("pool_task", "start_pool", "map_in_order", "end_pool", "submitter_worker")

# Set in every pool worker by _init_worker: the run's pause/cancel flags, and its identity.
_FLAGS: Any = bytearray(CONTROL_SIZE)
_ARRIVED: Any = None
_PROCESS_IDENT = 0


def _init_worker(flags: Any, arrived: Any, kind: str) -> None:
    """Pool initializer: keep the flags, and say "I am up" with this worker's OS identity."""
    global _FLAGS, _ARRIVED, _PROCESS_IDENT
    _FLAGS, _ARRIVED = flags, arrived
    if kind != "thread":
        _PROCESS_IDENT = os.getpid()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the submitter's to handle
    with arrived.get_lock():
        arrived[0] += 1
        arrived[arrived[0]] = _PROCESS_IDENT or threading.get_native_id()


def _warm_up(workers: int) -> None:
    """Wait for all ``workers``: a pool starts another worker only while none is idle."""
    deadline = time.perf_counter() + STARTUP_DEADLINE_S
    while _ARRIVED[0] < workers and not _FLAGS[CANCEL_FLAG] and time.perf_counter() < deadline:
        time.sleep(POLL_S)


def pool_task(size: int) -> tuple[int, int, int]:
    """One task: ``size`` spin iterations (cpu) or, when negative, ``-size`` µs asleep (io).
    Returns who ran it and when (the shared clock); paused it waits, cancelled it skips work."""
    while _FLAGS[PAUSE_FLAG] and not _FLAGS[CANCEL_FLAG]:
        time.sleep(POLL_S)
    t0 = now_ns()
    if not _FLAGS[CANCEL_FLAG]:
        if size >= 0:
            workloads.spin(size)
        else:
            time.sleep(-size / 1e6)
    return _PROCESS_IDENT or threading.get_native_id(), t0, now_ns()


def task_size(work: str, task_us: int) -> int:
    """The argument of :func:`pool_task` for ``task_us`` of ``work`` on this machine."""
    return (
        -task_us if work == "io" else max(1, round(task_us * workloads.iterations_per_ms() / 1e3))
    )


def sweep_chunksizes(tasks: int, workers: int, chosen: int) -> list[int]:
    """1, 4, 16, ... up to one chunk per worker, and the chosen chunksize."""
    top = max(1, -(-tasks // workers))
    powers = {SWEEP_FACTOR**i for i in range(top.bit_length())} if top > 1 else {1}
    return sorted({min(chosen, tasks), top} | {n for n in powers if n < top})


def _baseline(ctx: WorkerContext, size: int, tasks: int) -> tuple[int, int]:
    """Every task in this thread, one after another; returns (start, end) ns."""
    ctx.emit(State.RUNNING, f"one process: {tasks} tasks one after another")
    t0 = now_ns()
    batch = max(1, int(CHECK_EVERY_S * 1e9 / max(1, pool_task(size)[2] - t0)))
    for start in range(1, tasks, batch):  # the first task above measured one task's time
        ctx.checkpoint()
        for _ in range(min(batch, tasks - start)):
            pool_task(size)
    return t0, now_ns()


def start_pool(kind: str, workers: int, args: tuple[Any, ...]) -> Executor | Pool:
    """The pool; the caller waits until all its workers are up."""
    if kind == "mp":  # starts all its workers now, each running _init_worker
        return SPAWN.Pool(workers, initializer=_init_worker, initargs=args)
    executor: Executor
    if kind == "process":
        executor = ProcessPoolExecutor(workers, SPAWN, initializer=_init_worker, initargs=args)
    else:
        executor = ThreadPoolExecutor(workers, "pool", initializer=_init_worker, initargs=args)
    for _ in range(workers):  # an executor starts a worker per submit while none is idle
        executor.submit(_warm_up, workers)
    return executor


def map_in_order(
    ctx: WorkerContext, pool: Executor | Pool, items: list[int], chunk: int
) -> Iterator[Any]:
    """Each task's result, in the items' order, as it arrives."""
    if isinstance(pool, Pool):
        # Pool.map would wait for the whole list. A Pool worker that dies with its chunk is
        # replaced, but that chunk's results never come: cancellable() still sees Cancel.
        return cancellable(ctx, pool.imap(pool_task, items, chunk))
    return pool.map(pool_task, items, chunksize=chunk)


def end_pool(pool: Executor | Pool, completed: bool) -> None:
    """Let the workers finish and exit; after a cancel or a failure, drop what is pending."""
    if isinstance(pool, Pool):
        if completed:
            pool.close()  # no more tasks: each worker exits once the queue is empty
        else:
            pool.terminate()  # SIGTERM to every worker, pending chunks dropped
        pool.join()
    else:
        pool.shutdown(wait=True, cancel_futures=True)


def end_call(kind: str, completed: bool) -> str:
    """What :func:`end_pool` calls, for the submitter's lane."""
    if kind != "mp":
        return "pool.shutdown(wait=True, cancel_futures=True)"
    return "pool.close(); pool.join()" if completed else "pool.terminate(); pool.join()"


def started_pool(ctx: WorkerContext, kind: str, workers: int, flags: Any) -> tuple[Any, Any]:
    """A pool whose ``workers`` workers are all up (start-up is not work); (pool, arrived)."""
    arrived = SPAWN.Array("q", 1 + workers)
    ctx.emit(State.RUNNING, f"starting a {kind} pool of {workers}")
    pool = start_pool(kind, workers, (flags, arrived, kind))
    try:
        ctx.emit(State.BLOCKED, "waiting for every pool worker to start")
        deadline = time.perf_counter() + STARTUP_DEADLINE_S
        while arrived[0] < workers:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"only {arrived[0]} of {workers} pool workers started")
            ctx.checkpoint()
            time.sleep(POLL_S)
    except BaseException:
        end_pool(pool, completed=False)
        raise
    return pool, arrived


def _mirror(flags: Any, shared: Any, stop: threading.Event) -> None:
    """Copy a private flag buffer into shared memory, for pool processes (twin only)."""
    while not stop.wait(POLL_S):
        shared[PAUSE_FLAG], shared[CANCEL_FLAG] = flags[PAUSE_FLAG], flags[CANCEL_FLAG]


def shared_flags(
    ctx: WorkerContext, kind: str
) -> tuple[Any, threading.Event, threading.Thread | None]:
    """The run's pause/cancel flags as the pool's workers can read them; (flags, the event that
    stops the mirror, the mirror thread or None). Set the event and join the thread at the end."""
    flags, stop, mirror = ctx.control.flags, threading.Event(), None
    if kind != "thread" and isinstance(flags, bytearray):
        # A private buffer (the terminal twin's) does not reach other processes: mirror it.
        flags = SPAWN.RawArray("b", CONTROL_SIZE)
        mirror = threading.Thread(target=_mirror, args=(ctx.control.flags, flags, stop))
        mirror.start()
    return flags, stop, mirror


def submitter_worker(
    ctx: WorkerContext,
    kind: str,
    work: str,
    tasks: int,
    task_us: int,
    chunksize: int,
    workers: int,
    sweep: bool,
    out: dict[str, Any],
) -> None:
    """The submitting thread: the baseline, then the pool's map() at each chunksize."""
    size = task_size(work, task_us)
    out.update(baseline_ns=_baseline(ctx, size, tasks), steps=[], cores=usable_cores())
    flags, stop, mirror = shared_flags(ctx, kind)
    t_pool = now_ns()
    pool: Executor | Pool | None = None
    lanes: PoolLanes | None = None
    ended, detail = State.FAILED, "the submitter failed"
    try:
        pool, arrived = started_pool(ctx, kind, workers, flags)
        out["startup_ms"] = round((now_ns() - t_pool) / 1e6, 1)
        lanes = PoolLanes(ctx, LANE_NAMES[kind], [int(arrived[1 + i]) for i in range(workers)])
        items = [size] * tasks
        for chunk in sweep_chunksizes(tasks, workers, chunksize) if sweep else [chunksize]:
            ctx.checkpoint()
            call = f"imap(task, {tasks} items, {chunk})"
            if kind != "mp":
                call = f"map(task, {tasks} items, chunksize={chunk})"
            ctx.emit(State.RUNNING, f"{call}: submitting")
            t0 = now_ns()
            results = map_in_order(ctx, pool, items, chunk)
            ctx.emit(State.BLOCKED, f"chunksize={chunk}: waiting for results, in order")
            for count, (ident, start, end) in enumerate(results, 1):
                lanes.task(ident, start, end)
                if count % 64 == 0:
                    ctx.checkpoint()  # never mid-way through the bookkeeping
            out["steps"].append({"chunksize": chunk, "t0_ns": t0, "t1_ns": now_ns()})
            for ident in list(lanes.open):
                lanes.close(ident)
        ctx.checkpoint()  # a cancel during the last step must not read as complete
        ended, detail = State.DONE, "pool shut down"
    except Cancelled:
        ended, detail = State.CANCELLED, "cancelled: pending chunks dropped"
        raise
    finally:
        if pool is not None:
            ctx.emit(State.BLOCKED, end_call(kind, ended is State.DONE))
            end_pool(pool, completed=ended is State.DONE)
        if lanes is not None:
            lanes.end(ended, detail)
        stop.set()
        if mirror is not None:
            mirror.join()


def build_workers(
    kind: str, work: str, tasks: int, task_us: int, chunksize: int, workers: int, sweep: bool
) -> list[WorkerSpec]:
    """One submitting thread that owns the pool; its figures land in ``params["out"]``."""
    values = dict(kind=kind, work=work, tasks=tasks, task_us=task_us, chunksize=chunksize)
    params = SCENARIO.validate({**values, "workers": workers, "sweep": sweep})
    if tasks * task_us / 1e6 > MAX_WORK_S:
        raise ValueError(
            f"tasks x task_us must be at most {MAX_WORK_S:g} s of work, not "
            f"{tasks * task_us / 1e6:g} s"
        )
    return [WorkerSpec("Submitter", submitter_worker, {**params, "out": {}})]


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The raw timings the submitter recorded (the lab sends them with "finished"); the tab
    turns them into a :class:`PoolsResult` with :func:`summarize`, as only it knows how long the
    run was paused."""
    return dict(specs[0].params["out"]) if specs else {}


def deadline_s(params: dict[str, Any]) -> float:
    """Generous: the baseline and every step three times over, plus time to start the pool."""
    steps = len(sweep_chunksizes(params["tasks"], params["workers"], params["chunksize"]))
    one_pass_s = float(params["tasks"] * (params["task_us"] + 500)) / 1e6
    return 3.0 * (1 + (steps if params["sweep"] else 1)) * one_pass_s + 60.0


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson."""
    return SCENARIO.command(params)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    from demos.twin import finish, parse_and_run, print_lane_summary

    args, params, specs, store = parse_and_run(SCENARIO, argv, __doc__, build_workers, deadline_s)
    figures = summarize(params, result(specs))
    what = f"{args.tasks} tasks of {args.task_us} µs ({args.work})"
    print(f"{args.kind} pool of {args.workers}, {what}, {figures.cores} usable cores:")
    print_lane_summary(store)
    print(f"one process: {figures.baseline_s:.3f} s; start-up {figures.startup_ms:.0f} ms")
    for step in figures.steps:
        print(
            f"  chunksize {step.chunksize:>5}: {step.elapsed_s:.3f} s, "
            f"speedup {step.speedup:.2f}x, {step.us_per_task:g} µs per task"
        )
    print(figures.verdict())
    return finish(args, store, figures.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
