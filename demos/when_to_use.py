"""When to use what: the same two workloads measured under every model on this machine.

An I/O-bound workload (N jobs that each wait) and a CPU-bound one (N jobs of pure-Python
arithmetic) each run four ways: one after another, as threads, as coroutines on one asyncio loop,
and as spawned processes. The matrix of elapsed times decides the recommendation, so it says what
this interpreter really does: with the GIL, waiting overlaps in threads and coroutines while
computing only overlaps in processes; on a free-threaded build, busy threads scale too.

    python -m demos.when_to_use [--io-jobs 8 --io-ms 200] [--cpu-jobs 4 --cpu-ms 150]
                                [--switch-interval-ms 5] [--json]
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from demos.context import Control, WorkerContext
from demos.events import Kind, now_ns
from demos.exit_status import twin_main
from demos.parallelism import PIECE_MS, gate_times, new_gate, share_worker
from demos.runtime import Run
from demos.scenario import Param, Scenario
from demos.task_worker import TaskContext
from demos.transport import ListSink
from demos.when_to_use_result import (
    MODELS,
    TIE_FRACTION,
    WORKLOAD_LABELS,
    WORKLOADS,
    WhenToUseResult,
    WorkloadRow,
)
from demos.worker import WorkerSpec

SWITCH_STEPS_MS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)  # the slider's log-ish steps
SCENARIO = Scenario(
    "demos.when_to_use",
    "an I/O-bound and a CPU-bound workload, each run sequentially, as coroutines, threads "
    "and processes",
    (
        Param("io_jobs", int, 8, 1, 32, caption="&I/O jobs", help="How many jobs that wait"),
        Param(
            "io_ms",
            int,
            150,  # 8 x 150 ms keeps the whole matrix near 5 s, process start-up included
            10,
            1000,
            unit="ms",
            caption="I/O &wait per job",
            help="Each job's wait, like a request",
        ),
        Param("cpu_jobs", int, 4, 1, 16, caption="&CPU jobs", help="How many jobs that compute"),
        Param(
            "cpu_ms",
            int,
            150,
            10,
            1000,
            unit="ms",
            caption="CPU work per &job",
            help="Each job's arithmetic",
        ),
        Param(
            "switch_interval_ms",
            float,
            5.0,  # CPython's own default
            0.1,
            50.0,
            unit="ms",
            help="sys.setswitchinterval for the thread runs; restored afterwards",
        ),
        Param(
            "switch_step",
            int,
            SWITCH_STEPS_MS.index(5.0),
            0,
            len(SWITCH_STEPS_MS) - 1,
            caption="GIL &switch interval (threads only)",
            help="sys.setswitchinterval for the thread runs; restored afterwards",
            cli=False,  # the tab's slider position; the run gets SWITCH_STEPS_MS[position]
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
KEY_FUNCTIONS = ("share_worker", "task_job", "run_cell")

Progress = Callable[[str, str, str, dict[str, Any]], None]


def gil_enabled() -> bool:
    """Whether this interpreter runs with a GIL (``sys._is_gil_enabled`` exists from 3.13)."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if callable(probe) else True


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """The settings, typed and checked against the lesson's limits (ValueError says what)."""
    return SCENARIO.validate(params)


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that measures the same matrix."""
    return SCENARIO.command(params)


# ------------------------------------------------------------------ the four models
async def task_job(ctx: TaskContext, job_ms: float, work: str) -> None:
    """One job as a coroutine: I/O awaits; CPU work computes on the loop's only thread, so the
    other tasks wait until it is done (nothing to await in the middle of arithmetic)."""
    pieces = max(1, round(job_ms / PIECE_MS))
    for _ in range(pieces):
        await ctx.acheckpoint()
        if work == "io":
            await ctx.asleep(job_ms / pieces / 1000.0, "await asyncio.sleep (like I/O)")
        else:
            ctx.compute(job_ms / pieces, "arithmetic on the loop thread")


def _sequential(work: str, jobs: int, job_ms: float) -> dict[str, Any]:
    ctx = WorkerContext(0, ListSink(), Control())
    t0 = now_ns()
    for _ in range(jobs):
        share_worker(ctx, job_ms, work)
    return {"elapsed_s": (now_ns() - t0) / 1e9}


def _gated(kind: Kind, work: str, jobs: int, job_ms: float) -> dict[str, Any]:
    """Threads or processes, one per job, timed from the start gate (all workers ready) to the
    last job done. A process's spawn is reported apart as ``startup_s``, as in the parallelism
    lesson: it is what a pool pays once, not a property of the model's parallelism."""
    from demos.twin import run_locally

    gate = new_gate()
    params = {"share_ms": job_ms, "work": work, "gate": gate, "workers": jobs}
    prefix = "Process" if kind is Kind.PROCESS else "Thread"
    specs = [WorkerSpec(f"{prefix}-{i + 1}", share_worker, params) for i in range(jobs)]
    run, _store = run_locally(kind, specs, timeout_s=jobs * job_ms / 1000.0 * 3 + 30)
    opened, done = gate_times(specs)
    if not (opened and done):
        raise RuntimeError(f"{prefix.lower()} run did not finish")
    return {"elapsed_s": (done - opened) / 1e9, "startup_s": (opened - run.t_start_ns) / 1e9}


def _threads(work: str, jobs: int, job_ms: float, switch_interval_ms: float) -> dict[str, Any]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_ms / 1000.0)
    try:
        return _gated(Kind.THREAD, work, jobs, job_ms)
    finally:
        sys.setswitchinterval(previous)  # the interval is process-wide: give it back


