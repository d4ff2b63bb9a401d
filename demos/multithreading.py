"""Multithreading lesson: the deck's two tasks, generalised to N threads of S steps.

I/O steps (``time.sleep``) release the GIL, so the threads wait at the same time and the run
takes about as long as one thread. CPU steps (pure-Python arithmetic) need the GIL on a standard
build, so there the threads take turns, handing the GIL over every switch interval, and the run
takes about as long as doing the work one after another; the CPU steps measure those hand-offs
(READY slices; see demos.gil_slices). A free-threaded build without the GIL runs them at once.

    python -m demos.multithreading --threads 2 --steps 5 --step-ms 1000 --kind io --json
    python -m demos.multithreading --threads 4 --steps 2 --step-ms 250 --kind cpu --json
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from typing import Any

from demos import multithreading_switch
from demos.context import WorkerContext
from demos.events import Kind
from demos.gil_slices import gil_enabled
from demos.multithreading_gil import GilFigures, measure
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
        Param(
            "switch_interval_ms",
            int,
            5,
            1,
            100,
            unit="ms",
            caption="GIL s&witch interval",
            help="How long a thread may keep the GIL while others want it (sys.setswitchinterval)",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS = SCENARIO.defaults()
MAX_DEADLINE_S = 3600.0  # --deadline-s, for scripts and tests that want a missed deadline


def step_worker(
    ctx: WorkerContext,
    steps: int,
    step_ms: int,
    kind: str,
    fail_at_step: int = -1,
    switch_interval_ms: float | None = None,
) -> None:
    """One thread of the lesson: ``steps`` steps of sleeping or computing ``step_ms`` each,
    under the run's GIL switch interval (None: leave the interval as it is)."""
    if switch_interval_ms is None:
        _steps(ctx, steps, step_ms, kind, fail_at_step)
        return
    with multithreading_switch.held(switch_interval_ms):
        _steps(ctx, steps, step_ms, kind, fail_at_step)


