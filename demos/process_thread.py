"""Program, process and thread: who shares memory with whom, and what each kind costs to start.

Isolation: N workers each add 1 to ``COUNTER`` (a module-level global) K times, then wait for
the others and read it.

- ``threads``: all run inside one process, so there is one ``COUNTER``: every thread, and the
  process that started them, sees N x K.
- ``processes``: each spawned process imported this module afresh and got its own ``COUNTER``:
  each sees K, and the parent's ``COUNTER`` is still 0.
- ``value``: the processes add to a ``multiprocessing.Value`` instead (shared memory with a lock):
  everyone sees N x K again. Processes share only what is explicitly placed in shared memory.

Cost: start 1..N idle threads and 1..N spawned processes; per worker, the time from ``start()`` to
its first line, and the memory (RSS) it adds.

    python -m demos.process_thread --workers 4 --json
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from demos.context import WorkerContext
from demos.events import Kind, State
from demos.exit_status import twin_main
from demos.process_cost import COST_WAIT_S as COST_WAIT_S
from demos.process_cost import CostRoundBroken, measure_cost
from demos.process_cost import cost_counts as cost_counts
from demos.process_thread_result import IsolationResult
from demos.process_worker import SPAWN
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

# psutil and the twin's plumbing are imported where used: every spawned worker imports this
# module, and its import time is part of the process start-up cost we measure.

MODELS = ("threads", "processes", "value")
PHASES = ("isolation", "cost")
SCENARIO = Scenario(
    "demos.process_thread",
    "threads share one COUNTER, processes each own a copy; and what each costs to start",
    (
        # The twin plays every model and the cost table in one go: phase and model are the tab's.
        Param("phase", str, "isolation", choices=PHASES, help="isolation or cost", cli=False),
        Param(
            "model",
            str,
            "threads",
            choices=MODELS,
            help="who adds to what: threads to one COUNTER, processes to their own, or a Value",
            cli=False,
        ),
        Param(
            "workers",
            int,
            4,
            1,
            32,
            caption="&Workers",
            help="N workers; the cost run measures 1, 2, 4 ... up to N of each kind",
        ),
        Param(
            "increments",
            int,
            10_000,
            1,
            100_000,
            caption="&Increments each",
            help="K: how many times each worker adds 1 to COUNTER",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
CHECK_EVERY = 500  # increments between step boundaries (pause, cancel)
WAIT_FOR_OTHERS_S = 60.0  # a worker stops waiting for slow siblings after this long
POLL_S = 0.005

# The variable the lesson is about. Each process has its own; threads of one process share it.
COUNTER = 0
COUNTER_LOCK = threading.Lock()  # so the race lesson's lost updates do not blur this one


# ------------------------------------------------------------------ isolation
def new_board(workers: int) -> Any:
    """Shared slots the workers report through: done flags, what each saw, pid and thread id.

    The board is how the lesson reads its results back, so it is shared memory in every model;
    the variable being demonstrated is ``COUNTER`` (or the Value), not the board.
    """
    return SPAWN.RawArray("q", 4 * workers)


def increment_worker(
    ctx: WorkerContext,
    model: str,
    index: int,
    workers: int,
    increments: int,
    board: Any,
    value: Any = None,
) -> None:
    """Add 1 to the global (or to ``value``) ``increments`` times, wait for all, read it back."""
    global COUNTER
    target = "Value" if model == "value" else "COUNTER"
    ctx.emit(State.RUNNING, f"{target} += 1, {increments} times")
    for done in range(increments):
        if done % CHECK_EVERY == 0:
            ctx.checkpoint()
        if value is not None:
            with value.get_lock():  # += on a Value is a read then a write: the lock makes it one
                value.value += 1
        else:
            with COUNTER_LOCK:
                COUNTER += 1
    board[index] = 1
    ctx.emit(State.WAITING, "waiting for the other workers")
    deadline = time.perf_counter() + WAIT_FOR_OTHERS_S
    while not all(board[i] for i in range(workers)) and time.perf_counter() < deadline:
        ctx.checkpoint()
        ctx.sink.flush_if_due()
        time.sleep(POLL_S)
    seen = value.value if value is not None else COUNTER
    board[workers + index] = seen
    board[2 * workers + index] = os.getpid()
    board[3 * workers + index] = threading.get_native_id()
    ctx.emit(State.RUNNING, f"read {target} = {seen}"[:44])


def cost_worker(ctx: WorkerContext, max_workers: int, figures: dict[str, Any]) -> None:
    """Measure start time and memory of threads and processes, from inside the lab."""
    ctx.emit(State.RUNNING, f"starting 1..{max_workers} of each")

    def stop() -> bool:
        ctx.sink.flush_if_due()
        return ctx.control.cancelled

    try:
        figures.update(measure_cost(max_workers, stop).as_json())
    except CostRoundBroken as exc:
        figures["error"] = str(exc)  # the lesson shows why, and no figure
        raise
    ctx.checkpoint()


def worker_kind(phase: str = "isolation", model: str = "threads", **_params: object) -> Kind:
    """Threads for the threads model and for the cost run (it starts its own); else processes."""
    return Kind.PROCESS if phase == "isolation" and model != "threads" else Kind.THREAD


def build_workers(
    phase: str = "isolation",
    model: str = "threads",
    workers: int = 4,
    increments: int = 10_000,
) -> list[WorkerSpec]:
    """The isolation run's N workers, or the single worker that measures the cost."""
    global COUNTER
    SCENARIO.validate(
        {"phase": phase, "model": model, "workers": workers, "increments": increments}
    )
    if phase == "cost":
        return [WorkerSpec("Measure", cost_worker, {"max_workers": workers, "figures": {}})]
    COUNTER = 0  # the parent's copy, before the run: processes must leave it so
    board = new_board(workers)
    value = SPAWN.Value("q", 0) if model == "value" else None
    prefix = "Thread" if model == "threads" else "Process"
    return [
        WorkerSpec(
            f"{prefix}-{i + 1}",
            increment_worker,
            {
                "model": model,
                "index": i,
                "workers": workers,
                "increments": increments,
                "board": board,
                **({"value": value} if value is not None else {}),
            },
        )
        for i in range(workers)
    ]


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """What each worker saw and what the parent sees now (read where the run happened), as
    :class:`IsolationResult` JSON; or the cost run's :class:`CostResult` JSON."""
    if not specs:
        return {}
    params = specs[0].params
    if "figures" in params:
        return {"phase": "cost", **params["figures"]}
    return isolation_result(params).as_json()


