"""The Concurrency vs parallelism lesson's result: the job's figures as threads and as processes,
and the verdict those figures support (concurrency, parallelism, or both)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demos.result_json import from_json

# Above this speedup a model counts as faster than one after another: taking turns measures
# about 1.0-1.1x, and two workers that really overlap measure well above it.
SPEEDUP_GAIN = 1.3


@dataclass(frozen=True)
class ModelRun:
    """The job run one way (threads or processes).

    ``elapsed_s`` runs from the start gate opening to the last share done; ``sequential_s`` is
    the work measured (the same job one after another); ``startup_s``, before the gate, is the
    cost of starting the workers and is not counted."""

    elapsed_s: float
    sequential_s: float
    speedup: float
    startup_s: float

    def gained(self) -> bool:
        """Whether this run beat one after another by a real margin."""
        return self.speedup > SPEEDUP_GAIN


@dataclass(frozen=True)
class ParallelismResult:
    """The same job as threads and as processes, with the settings both ran with; a model not
    run (or run with other settings) is None."""

    workers: int
    work: str
    one_core: bool
    cores: int
    usable_cores: int
    threads: ModelRun | None
    processes: ModelRun | None

    def verdict(self) -> str:
        """One line saying what the figures show: concurrency, parallelism, or both."""
        t, p = self.threads, self.processes
        if self.work == "io":
            if t is not None and t.gained():
                return (
                    f"Waiting needs no CPU: the threads waited at the same time "
                    f"({t.speedup:.1f}x) although they interleave. Concurrency is enough for I/O."
                )
            if p is not None and p.gained():
                return (
                    f"The processes waited at the same time ({p.speedup:.1f}x): waiting overlaps."
                )
            return "No overlap measured: with one worker there is nothing to overlap."
        if self.one_core and p is not None:
            if not p.gained():
                return (
                    f"Pinned to one CPU, even processes only take turns ({p.speedup:.1f}x): "
                    "concurrency without parallelism."
                )
            return (
                f"Pinned to one CPU, yet the processes gained {p.speedup:.1f}x: the pin did not "
                "hold them to one core."
            )
        if t is not None and p is not None:
            return self._both(t, p)
        if t is not None:
            if t.gained():
                return (
                    f"The threads gained {t.speedup:.1f}x: this interpreter runs them in parallel."
                )
            return (
                f"Threads: {t.speedup:.1f}x, no faster: they took turns (on a GIL build one "
                "thread runs Python at a time). Now run processes."
            )
        if p is not None:
            if p.gained():
                return (
                    f"Processes: {p.speedup:.1f}x, in parallel on separate cores. Now run threads."
                )
            return (
                f"Processes: {p.speedup:.1f}x. No gain: one worker, or the other cores were busy."
            )
        return "Run the job as threads and as processes to compare the two speedups."

    @staticmethod
    def _both(t: ModelRun, p: ModelRun) -> str:
        """Both models measured with the same settings."""
        if p.gained() and not t.gained():
            return (
                f"Threads interleaved under the GIL ({t.speedup:.1f}x); processes ran in "
                f"parallel on separate cores ({p.speedup:.1f}x)."
            )
        if p.gained() and t.gained():
            return (
                f"Both ran in parallel (threads {t.speedup:.1f}x, processes {p.speedup:.1f}x): "
                "this interpreter runs threads without one GIL between them."
            )
        if t.gained():
            return (
                f"The threads gained {t.speedup:.1f}x but the processes only {p.speedup:.1f}x: "
                "the other cores were busy during the processes' run (see the per-core plot)."
            )
        return (
            "Neither model gained: one worker, or the other cores were busy (see the "
            "per-core plot)."
        )

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        return {**asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> ParallelismResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def summarize(elapsed_s: float, work_s: float, startup_s: float = 0.0) -> ModelRun:
    """Elapsed against the same work done one after another (measured ``work_s``).

    ``elapsed_s`` runs from the start gate opening to the last share done. The time before
    it (``startup_s``: spawned interpreters importing their modules, 0.1-0.3 s each here) is
    reported apart: it is the cost of a process, taught in the Multiprocessing lesson, not a
    property of running in parallel, and with a 1 s job it would hide the parallelism.
    """
    sequential_s = round(work_s, 4)
    return ModelRun(
        elapsed_s=round(elapsed_s, 4),
        sequential_s=sequential_s,
        speedup=round(sequential_s / elapsed_s, 3) if elapsed_s > 0 else 0.0,
        startup_s=round(startup_s, 4),
    )