def _asyncio(work: str, jobs: int, job_ms: float) -> dict[str, Any]:
    params = {"job_ms": job_ms, "work": work}
    specs = [WorkerSpec(f"task {i + 1}", task_job, params) for i in range(jobs)]

    async def run_tasks() -> Run:
        run = Run(Kind.TASK, specs, ListSink())
        run.start()
        await run.join_async(jobs * job_ms / 1000.0 * 3 + 30)
        return run

    run = asyncio.run(run_tasks())  # its own loop, as a script would have
    end = run.t_end_ns()
    if not end:
        raise RuntimeError("asyncio run did not finish")
    return {"elapsed_s": (end - run.t_start_ns) / 1e9}


def run_cell(work: str, model: str, jobs: int, job_ms: float, switch_ms: float) -> dict[str, Any]:
    """Measure one cell of the matrix: ``jobs`` jobs of ``job_ms`` each under ``model``."""
    if model == "sequential":
        return _sequential(work, jobs, job_ms)
    if model == "threads":
        return _threads(work, jobs, job_ms, switch_ms)
    if model == "asyncio":
        return _asyncio(work, jobs, job_ms)
    return _gated(Kind.PROCESS, work, jobs, job_ms)


def measure(params: dict[str, Any], on_progress: Progress | None = None) -> dict[str, Any]:
    """Run the whole matrix; ``on_progress(event, work, model, figures)`` hears "begin" and
    "cell" for every cell as it happens (the GUI fills its table from it)."""
    params = validate(params)
    switch_ms = float(params["switch_interval_ms"])
    sizes = {
        "io": (params["io_jobs"], params["io_ms"]),
        "cpu": (params["cpu_jobs"], params["cpu_ms"]),
    }
    rows = []
    t0 = time.perf_counter()
    for work in WORKLOADS:
        jobs, job_ms = sizes[work]
        elapsed: dict[str, float] = {}
        startup: float | None = None
        for model in MODELS:
            if on_progress:
                on_progress("begin", work, model, {"t_ns": now_ns()})
            figures = run_cell(work, model, int(jobs), float(job_ms), switch_ms)
            elapsed[model] = round(figures["elapsed_s"], 4)
            if "startup_s" in figures and model == "processes":
                startup = round(figures["startup_s"], 4)
            if on_progress:
                on_progress("cell", work, model, {**figures, "t_ns": now_ns()})
        rows.append(
            WorkloadRow(
                work,
                int(jobs),
                int(job_ms),
                sequential_s=elapsed["sequential"],
                asyncio_s=elapsed["asyncio"],
                threads_s=elapsed["threads"],
                processes_s=elapsed["processes"],
                process_startup_s=startup,
            )
        )
    result = WhenToUseResult(
        rows=tuple(rows),
        gil_enabled=gil_enabled(),
        python=platform.python_version(),
        switch_interval_ms=switch_ms,
        cores=os.cpu_count() or 1,
        total_s=round(time.perf_counter() - t0, 3),
    )
    return result.as_json()


def measure_to(conn: Any, params: dict[str, Any]) -> None:
    """Entry point of the GUI's measuring process (spawned): progress and the result go back
    over ``conn`` as ``(event, work, model, figures)`` tuples, ending with "result" or "error"."""
    from demos.context import lower_priority

    lower_priority()  # the window stays smooth while the matrix computes

    def progress(event: str, work: str, model: str, figures: dict[str, Any]) -> None:
        conn.send((event, work, model, figures))

    try:
        conn.send(("result", "", "", measure(params, progress)))
    except Exception as exc:  # noqa: BLE001 - reported to the window, which shows it
        conn.send(("error", "", "", {"message": f"{type(exc).__name__}: {exc}"}))
    finally:
        conn.close()


def print_matrix(result: dict[str, Any]) -> None:
    """The matrix as a table: elapsed and speedup per cell, the winner starred."""
    print(f"{'':<10}" + "".join(f"{m:>18}" for m in MODELS))
    for work, row in result["matrix"].items():
        cells = []
        for model in MODELS:
            star = "*" if result["winners"][work] == model else " "
            cells.append(f"{row[model]:8.3f} s {result['speedups'][work][model]:5.1f}x{star}")
        print(f"{WORKLOAD_LABELS[work]:<10}" + "".join(f"{c:>18}" for c in cells))


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: the matrix, the winners and the recommendation."""
    from demos.intervals import IntervalStore
    from demos.twin import finish

    parser, args, params = SCENARIO.parse(argv, __doc__)
    gil = "enabled" if gil_enabled() else "disabled (free-threaded build)"
    print(
        f"Python {platform.python_version()}, GIL {gil}, {os.cpu_count()} cores; "
        f"I/O: {args.io_jobs} x {args.io_ms} ms waits; CPU: {args.cpu_jobs} x {args.cpu_ms} ms "
        f"arithmetic; switch interval {args.switch_interval_ms:g} ms"
    )
    result = measure(params)
    print_matrix(result)
    for work, models in result["ties"].items():
        print(
            f"winner {WORKLOAD_LABELS[work]}: {models[0]}"
            + (f" (tied within {TIE_FRACTION:.0%}: {', '.join(models[1:])})" if models[1:] else "")
        )
    startup = result["process_startup_s"]
    if startup:
        print(
            "process start-up (spawn, not counted above): "
            + ", ".join(f"{WORKLOAD_LABELS[w]} {s:.2f} s" for w, s in startup.items())
        )
    print(f"recommendation: {result['recommendation']}")
    print(f"measured in {result['total_s']:.1f} s")
    return finish(args, IntervalStore(), result)


if __name__ == "__main__":
    raise SystemExit(main())