def isolation_result(params: dict[str, Any]) -> IsolationResult:
    """The isolation figures from the workers' board (and the Value, or this COUNTER)."""
    n, k = params["workers"], params["increments"]
    board = params["board"]
    value = params.get("value")
    return IsolationResult(
        model=params["model"],
        workers=n,
        increments=k,
        expected_total=n * k,
        saw=tuple(int(board[n + i]) for i in range(n)),
        pids=tuple(int(board[2 * n + i]) for i in range(n)),
        thread_ids=tuple(int(board[3 * n + i]) for i in range(n)),
        parent_sees=int(value.value) if value is not None else COUNTER,
        parent_pid=os.getpid(),
    )


def verdict(figures: dict[str, Any]) -> bool:
    """True when the run showed what its model teaches (see :meth:`IsolationResult.as_taught`)."""
    return IsolationResult.from_json(figures).as_taught()


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson."""
    return SCENARIO.command(params)


# ---------------------------------------------------------------- the twin
def run_isolation(model: str, workers: int, increments: int) -> dict[str, Any]:
    """One isolation run here (threads) or as children of this process."""
    from demos.twin import run_locally

    specs = build_workers("isolation", model, workers, increments)
    run_locally(worker_kind("isolation", model), specs, timeout_s=120)
    return result(specs)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: the three isolation runs side by side, then the cost table."""
    from demos.intervals import IntervalStore
    from demos.twin import finish

    parser, args, params = SCENARIO.parse(argv, __doc__)
    n, k = int(params["workers"]), int(params["increments"])
    print(f"{n} workers each add 1 to COUNTER {k} times (expected total {n * k}):")
    print(f"  {'model':<10} {'each worker saw':<22} {'parent sees':>12}  as taught")
    runs = {}
    for model in MODELS:
        figures = run_isolation(model, n, k)
        runs[model] = figures
        saw = sorted(set(figures["saw"]))
        seen = f"all {saw[0]}" if len(saw) == 1 else ", ".join(map(str, figures["saw"]))
        ok = "yes" if verdict(figures) else "NO"
        print(f"  {model:<10} {seen:<22} {figures['parent_sees']:>12}  {ok}")
    for model, figures in runs.items():
        print(f"  {model}: {figures['verdict']}")
    cost = measure_cost(n)
    print("start-up (start() to first line, median) and memory (RSS) per worker:")
    header = ("workers", "thread ms", "process ms", "thread MB", "process MB")
    print("  " + " ".join(f"{h:>11}" for h in header))
    for row in cost.rows:
        print(
            f"  {row.workers:>11} {row.thread_start_ms:>11.3f}"
            f" {row.process_start_ms:>11.1f} {row.thread_rss_mb:>11.3f}"
            f" {row.process_rss_mb:>11.1f}"
        )
    print(cost.verdict())
    cost_json = {key: v for key, v in cost.as_json().items() if key != "phase"}
    line = {
        "workers": n,
        "increments": k,
        "threads_see_shared": verdict(runs["threads"]),
        "processes_isolated": verdict(runs["processes"]),
        "value_shared": verdict(runs["value"]),
        "isolation": {m: {k: r[k] for k in ("saw", "parent_sees")} for m, r in runs.items()},
        **cost_json,
    }
    return finish(args, IntervalStore(), line)


if __name__ == "__main__":
    raise SystemExit(main())
