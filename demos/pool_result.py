"""The Pools lesson's result: the baseline, the pool's map() at each chunksize, and the verdict
those figures support."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from demos.parallelism import usable_cores
from demos.result_json import from_json

# Below this speedup a pool gained nothing worth having: run-to-run noise on a quiet machine is
# about 10%, and a real overlap of two workers shows well above it.
NO_GAIN = 1.3
# Below this share of the ideal speedup the handing-over still shows: a pool that keeps its
# workers busy gets within a quarter of the ideal even with small tasks.
MOSTLY_IDEAL = 0.75


# The call each kind of pool runs, for the verdict.
MAP_CALLS = {
    "thread": "ThreadPoolExecutor.map",
    "process": "ProcessPoolExecutor.map",
    "mp": "Pool.imap",
}


def pool_map_chunksize(tasks: int, workers: int) -> int:
    """The chunksize ``multiprocessing.Pool.map`` picks when given none: the tasks in four
    chunks per worker, rounded up (``imap`` and ``Executor.map`` send one task at a time)."""
    return max(1, -(-tasks // (4 * workers)))


def ideal_speedup(kind: str, work: str, workers: int, cores: int) -> int:
    """Waits overlap on any count; computing needs a core each, and threads share one GIL."""
    if work == "io":
        return workers
    return 1 if kind == "thread" else max(1, min(workers, cores))


@dataclass(frozen=True)
class PoolStep:
    """One ``pool.map()`` at one chunksize."""

    chunksize: int
    elapsed_s: float
    speedup: float
    us_per_task: float


@dataclass(frozen=True)
class PoolsResult:
    """One run: the settings, the one-process baseline, and each map() step measured.

    ``elapsed_s`` and ``speedup`` are the chosen chunksize's step (0 if it did not complete)."""

    kind: str
    work: str
    tasks: int
    task_us: int
    workers: int
    chunksize: int
    cores: int
    baseline_s: float
    us_per_task_alone: float
    startup_ms: float
    ideal: int
    steps: tuple[PoolStep, ...]
    elapsed_s: float
    speedup: float
    best_speedup: float
    best_chunksize: int

    def chosen(self) -> PoolStep | None:
        """The step at the chunksize asked for, if it completed."""
        return next((s for s in self.steps if s.chunksize == self.chunksize), None)

    def verdict(self) -> str:
        """What the measured speedup means, from the figures alone."""
        step = self.chosen()
        if step is None:
            return "The run did not complete."
        speedup, ideal = self.speedup, self.ideal
        pace = (
            f"the pool finished a task every {step.us_per_task:g} µs; one process, every "
            f"{self.us_per_task_alone:g} µs"
        )
        processes = self.kind != "thread"  # a ProcessPoolExecutor or a multiprocessing.Pool
        if self.kind == "thread" and self.work == "cpu" and speedup < NO_GAIN:
            text = (
                f"{speedup:.2f}x: the threads took turns (on a GIL build one runs Python at a "
                "time), so computing gained nothing (a thread pool ignores chunksize). CPU work "
                "wants a process pool."
            )
        elif speedup < 1.0:
            what = "process" if processes else "thread"
            fix = "Raise the chunksize." if processes else "Use bigger tasks."
            text = (
                f"Slower than one {what} ({speedup:.2f}x): {pace}. Handing each task over "
                f"through {MAP_CALLS[self.kind]} cost more than its {self.task_us} µs of work. "
                f"{fix}"
            )
        elif speedup < MOSTLY_IDEAL * ideal:
            text = f"{speedup:.2f}x of an ideal {ideal}x: faster, but {pace}; overhead still shows."
            if processes:
                text += " Bigger chunks mean fewer messages."
        elif self.kind == "thread" and self.work == "cpu":
            # What a free-threaded build measures: no GIL between the pool's threads.
            text = (
                f"{speedup:.2f}x for computing threads: this Python ran them without one GIL "
                f"between them; {pace}."
            )
        else:
            how = "waits that overlap"
            if processes:
                how = f"chunks of {self.chunksize} through {MAP_CALLS[self.kind]}"
            text = f"{speedup:.2f}x of an ideal {ideal}x: {how} kept the workers busy; {pace}."
        if self.kind == "mp":
            default = pool_map_chunksize(self.tasks, self.workers)
            text += f" Pool.map, given no chunksize, would pick {default} here."
        if len(self.steps) > 1:
            first = self.steps[0]
            text += (
                f" Sweep: best {self.best_speedup:.2f}x at chunksize {self.best_chunksize}; "
                f"chunksize {first.chunksize} gave {first.speedup:.2f}x."
            )
        return text

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        return {**asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> PoolsResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def summarize(
    params: dict[str, Any],
    raw: dict[str, Any],
    paused_ns: Callable[[int, int], int] | None = None,
) -> PoolsResult:
    """Seconds and speedups from the submitter's raw timings; ``paused_ns(t0, t1)`` is the
    time the run was paused in [t0, t1] (it is not elapsed time)."""

    def seconds(span: Sequence[int]) -> float:
        t0, t1 = int(span[0]), int(span[1])
        return max(1e-9, (t1 - t0 - (paused_ns(t0, t1) if paused_ns else 0)) / 1e9)

    tasks, cores = int(params["tasks"]), int(raw.get("cores", usable_cores()))
    baseline_s = seconds(raw["baseline_ns"])
    steps = tuple(
        PoolStep(
            chunksize=int(step["chunksize"]),
            elapsed_s=round(elapsed, 4),
            speedup=round(baseline_s / elapsed, 3),
            us_per_task=round(elapsed * 1e6 / tasks, 2),
        )
        for step in raw.get("steps", [])
        for elapsed in [seconds((step["t0_ns"], step["t1_ns"]))]
    )
    chosen = next((s for s in steps if s.chunksize == params["chunksize"]), None)
    best = max(steps, key=lambda s: s.speedup, default=None)
    return PoolsResult(
        kind=params["kind"],
        work=params["work"],
        tasks=tasks,
        task_us=int(params["task_us"]),
        workers=int(params["workers"]),
        chunksize=int(params["chunksize"]),
        cores=cores,
        baseline_s=round(baseline_s, 4),
        us_per_task_alone=round(baseline_s * 1e6 / tasks, 2),
        startup_ms=float(raw.get("startup_ms", 0.0)),
        ideal=ideal_speedup(params["kind"], params["work"], params["workers"], cores),
        steps=steps,
        elapsed_s=chosen.elapsed_s if chosen else 0.0,
        speedup=chosen.speedup if chosen else 0.0,
        best_speedup=best.speedup if best else 0.0,
        best_chunksize=best.chunksize if best else 0,
    )
