"""Multiprocessing: what processes buy (speedup on every core) and what they cost (start-up, IPC).

Three measurements, each a real run of spawned worker processes:

- a **speedup sweep**: a fixed amount of pure-Python work cut over 1, 2, ... N processes. A
  "serial fraction" of it runs first in one process while the others wait (Amdahl's law: that
  part never gets faster, so it caps the speedup at ``1 / serial_fraction``);
- **start-up**: how long ``Process.start()`` takes until the new interpreter runs the first line
  of the worker (it imports Python and this module from scratch under ``spawn``);
- **IPC**: a payload sent to a worker process and back over a ``Pipe`` (pickled, copied through
  the kernel twice), then the same bytes through ``multiprocessing.shared_memory`` (written once,
  the worker touches them in place, only a tiny signal crosses the pipe). Its workers live in
  ``demos.ipc_cost``; this module runs the sweep and the twin.

    python -m demos.processes --workers 2 --payload-kb 1024 --json
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING, Any

from demos import platform_support
from demos.context import WorkerContext
from demos.events import Kind, State, now_ns
from demos.exit_status import twin_main
from demos.ipc_cost import PAYLOAD_KB_LIMITS, build_ipc_pair, ipc_figures, is_ipc_pair
from demos.parallelism import GATE_LAST_DONE_NS, GATE_OPENED_NS, usable_cores, wait_at_gate
from demos.process_worker import SPAWN
from demos.processes_result import (
    ProcessesResult,
    SweepPoint,
    summarize,
)
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

if TYPE_CHECKING:
    from demos.intervals import IntervalStore

# numpy and the twin's plumbing are imported where used: every spawned worker imports this
# module to find its function, and a light import is part of the start-up cost we measure.

PHASES = ("sweep", "ipc")
PAYLOAD_STEPS = 16  # the tab's payload slider: position p sends 1 KB * 2**p, so 1 KB ... 64 MB
TWICE_THE_CORES = min(16, 2 * usable_cores())  # the sweep's default end: past the cores, a cap
SCENARIO = Scenario(
    "demos.processes",
    "processes scale CPU work over the cores, at a start-up and a data-moving price",
    (
        Param(
            "phase",
            str,
            "sweep",
            choices=PHASES,
            cli=False,
            help="One run: a point of the sweep or the IPC pair (the twin runs both)",
        ),
        Param(
            "workers",
            int,
            TWICE_THE_CORES,
            1,
            16,
            help="sweep 1..WORKERS processes; twice the cores shows the cap",
        ),
        Param(
            "max_workers",
            int,
            TWICE_THE_CORES,
            1,
            16,
            caption="&Max workers",
            help="The sweep runs 1, 2, ... this many processes (twice the cores shows the cap)",
            cli=False,  # the twin's --workers: a lab run's "workers" is one point of the sweep
        ),
        Param(
            "total_ms",
            int,
            1000,
            200,
            8000,
            unit="ms",
            caption="&Total work",
            help="The whole job's arithmetic, the same at every worker count",
        ),
        Param(
            "serial_pct",
            int,
            0,
            0,
            90,
            unit="%",
            caption="&Serial fraction",
            help="This share of the work runs in one process first while the others wait (Amdahl)",
        ),
        Param(
            "payload_kb",
            int,
            1024,
            *PAYLOAD_KB_LIMITS,
            unit="KB",
            help="sent to a worker process and back, over a Pipe and through shared memory",
        ),
        Param(
            "payload_pos",
            int,
            10,
            0,
            PAYLOAD_STEPS,
            caption="&Payload",
            help="Sent to a worker process and back: 1 KB to 64 MB, doubling",
            cli=False,  # the tab's slider position; the run gets payload_kb = 2**position
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
PIECE_MS = 50.0  # a worker passes a step boundary (pause, cancel) about this often
GATE_SERIAL_DONE_NS = 3  # after the parallelism lesson's slots 0-2 (arrived, opened, last done)
GATE_FIRST_ENTRY = 4  # then one slot per worker: when its first line ran (the shared clock)
POLL_S = 0.001


# ---------------------------------------------------------------- the sweep
def sweep_worker(
    ctx: WorkerContext,
    index: int,
    workers: int,
    serial_ms: float,
    share_ms: float,
    gate: Any,
) -> None:
    """One process of a sweep point: the serial part (process 0 only), then its share."""
    gate[GATE_FIRST_ENTRY + index] = now_ns()  # start-up ends here: the first line of work
    wait_at_gate(ctx, gate, workers)  # all start together, so spawning is not counted as work
    if serial_ms > 0:
        if index == 0:
            _compute(ctx, serial_ms, "serial part")
            gate[GATE_SERIAL_DONE_NS] = now_ns()
        else:
            ctx.emit(State.BLOCKED, "waiting for the serial part")
            while not gate[GATE_SERIAL_DONE_NS]:
                ctx.checkpoint()
                time.sleep(POLL_S)
    _compute(ctx, share_ms, "share")
    with gate.get_lock():  # the job ends when its last share is done, not at process exit
        gate[GATE_LAST_DONE_NS] = max(gate[GATE_LAST_DONE_NS], now_ns())


def _compute(ctx: WorkerContext, total_ms: float, label: str) -> None:
    """``total_ms`` of arithmetic in pieces, passing a step boundary between them."""
    pieces = max(1, round(total_ms / PIECE_MS))
    piece_ms = total_ms / pieces
    for piece in range(pieces):
        ctx.checkpoint()
        ctx.compute(piece_ms, f"{label} {piece + 1}/{pieces}: {piece_ms:.0f} ms")


# ---------------------------------------------------------------- scenario
def payload_kb_at(position: int) -> int:
    """The payload slider's position as KB: 1 KB doubling up to 64 MB."""
    return 1 << max(0, min(PAYLOAD_STEPS, position))


