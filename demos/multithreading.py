"""Multithreading lesson: the deck's two tasks, generalised to N threads of S steps.

I/O steps (``time.sleep``) release the GIL, so the threads wait at the same time and the run
takes about as long as one thread. CPU steps (pure-Python arithmetic) need the GIL, so only one
thread computes at any moment and the run takes about as long as doing the work one after another.

    python -m demos.multithreading --threads 2 --steps 5 --step-ms 1000 --kind io --json
"""

from __future__ import annotations

import argparse
from typing import Any

from demos.context import WorkerContext
from demos.events import Kind
from demos.twin import add_common_arguments, finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
STEP_KINDS = ("io", "cpu")
LIMITS = {"threads": (1, 64), "steps": (1, 50), "step_ms": (10, 2000)}
MAX_DEADLINE_S = 3600.0  # --deadline-s, for scripts and tests that want a missed deadline
DEFAULTS = {"threads": 2, "steps": 5, "step_ms": 1000, "kind": "io", "fail_worker": -1}


def step_worker(
    ctx: WorkerContext, steps: int, step_ms: int, kind: str, fail_at_step: int = -1
) -> None:
    """One thread of the lesson: ``steps`` steps of sleeping or computing ``step_ms`` each."""
    for step in range(steps):
        ctx.checkpoint()
        if step == fail_at_step:
            raise RuntimeError(f"raised on purpose at step {step + 1}")
        label = f"step {step + 1}/{steps}"
        if kind == "io":
            ctx.sleep(step_ms / 1000.0, f"{label}: time.sleep({step_ms / 1000:g})")
        else:
            ctx.compute(step_ms, f"{label}: {step_ms} ms of arithmetic")


def validate(threads: int, steps: int, step_ms: int, kind: str) -> None:
    """Reject settings outside the lesson's limits with a clear message."""
    for name, value in (("threads", threads), ("steps", steps), ("step_ms", step_ms)):
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    if kind not in STEP_KINDS:
        raise ValueError(f"kind must be one of {', '.join(STEP_KINDS)}, not {kind!r}")


def build_workers(
    threads: int, steps: int, step_ms: int, kind: str, fail_worker: int = -1
) -> list[WorkerSpec]:
    """The workers of one run; ``fail_worker`` (0-based) raises half-way, to show FAILED."""
    validate(threads, steps, step_ms, kind)
    return [
        WorkerSpec(
            f"Thread-{i + 1}",
            step_worker,
            {
                "steps": steps,
                "step_ms": step_ms,
                "kind": kind,
                "fail_at_step": steps // 2 if i == fail_worker else -1,
            },
        )
        for i in range(threads)
    ]


def nominal_s(params: dict[str, Any]) -> float:
    """The work as asked for: threads x steps x step duration."""
    return float(params["threads"] * params["steps"] * params["step_ms"]) / 1000.0


def summarize(params: dict[str, Any], elapsed_s: float, work_s: float) -> dict[str, Any]:
    """Elapsed against the same work done one after another, and the speedup.

    ``work_s`` is measured: seconds slept plus each thread's own CPU time spent computing.
    Done one after another, the work would take exactly that long.
    """
    sequential_s = round(work_s, 4)
    return {
        "threads": params["threads"],
        "steps": params["steps"],
        "step_ms": params["step_ms"],
        "kind": params["kind"],
        "elapsed_s": round(elapsed_s, 4),
        "sequential_s": sequential_s,
        "speedup": round(sequential_s / elapsed_s, 3) if elapsed_s > 0 else 0.0,
    }


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson (the failing thread is GUI-only)."""
    return (
        f"python -m demos.multithreading --threads {params['threads']} --steps {params['steps']}"
        f" --step-ms {params['step_ms']} --kind {params['kind']}"
    )


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser = argparse.ArgumentParser(
        prog="python -m demos.multithreading",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--threads", type=int, default=DEFAULTS["threads"])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"])
    parser.add_argument("--step-ms", type=int, default=DEFAULTS["step_ms"])
    parser.add_argument("--kind", choices=STEP_KINDS, default=DEFAULTS["kind"])
    parser.add_argument(
        "--fail-worker",
        type=int,
        metavar="N",
        help="make thread N (1-based) raise half-way, to see a failure (exit status 1)",
    )
    parser.add_argument(
        "--deadline-s",
        type=float,
        metavar="S",
        help="cancel the run if it takes longer (default: 3 x the nominal work + 10 s)",
    )
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    params = {
        "threads": args.threads,
        "steps": args.steps,
        "step_ms": args.step_ms,
        "kind": args.kind,
    }
    try:
        specs = build_workers(**params, fail_worker=(args.fail_worker or 0) - 1)
    except ValueError as exc:
        parser.error(str(exc))
    if args.fail_worker is not None and not 1 <= args.fail_worker <= args.threads:
        parser.error(f"fail-worker must be between 1 and {args.threads}, not {args.fail_worker}")
    if args.deadline_s is not None and not 0 < args.deadline_s <= MAX_DEADLINE_S:
        top = f"{MAX_DEADLINE_S:g}"
        parser.error(f"deadline-s must be between 0 and {top}, not {args.deadline_s:g}")
    deadline_s = args.deadline_s or nominal_s(params) * 3 + 10
    run, store = run_locally(KIND, specs, timeout_s=deadline_s)
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    result = summarize(params, elapsed_s, run.work_s())
    sequential_s = result["sequential_s"]
    print(f"{args.threads} threads x {args.steps} steps x {args.step_ms} ms of {args.kind}:")
    print_lane_summary(store)
    print(
        f"elapsed {result['elapsed_s']:.2f} s, one after another {sequential_s:.2f} s, "
        f"speedup {result['speedup']:.2f}x"
    )
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
