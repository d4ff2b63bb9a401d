"""Concurrency vs parallelism: one job split over N workers, run as threads and as processes.

Concurrency means several jobs are in progress over the same stretch of time, taking turns;
parallelism means they execute at the same instant, on different cores. On a standard (GIL)
build, pure-Python CPU work in threads is concurrent only: the GIL lets one thread run bytecode at
a time. On a free-threaded build (PEP 703) the threads can run in parallel; the verdict says which
the run measured. The same work in processes is parallel on any build, one interpreter per core
(each with its own GIL where there is one). Pin everything to one CPU and even processes can only
take turns. Waiting (the I/O variant) needs no CPU, so it overlaps either way.

    python -m demos.parallelism --workers 2 [--one-core] [--work io] --json
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from demos import platform_support
from demos.context import WorkerContext
from demos.events import Kind, State, now_ns
from demos.exit_status import twin_main
from demos.parallelism_result import ModelRun, ParallelismResult, summarize
from demos.process_worker import SPAWN
from demos.scenario import Param, Scenario, Value
from demos.worker import WorkerSpec

if TYPE_CHECKING:
    from demos.intervals import IntervalStore

# The twin's plumbing (numpy, tracing) is imported inside main(): every spawned worker process
# imports this module to find share_worker, and a lighter import starts the workers sooner.

MODELS = ("threads", "processes")
WORK_KINDS = ("cpu", "io")
SCENARIO = Scenario(
    "demos.parallelism",
    "one job split over N workers: threads (which take turns on a GIL build) against processes",
    (
        Param(
            "workers",
            int,
            2,
            1,
            16,
            caption="&Workers",
            help="How many equal shares the job is cut into, one per worker",
        ),
        Param(
            "total_ms",
            int,
            1200,
            100,
            8000,
            unit="ms",
            caption="&Total work",
            help="How long the whole job takes on one core, before it is split evenly",
        ),
        # The twin runs the job both ways, one after the other: the model is the tab's choice.
        Param(
            "model",
            str,
            "threads",
            choices=MODELS,
            caption="Run the workers as",
            help="threads: one interpreter (one GIL, where there is one); processes: one each",
            cli=False,
        ),
        Param(
            "work",
            str,
            "cpu",
            choices=WORK_KINDS,
            caption="Each share is",
            help="cpu: pure-Python arithmetic; io: waiting (time.sleep)",
        ),
        Param(
            "one_core",
            bool,
            False,
            caption="&One core: pin every worker to the same CPU",
            help="pin every worker to one CPU: each calls os.sched_setaffinity(0, {cpu}) as it "
            "starts (a thread pins only itself, a process its main thread)",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
PIECE_MS = 50.0  # a worker passes a step boundary (pause, cancel) about this often
GATE_ARRIVED, GATE_OPENED_NS, GATE_LAST_DONE_NS, GATE_SLOTS = 0, 1, 2, 3
GATE_POLL_S = 0.001


def one_core_supported() -> bool:
    """True where a worker can pin itself to one CPU (``os.sched_setaffinity``: Linux, BSD)."""
    return platform_support.has_affinity()


def usable_cores() -> int:
    """CPUs this process may run on (affinity and cgroup-cpuset aware where the OS says)."""
    return platform_support.usable_cores()


def chosen_cpu() -> int:
    """The single CPU every worker pins itself to: the lowest one this process may use."""
    return min(os.sched_getaffinity(0))


def pin_to(cpu: int) -> None:
    """Pin the caller to ``cpu``.

    ``sched_setaffinity(0, ...)`` acts on the calling *thread* on Linux, so a worker thread pins
    only itself and the lab's other threads keep every core; the pin ends with the thread. A
    worker process calls it from its main thread, which does all of its work.
    """
    os.sched_setaffinity(0, {cpu})


def new_gate() -> Any:
    """A start gate, shared by threads or processes: [workers arrived, when it opened, when the
    last share was done] (times in ns on the shared clock)."""
    return SPAWN.Array("q", GATE_SLOTS)


def wait_at_gate(ctx: WorkerContext, gate: Any, workers: int) -> None:
    """Hold until every worker has arrived, so the job starts for all at once.

    Without it, the first process would compute while the others are still being spawned and
    compete with it for the CPU, and the figure would measure start-up, not parallelism.
    """
    with gate.get_lock():
        gate[GATE_ARRIVED] += 1
        if gate[GATE_ARRIVED] == workers:
            gate[GATE_OPENED_NS] = now_ns()  # the last to arrive opens it and notes when
    if gate[GATE_OPENED_NS]:
        return
    ctx.emit(State.BLOCKED, f"start gate: waiting for all {workers} workers")
    while not gate[GATE_OPENED_NS]:
        ctx.checkpoint()  # cancel and pause still work here
        time.sleep(GATE_POLL_S)


def share_worker(
    ctx: WorkerContext,
    share_ms: float,
    work: str,
    pin_cpu: int = -1,
    gate: Any = None,
    workers: int = 1,
) -> None:
    """One worker's share of the job: ``share_ms`` of arithmetic (cpu) or of sleeping (io)."""
    if pin_cpu >= 0:
        pin_to(pin_cpu)  # first thing, so every step runs on the one CPU
    if gate is not None:
        wait_at_gate(ctx, gate, workers)
    pieces = max(1, round(share_ms / PIECE_MS))
    piece_ms = share_ms / pieces
    for piece in range(pieces):
        ctx.checkpoint()
        label = f"piece {piece + 1}/{pieces}"
        if work == "io":
            ctx.sleep(piece_ms / 1000.0, f"{label}: {piece_ms:.0f} ms wait (like I/O)")
        else:
            where = f", CPU {pin_cpu}" if pin_cpu >= 0 else ""  # the lab ring keeps 44 bytes
            ctx.compute(piece_ms, f"{label}: {piece_ms:.0f} ms arithmetic{where}")
    if gate is not None:
        with gate.get_lock():  # the job ends when its last share is done, not at process exit
            gate[GATE_LAST_DONE_NS] = max(gate[GATE_LAST_DONE_NS], now_ns())


