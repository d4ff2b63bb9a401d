"""The When to use what lesson's result: the measured matrix, and the winners and recommendation
that follow from it (never from the settings or from what the interpreter is expected to do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demos.json_fields import mapping, member, need, read_float, read_int, read_str

WORKLOADS = ("io", "cpu")
# Lightest first: a tie goes to the model that costs least (memory, start-up, complexity).
MODELS = ("sequential", "asyncio", "threads", "processes")
WORKLOAD_LABELS = {"io": "I/O-bound", "cpu": "CPU-bound"}
MODEL_WORDS = {
    "sequential": "one after another",
    "asyncio": "coroutines",
    "threads": "threads",
    "processes": "processes",
}
TIE_FRACTION = 0.10  # within 10% of the fastest counts as a tie: noise on a busy machine


def choose_winners(matrix: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    """Per workload: every model within TIE_FRACTION of the fastest, lightest first. The first
    is the winner: when two models are about as fast, the cheaper one is the better choice."""
    tied: dict[str, list[str]] = {}
    for work, row in matrix.items():
        best = min(row.values())
        tied[work] = [m for m in MODELS if m in row and row[m] <= best * (1 + TIE_FRACTION)]
    return tied


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def recommend(
    tied: dict[str, list[str]],
    speedups: dict[str, dict[str, float]],
    startup_s: dict[str, float],
) -> str:
    """One line from the measurement: the models to use per workload, ties named."""
    parts = []
    for work, models in tied.items():
        label = WORKLOAD_LABELS[work]
        if models[0] == "sequential":
            parts.append(f"{label}: no model beat one after another here")
            continue
        models = [m for m in models if m != "sequential"]
        phrase = _join_or([MODEL_WORDS[m] for m in models])
        gain = speedups[work][models[0]]
        notes = [f"tied within {TIE_FRACTION:.0%}"] if len(models) > 1 else []
        if "processes" in models and work in startup_s:
            notes.append(f"processes first took {startup_s[work]:.2f} s to start")
        extra = f" ({'; '.join(notes)})" if notes else ""
        parts.append(f"{label}: {phrase}, {gain:.1f}x{extra}")
    return "; ".join(parts)


@dataclass(frozen=True)
class WorkloadRow:
    """One workload's row: its size, and the elapsed seconds under each model (a process's
    spawn apart, as ``process_startup_s``, None when it was not measured)."""

    work: str
    jobs: int
    job_ms: int
    sequential_s: float
    asyncio_s: float
    threads_s: float
    processes_s: float
    process_startup_s: float | None

    def elapsed(self) -> dict[str, float]:
        """Elapsed seconds by model, lightest model first."""
        return {m: float(getattr(self, f"{m}_s")) for m in MODELS}

    def speedups(self) -> dict[str, float]:
        """Each model's speedup over one after another."""
        base = self.sequential_s
        return {m: round(base / t, 3) if t > 0 else 0.0 for m, t in self.elapsed().items()}


@dataclass(frozen=True)
class WhenToUseResult:
    """The whole matrix (one row per workload, in WORKLOADS order) and the run's facts."""

    rows: tuple[WorkloadRow, ...]
    gil_enabled: bool
    python: str
    switch_interval_ms: float
    cores: int
    total_s: float

    def matrix(self) -> dict[str, dict[str, float]]:
        """Elapsed seconds by workload and model."""
        return {row.work: row.elapsed() for row in self.rows}

    def speedups(self) -> dict[str, dict[str, float]]:
        """Speedup over one after another, by workload and model."""
        return {row.work: row.speedups() for row in self.rows}

    def ties(self) -> dict[str, list[str]]:
        """Per workload, the models within TIE_FRACTION of the fastest, lightest first."""
        return choose_winners(self.matrix())

    def winners(self) -> dict[str, str]:
        """Per workload, the lightest of the fastest models."""
        return {work: models[0] for work, models in self.ties().items()}

    def startup(self) -> dict[str, float]:
        """Process start-up seconds, by workload where it was measured."""
        return {r.work: r.process_startup_s for r in self.rows if r.process_startup_s is not None}

    def verdict(self) -> str:
        """The recommendation: per workload, the models the matrix says to use."""
        return recommend(self.ties(), self.speedups(), self.startup())

    def as_json(self) -> dict[str, Any]:
        """The lesson's established keys (the derived ones too, as tests and saved runs read
        them), and the verdict."""
        io, cpu = (self.row(w) for w in WORKLOADS)
        return {
            "matrix": self.matrix(),
            "speedups": self.speedups(),
            "winners": self.winners(),
            "ties": self.ties(),
            "recommendation": self.verdict(),
            "process_startup_s": self.startup(),
            "gil_enabled": self.gil_enabled,
            "python": self.python,
            "switch_interval_ms": self.switch_interval_ms,
            "cores": self.cores,
            "params": {
                "io_jobs": io.jobs,
                "io_ms": io.job_ms,
                "cpu_jobs": cpu.jobs,
                "cpu_ms": cpu.job_ms,
                "switch_interval_ms": self.switch_interval_ms,
            },
            "total_s": self.total_s,
            "verdict": self.verdict(),
        }

    def row(self, work: str) -> WorkloadRow:
        """The row of ``work`` (KeyError if the matrix has none)."""
        for row in self.rows:
            if row.work == work:
                return row
        raise KeyError(work)

    @classmethod
    def from_json(cls, data: object) -> WhenToUseResult:
        """The result :meth:`as_json` wrote; the derived keys (speedups, winners, ties and the
        recommendation) are recomputed, not read. KeyError/TypeError/ValueError if it does not
        fit."""
        data = mapping(data)
        matrix, params = member(data, "matrix"), member(data, "params")
        startup = member(data, "process_startup_s")
        rows = []
        for work in WORKLOADS:
            cells = member(matrix, work)
            rows.append(
                WorkloadRow(
                    work=work,
                    jobs=read_int(params, f"{work}_jobs", 1),
                    job_ms=read_int(params, f"{work}_ms", 1),
                    sequential_s=read_float(cells, "sequential"),
                    asyncio_s=read_float(cells, "asyncio"),
                    threads_s=read_float(cells, "threads"),
                    processes_s=read_float(cells, "processes"),
                    process_startup_s=(
                        read_float(startup, work) if startup.get(work) is not None else None
                    ),
                )
            )
        return cls(
            rows=tuple(rows),
            gil_enabled=need(data, "gil_enabled", bool),
            python=read_str(data, "python"),
            switch_interval_ms=read_float(data, "switch_interval_ms"),
            cores=read_int(data, "cores", 1),
            total_s=read_float(data, "total_s"),
        )
