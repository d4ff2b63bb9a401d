"""Multithreading lesson: the deck's two tasks, generalised to N threads of S steps.

I/O steps (``time.sleep``) release the GIL, so the threads wait at the same time and the run
takes about as long as one thread. CPU steps (pure-Python arithmetic) need the GIL, so only one
thread computes at any moment and the run takes about as long as doing the work one after another.

    python -m demos.multithreading --threads 2 --steps 5 --step-ms 1000 --kind io --json
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from typing import Any

from demos.context import WorkerContext
from demos.events import Kind
from demos.scenario import Param, Scenario
from demos.twin import finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
STEP_KINDS = ("io", "cpu")
SCENARIO = Scenario(
    "demos.multithreading",
    "threads overlap while they wait on I/O and take turns while they compute",
    (
        Param("threads", int, 2, 1, 64, caption="&Threads", help="How many threads to start"),
        Param("steps", int, 5, 1, 50, caption="&Steps per thread", help="Steps each thread runs"),
        Param(
            "step_ms",
            int,
            1000,
            10,
            2000,
            unit="ms",
            caption="Step &duration",
            help="How long one step takes when it runs alone",
        ),
        Param("kind", str, "io", choices=STEP_KINDS, help="What each step does: sleep or compute"),
        Param(
            "fail_worker",
            int,
            0,
            0,
            64,
            caption="Thread that raises",
            help="make thread N (1-based) raise half-way, to see a failure; 0: none",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
MAX_DEADLINE_S = 3600.0  # --deadline-s, for scripts and tests that want a missed deadline


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


def build_workers(
    threads: int, steps: int, step_ms: int, kind: str, fail_worker: int = 0
) -> list[WorkerSpec]:
    """The workers of one run; thread ``fail_worker`` (1-based) raises half-way, to show FAILED."""
    SCENARIO.validate(
        {
            "threads": threads,
            "steps": steps,
            "step_ms": step_ms,
            "kind": kind,
            "fail_worker": fail_worker,
        }
    )
    if fail_worker > threads:
        raise ValueError(f"fail_worker must be between 0 and {threads}, not {fail_worker}")
    return [
        WorkerSpec(
            f"Thread-{i + 1}",
            step_worker,
            {
                "steps": steps,
                "step_ms": step_ms,
                "kind": kind,
                "fail_at_step": steps // 2 if i + 1 == fail_worker else -1,
            },
        )
        for i in range(threads)
    ]


def nominal_s(params: dict[str, Any]) -> float:
    """The work as asked for: threads x steps x step duration."""
    return float(params["threads"] * params["steps"] * params["step_ms"]) / 1000.0


@dataclass(frozen=True)
class MultithreadingResult:
    """One run's figures; ``sequential_s`` is measured (seconds slept plus each thread's CPU
    time computing), so it is what the same work takes done one after another."""

    threads: int
    steps: int
    step_ms: int
    kind: str
    elapsed_s: float
    sequential_s: float
    speedup: float

    def verdict(self) -> str:
        """What the measurement shows, in words (from the figures, never assumed)."""
        overlapped = self.threads > 1 and self.speedup >= max(1.5, 0.6 * self.threads)
        took_turns = self.threads == 1 or self.speedup < 1.3
        if self.kind == "io":
            if overlapped:
                return (
                    "The threads slept at the same time, so the run took about as long as one "
                    "thread: waiting overlaps."
                )
            return (
                f"Only {self.speedup:.1f}x: the sleeps overlapped less than they can "
                "(a busy machine, or steps too short to see it)."
            )
        if took_turns:
            return (
                "The threads took turns holding the GIL, so the run took about as long as "
                "doing the work one after another: no speedup for pure-Python CPU work."
            )
        if overlapped:
            return (
                f"The threads computed in parallel ({self.speedup:.1f}x): this Python ran them "
                "without one GIL between them."
            )
        return f"Some overlap ({self.speedup:.1f}x) but far from {self.threads}x."

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        return {**asdict(self), "verdict": self.verdict()}


def summarize(params: dict[str, Any], elapsed_s: float, work_s: float) -> MultithreadingResult:
    """Elapsed against the same work done one after another, and the speedup."""
    sequential_s = round(work_s, 4)
    return MultithreadingResult(
        threads=params["threads"],
        steps=params["steps"],
        step_ms=params["step_ms"],
        kind=params["kind"],
        elapsed_s=round(elapsed_s, 4),
        sequential_s=sequential_s,
        speedup=round(sequential_s / elapsed_s, 3) if elapsed_s > 0 else 0.0,
    )


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson."""
    return SCENARIO.command(params)


def _deadline_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deadline-s",
        type=float,
        metavar="S",
        help="cancel the run if it takes longer (default: 3 x the nominal work + 10 s)",
    )


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser, args, params = SCENARIO.parse(argv, __doc__, extra=_deadline_option)
    try:
        specs = build_workers(**params)  # type: ignore[arg-type]  # checked by the scenario
    except ValueError as exc:
        parser.error(str(exc))
    if args.deadline_s is not None and not 0 < args.deadline_s <= MAX_DEADLINE_S:
        top = f"{MAX_DEADLINE_S:g}"
        parser.error(f"deadline-s must be between 0 and {top}, not {args.deadline_s:g}")
    deadline_s = args.deadline_s or nominal_s(params) * 3 + 10
    run, store = run_locally(KIND, specs, timeout_s=deadline_s)
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    result = summarize(params, elapsed_s, run.work_s())
    sequential_s = result.sequential_s
    print(f"{args.threads} threads x {args.steps} steps x {args.step_ms} ms of {args.kind}:")
    print_lane_summary(store)
    print(
        f"elapsed {result.elapsed_s:.2f} s, one after another {sequential_s:.2f} s, "
        f"speedup {result.speedup:.2f}x"
    )
    print(result.verdict())
    return finish(args, store, result.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