def worker_kind(**_params: object) -> Kind:
    """Every worker of this lesson is a process (the lab asks this)."""
    return Kind.PROCESS


def build_workers(
    phase: str = "sweep",
    workers: int = 2,
    total_ms: int = 1000,
    serial_pct: int = 0,
    payload_kb: int = 1024,
    max_workers: int = 0,
) -> list[WorkerSpec]:
    """One sweep point (``workers`` processes) or the IPC pair (sender and echo).

    ``max_workers`` is the sweep's last point; it names the run, it changes nothing here.
    """
    SCENARIO.validate(
        {
            "phase": phase,
            "workers": workers,
            "max_workers": max_workers or workers,
            "total_ms": total_ms,
            "serial_pct": serial_pct,
            "payload_kb": payload_kb,
        }
    )
    if phase == "ipc":
        return build_ipc_pair(payload_kb)
    serial_ms = total_ms * serial_pct / 100.0
    gate = SPAWN.Array("q", GATE_FIRST_ENTRY + workers)
    return [
        WorkerSpec(
            f"Process-{i + 1}",
            sweep_worker,
            {
                "index": i,
                "workers": workers,
                "serial_ms": serial_ms,
                "share_ms": (total_ms - serial_ms) / workers,
                "gate": gate,
            },
        )
        for i in range(workers)
    ]


def start_methods() -> tuple[str, str]:
    """The start method our workers use, and this platform's default one."""
    return SPAWN.get_start_method(), platform_support.default_start_method()


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """Figures from shared memory, read where the run happened (sent with "finished")."""
    method, default = start_methods()
    figures: dict[str, Any] = {
        "cores": usable_cores(),
        "start_method": method,
        "default_start_method": default,
    }
    if is_ipc_pair(specs):
        figures.update(ipc_figures(specs))  # and closes this process's ends of the pipe
    elif specs:
        gate = specs[0].params["gate"]
        figures.update(
            {
                "gate_opened_ns": int(gate[GATE_OPENED_NS]),
                "last_done_ns": int(gate[GATE_LAST_DONE_NS]),
                "entry_ns": [int(gate[GATE_FIRST_ENTRY + i]) for i in range(len(specs))],
            }
        )
    return figures