def validate(values: Mapping[str, object]) -> dict[str, Value]:
    """The settings checked against the scenario, and against what this OS can do."""
    checked = SCENARIO.validate(values)
    if checked["one_core"] and not one_core_supported():
        raise ValueError("one core needs os.sched_setaffinity, which this OS does not have")
    return checked


def worker_kind(model: str = "threads", **_params: object) -> Kind:
    """Threads or processes, as the ``model`` parameter says (the lab asks this)."""
    return Kind.PROCESS if model == "processes" else Kind.THREAD


def build_workers(
    workers: int, total_ms: int, model: str, work: str, one_core: bool = False
) -> list[WorkerSpec]:
    """``workers`` equal shares of ``total_ms`` of work, all pinned to one CPU if asked."""
    validate(
        {
            "workers": workers,
            "total_ms": total_ms,
            "model": model,
            "work": work,
            "one_core": one_core,
        }
    )
    params = {
        "share_ms": total_ms / workers,
        "work": work,
        "pin_cpu": chosen_cpu() if one_core else -1,
        "gate": new_gate(),
        "workers": workers,
    }
    prefix = "Process" if model == "processes" else "Thread"
    return [WorkerSpec(f"{prefix}-{i + 1}", share_worker, params) for i in range(workers)]


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """Facts from where the workers ran (the lab), sent with the "finished" report."""
    pin = int(specs[0].params["pin_cpu"]) if specs else -1
    opened, done = gate_times(specs)
    return {
        "cores": os.cpu_count() or 1,
        "usable_cores": usable_cores(),
        "pinned_cpu": pin,
        "gate_opened_ns": opened,
        "last_done_ns": done,
    }


def gate_times(specs: list[WorkerSpec]) -> tuple[int, int]:
    """When the start gate opened and when the last share was done (0 where it did not happen:
    a run cancelled early)."""
    if not specs:
        return 0, 0
    gate = specs[0].params["gate"]
    return int(gate[GATE_OPENED_NS]), int(gate[GATE_LAST_DONE_NS])


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same job (both models, one after the other)."""
    return SCENARIO.command(params)


def run_model(params: dict[str, Any]) -> tuple[ModelRun, IntervalStore]:
    """Run one model here (threads) or as child processes; its figures and interval store."""
    from demos.twin import run_locally

    specs = build_workers(**params)
    kind = worker_kind(**params)
    timeout_s = params["total_ms"] / 1000.0 * 3 + 15
    run, store = run_locally(kind, specs, timeout_s=timeout_s)
    opened, done = gate_times(specs)
    t_work = opened or run.t_start_ns
    t_end = done or run.t_end_ns() or store.t_last_ns
    return summarize((t_end - t_work) / 1e9, run.work_s(), (t_work - run.t_start_ns) / 1e9), store


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: the same job as threads, then as processes."""
    from demos.trace import write_trace
    from demos.twin import finish, print_lane_summary

    parser, args, checked = SCENARIO.parse(argv, __doc__)
    try:
        params = validate(checked)
    except ValueError as exc:
        parser.error(str(exc))
    base = {k: v for k, v in params.items() if k != "model"}  # the twin runs both models
    pinned = f", pinned to CPU {chosen_cpu()}" if args.one_core else ""
    print(
        f"{args.workers} workers sharing {args.total_ms} ms of {args.work} work "
        f"({os.cpu_count()} cores, {usable_cores()} usable{pinned}):"
    )
    figures: dict[str, ModelRun] = {}
    stores: dict[str, IntervalStore] = {}
    for model in MODELS:
        figures[model], stores[model] = run_model({**base, "model": model})
        print(f"{model}:")
        print_lane_summary(stores[model])
        f = figures[model]
        print(
            f"  elapsed {f.elapsed_s:.2f} s, one after another {f.sequential_s:.2f} s, "
            f"speedup {f.speedup:.2f}x (start-up {f.startup_s:.2f} s not counted)"
        )
    result = ParallelismResult(
        workers=args.workers,
        work=args.work,
        one_core=args.one_core,
        cores=os.cpu_count() or 1,
        usable_cores=usable_cores(),
        threads=figures["threads"],
        processes=figures["processes"],
    )
    print(result.verdict())
    result_line = result.as_json()
    if args.trace:
        # Two runs, two timelines: one trace file per model, beside the name asked for.
        path = Path(args.trace)
        for model in MODELS:
            target = path.with_name(f"{path.stem}.{model}{path.suffix or '.json'}")
            write_trace(stores[model], target, {"result": result_line, "model": model})
            print(f"trace written to {target} (open it in Perfetto or chrome://tracing)")
        args.trace = None
    return finish(args, stores["processes"], result_line)


if __name__ == "__main__":
    raise SystemExit(main())
