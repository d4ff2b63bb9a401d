"""The Program, process and thread lesson's results: an isolation run, or the cost measurement.

Each is a frozen dataclass of what was measured, with the verdict those figures support. The lab
sends them as JSON with a ``phase`` key ("isolation" or "cost"); :func:`read_result` picks the
class from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demos.json_fields import mapping, one_of
from demos.result_json import from_json

# A process counts as dearer to start than a thread when it takes at least this many times as
# long: a spawn is a whole new interpreter (tens of ms or more) while a thread starts in well
# under a millisecond, so anything below a factor of two is timer noise, not a real difference.
DEARER_FACTOR = 2.0


@dataclass(frozen=True)
class IsolationResult:
    """One isolation run: N workers each added 1 K times, then read the counter back.
    ``saw`` holds 0 for a worker that never got to read it (the run was cut short)."""

    model: str
    workers: int
    increments: int
    expected_total: int
    saw: tuple[int, ...]
    pids: tuple[int, ...]
    thread_ids: tuple[int, ...]
    parent_sees: int
    parent_pid: int

    def complete(self) -> bool:
        """Whether every worker read the counter (a cancelled run leaves zeros)."""
        return len(self.saw) == self.workers and all(self.saw)

    def processes(self) -> int:
        """How many distinct processes the workers ran in."""
        return len(set(self.pids))

    def shared(self) -> bool:
        """One variable: every worker and the parent saw all N x K additions."""
        total = self.workers * self.increments
        return self.parent_sees == total and all(s == total for s in self.saw)

    def isolated(self) -> bool:
        """Private copies: each worker saw only its own K, in its own process; the parent 0."""
        return (
            self.parent_sees == 0
            and all(s == self.increments for s in self.saw)
            and self.processes() == self.workers
        )

    def as_taught(self) -> bool:
        """Whether the run showed what its model teaches (copies for processes, else sharing)."""
        return self.isolated() if self.model == "processes" else self.shared()

    def verdict(self) -> str:
        """What the figures show, in words (from what each worker saw, not from the model)."""
        n, k, total = self.workers, self.increments, self.workers * self.increments
        if not self.complete():
            read = sum(1 for s in self.saw if s)
            return f"Cut short: {read} of {n} workers read the counter before the run ended."
        if self.isolated():
            return (
                f"{n} processes, {n} copies: each saw only its own {k:,}, and the parent's "
                "COUNTER is still 0. Processes share no memory unless asked to."
            )
        if self.shared() and self.processes() == 1:
            return (
                f"One process, one COUNTER: all {n} threads and the parent see {total:,}. "
                "Threads share their process's memory."
            )
        if self.shared():
            return (
                f"{self.processes()} processes and the parent all see {total:,}: their "
                "additions went to shared memory (the Value), through its lock. Processes "
                "share what is explicitly put in shared memory."
            )
        return (
            f"Neither one shared counter ({total:,}) nor private copies ({k:,} each): the "
            f"workers saw {', '.join(f'{s:,}' for s in self.saw)} and the parent "
            f"{self.parent_sees:,}."
        )

    def as_json(self) -> dict[str, Any]:
        """The figures (``phase`` "isolation") and the verdict, for the lab and saved runs."""
        return {"phase": "isolation", **asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> IsolationResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


@dataclass(frozen=True)
class CostRow:
    """One count of workers: median start-up (``start()`` to first line) and memory per worker."""

    workers: int
    thread_start_ms: float
    process_start_ms: float
    thread_rss_mb: float
    process_rss_mb: float


@dataclass(frozen=True)
class CostResult:
    """The cost measurement: a row per count, and the medians over every worker started
    (memory from the largest count, where dividing by more workers evens out noise)."""

    rows: tuple[CostRow, ...]
    thread_start_ms: float
    process_start_ms: float
    thread_rss_mb: float
    process_rss_mb: float

    def start_ratio(self) -> float | None:
        """How many times as long a process took to start as a thread (None: no thread time)."""
        return self.process_start_ms / self.thread_start_ms if self.thread_start_ms > 0 else None

    def verdict(self) -> str:
        """The medians and what they show (a process dearer only if the figures say so)."""
        if not self.rows:
            return "Cut short before any count of workers was measured."
        t_ms, p_ms = self.thread_start_ms, self.process_start_ms
        ratio = self.start_ratio()
        times = f" ({ratio:,.0f} times longer)" if ratio is not None else ""
        text = (
            f"Median start: a thread {t_ms:.3f} ms, a process {p_ms:.0f} ms{times}. Memory: a "
            f"thread adds about {self.thread_rss_mb * 1024:.0f} KB, a process holds about "
            f"{self.process_rss_mb:.0f} MB (RSS, which counts pages it shares with others too)."
        )
        slower = ratio is None or ratio >= DEARER_FACTOR
        bigger = self.process_rss_mb >= DEARER_FACTOR * self.thread_rss_mb
        if slower and bigger:
            return text + " A spawned process is a whole new interpreter: it costs far more."
        if slower:
            return text + " A process was slower to start, but not bigger here."
        if bigger:
            return text + " A process was bigger, but about as quick to start here."
        return text + " Here a process cost about as much as a thread."

    def as_json(self) -> dict[str, Any]:
        """The figures (``phase`` "cost") and the verdict, for the lab and saved runs."""
        return {"phase": "cost", **asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> CostResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def read_result(data: object) -> IsolationResult | CostResult:
    """Either result, by its ``phase`` (KeyError/TypeError/ValueError if it fits neither)."""
    phase = one_of(mapping(data), "phase", ("isolation", "cost"))
    if phase == "cost":
        return CostResult.from_json(data)
    return IsolationResult.from_json(data)