def startup_ms(t_start_ns: int, entry_ns: list[int]) -> float:
    """``Process.start()`` of the first process to its first line of work (0 if unknown)."""
    first = entry_ns[0] if entry_ns else 0
    return round((first - t_start_ns) / 1e6, 1) if first > t_start_ns else 0.0


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson: the whole sweep, up to its last point."""
    return SCENARIO.command({**params, "workers": params.get("max_workers") or params["workers"]})


# ---------------------------------------------------------------- the twin
def run_point(
    workers: int, total_ms: int, serial_pct: int, one_process_s: float = 0.0
) -> tuple[SweepPoint, float, IntervalStore]:
    """Run one sweep point here (processes as children): figures, start-up ms, timeline."""
    from demos.twin import run_locally

    specs = build_workers("sweep", workers, total_ms, serial_pct)
    run, store = run_locally(Kind.PROCESS, specs, timeout_s=3 * total_ms / 1000 + 30)
    figures = result(specs)
    opened, done = figures["gate_opened_ns"], figures["last_done_ns"]
    if not opened < done:
        raise RuntimeError(f"the {workers}-process run did not complete")
    elapsed_s = (done - opened) / 1e9
    baseline = one_process_s or elapsed_s  # the first point of a sweep is its own baseline
    point = summarize(
        elapsed_s, baseline, run.work_s(), workers, serial_pct / 100, figures["cores"]
    )
    return point, startup_ms(run.t_start_ns, figures["entry_ns"]), store


def run_ipc(payload_kb: int) -> dict[str, Any]:
    """Time the pipe and shared memory for ``payload_kb`` with a sender and an echo process."""
    from demos.twin import run_locally

    specs = build_workers("ipc", payload_kb=payload_kb)
    run, _ = run_locally(Kind.PROCESS, specs, timeout_s=120)
    figures = result(specs)
    states = {w.outcome.state for w in run.workers}
    if states != {State.DONE}:
        messages = [w.outcome.message for w in run.workers if w.outcome.message]
        raise RuntimeError(f"the IPC run did not complete: {messages}")
    return figures


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: the sweep, start-up, then IPC for one payload size."""
    from demos.twin import finish

    cores = usable_cores()
    _parser, args, _params = SCENARIO.parse(argv, __doc__)
    method, default = start_methods()
    print(f"{cores} cores; start method {method} (this platform's default: {default})")
    print(
        f"{args.total_ms} ms of arithmetic, {args.serial_pct}% serial, over 1..{args.workers} "
        "processes:"
    )
    sweep: list[SweepPoint] = []
    startups: list[float] = []
    for n in range(1, args.workers + 1):
        baseline = sweep[0].elapsed_s if sweep else 0.0
        point, spawn, store = run_point(n, args.total_ms, args.serial_pct, baseline)
        sweep.append(point)
        startups.append(spawn)
        print(
            f"  {n:>2} processes: elapsed {point.elapsed_s:.2f} s, speedup "
            f"{point.speedup:.2f}x (Amdahl {point.amdahl:.2f}x)"
        )
    spawn_ms = round(statistics.median(startups), 1)
    print(f"start-up: Process.start() to the first line of work, median {spawn_ms:.0f} ms")
    ipc = run_ipc(args.payload_kb)
    result = ProcessesResult(
        cores=cores,
        start_method=method,
        default_start_method=default,
        total_ms=args.total_ms,
        serial_pct=args.serial_pct,
        workers=args.workers,
        sweep=tuple(sweep),
        spawn_ms=spawn_ms,
        payload_kb=args.payload_kb,
        ipc_ms=ipc["ipc_ms"],
        shm_ms=ipc["shm_ms"],
        pickle_ms=ipc["pickle_ms"],
        rounds=ipc["rounds"],
    )
    print(
        f"IPC, {args.payload_kb} KB there and back (median of {ipc['rounds']}): Pipe "
        f"{ipc['ipc_ms']:.2f} ms (pickling alone {ipc['pickle_ms']:.2f} ms), shared memory "
        f"{ipc['shm_ms']:.2f} ms"
    )
    print(result.verdict())
    result_line = result.as_json()
    return finish(args, store, result_line)  # the trace holds the largest sweep point


if __name__ == "__main__":
    raise SystemExit(main())