def _steps(ctx: WorkerContext, steps: int, step_ms: int, kind: str, fail_at_step: int) -> None:
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
    threads: int,
    steps: int,
    step_ms: int,
    kind: str,
    fail_worker: int = 0,
    switch_interval_ms: int = 5,
) -> list[WorkerSpec]:
    """The workers of one run; thread ``fail_worker`` (1-based) raises half-way, to show FAILED."""
    SCENARIO.validate(
        {
            "threads": threads,
            "steps": steps,
            "step_ms": step_ms,
            "kind": kind,
            "fail_worker": fail_worker,
            "switch_interval_ms": switch_interval_ms,
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
                "switch_interval_ms": switch_interval_ms,
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
    time computing), so it is what the same work takes done one after another. ``gil`` holds
    the hand-offs measured by CPU steps, when there are some to read."""

    threads: int
    steps: int
    step_ms: int
    kind: str
    elapsed_s: float
    sequential_s: float
    speedup: float
    gil: GilFigures | None = None

    def verdict(self) -> str:
        """What the measurement shows, in words (from the figures, never assumed)."""
        overlapped = self.threads > 1 and self.speedup >= max(1.5, 0.6 * self.threads)
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
        return cpu_verdict(self.threads, self.speedup, self.gil)

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs (``gil`` and
        ``per_thread`` for CPU steps)."""
        data = {k: v for k, v in asdict(self).items() if k != "gil"}
        if self.gil is not None:
            data["gil"] = self.gil.as_json()
            data["per_thread"] = self.gil.per_thread_json()
        return {**data, "verdict": self.verdict()}


SLOWER = 0.8  # below this speedup the run took clearly longer than the work done in turn


def cpu_verdict(threads: int, speedup: float, gil: GilFigures | None) -> str:
    """The verdict on computing threads: the GIL is named only where it was measured at work."""
    overlapped = threads > 1 and speedup >= max(1.5, 0.6 * threads)
    no_speedup = threads == 1 or speedup < 1.3
    if gil is None:  # no hand-offs measured: say only what the clock says
        if no_speedup:
            return (
                f"No speedup ({speedup:.1f}x): the run took about as long as doing the work one "
                "after another."
            )
        return f"Speedup {speedup:.1f}x of an ideal {threads}x."
    together = f"{gil.overlap_s:.2f} s of {gil.elapsed_s:.2f} s"
    if threads == 1:
        return (
            "One thread alone: no other thread to take turns with (it waited "
            f"{sum(t.gil_wait_s for t in gil.threads):.3f} s for the GIL and "
            f"{sum(t.cpu_wait_s for t in gil.threads):.3f} s for a CPU)."
        )
    if gil.took_turns and no_speedup:
        how_long = "about as long as" if speedup >= SLOWER else f"even longer ({speedup:.2f}x) than"
        return (
            f"The threads took turns holding the GIL ({gil.handoffs} hand-offs, turns of "
            f"{gil.turn_ms:.1f} ms on average at a {gil.switch_interval_ms:g} ms switch interval; "
            f"two ran at once for only {together}), so the run took {how_long} doing the "
            "work one after another: no speedup for pure-Python CPU work."
        )
    if not gil.enabled and overlapped:
        return (
            f"The threads computed in parallel ({speedup:.1f}x; two or more ran at once for "
            f"{together}): this Python runs them without a GIL."
        )
    if not gil.enabled:
        return (
            f"Only {speedup:.1f}x although this Python runs without a GIL: the threads ran at "
            f"once for {together} and waited for a CPU the rest of the time."
        )
    return (
        f"{speedup:.1f}x with the GIL on: two or more threads ran at once for {together} "
        f"({gil.handoffs} hand-offs)."
    )


def summarize(
    params: dict[str, Any], elapsed_s: float, work_s: float, gil: GilFigures | None = None
) -> MultithreadingResult:
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
        gil=gil,
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """Called by the lab when the run ended: the interpreter setting the threads ran under
    (the switch interval as the threads set it; None if none did)."""
    del specs  # the figures come from this process, where the threads ran
    return {"gil_enabled": gil_enabled(), "switch_interval_ms": multithreading_switch.applied_ms}


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
    gil = None
    if args.kind == "cpu":  # a thread's work is then its CPU time computing
        cpu_s = {w.lane_id: w.outcome.work_s for w in run.workers}
        gil = measure(
            store,
            cpu_s,
            enabled=gil_enabled(),
            switch_interval_ms=float(params["switch_interval_ms"]),
            elapsed_s=elapsed_s,
            cpu_s=cpu_s,
        )
    outcome = summarize(params, elapsed_s, run.work_s(), gil)
    sequential_s = outcome.sequential_s
    print(f"{args.threads} threads x {args.steps} steps x {args.step_ms} ms of {args.kind}:")
    print_lane_summary(store)
    if gil is not None:
        print_gil(gil)
    print(
        f"elapsed {outcome.elapsed_s:.2f} s, one after another {sequential_s:.2f} s, "
        f"speedup {outcome.speedup:.2f}x"
    )
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


def print_gil(gil: GilFigures) -> None:
    """Per thread: running, waiting, its CPU time, hand-offs per second."""
    print(f"GIL {'on' if gil.enabled else 'off'}, switch interval {gil.switch_interval_ms:g} ms:")
    for t in gil.threads:
        cpu = f", CPU {t.cpu_s:.3f} s" if t.cpu_s is not None else ""
        print(
            f"  {t.name:<12} running {t.running_s:.3f} s{cpu}; waiting for the GIL "
            f"{t.gil_wait_s:.3f} s, for a CPU {t.cpu_wait_s:.3f} s; "
            f"{t.handoffs_per_s:.0f} hand-offs/s"
        )


if __name__ == "__main__":
    raise SystemExit(main())
