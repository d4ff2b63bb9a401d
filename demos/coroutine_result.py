"""The Coroutines lesson's result: one run's figures, and the verdict they support."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demos.coroutine_tasks import BLOCKING_CALL_S
from demos.result_json import from_json

# The loop counts as stalled past this lag: a window that freezes for 0.1 s is already noticed,
# and a lag probe that wakes every 10 ms on an idle loop stays far below it.
STALL_MS = 100.0
# The waits count as overlapping above this speedup: one after another gives about 1x, and even a
# handful of tasks waiting at once gives clearly more.
OVERLAP_GAIN = 1.5


@dataclass(frozen=True)
class CoroutinesResult:
    """One run: the settings it ran with, and what was measured (``sequential_s`` is the
    waiting and computing the tasks did, added up)."""

    tasks: int
    io_ms: int
    steps: int
    limit: int
    mode: str
    blocking: bool
    cpu_ms: int
    offload: bool
    lanes: int
    elapsed_s: float
    sequential_s: float
    expected_s: float
    speedup: float
    threads_used: int
    offload_threads: int
    max_loop_lag_ms: float
    cancelled: int
    failed: int

    def stalled(self) -> bool:
        """Whether the loop was held up long enough to notice."""
        return self.max_loop_lag_ms >= STALL_MS

    def verdict(self) -> str:
        """What the measurement shows, in words (from the figures, never assumed)."""
        if self.cancelled:
            return (
                f"Cancelled: Task.cancel() raised CancelledError at the await each of the "
                f"{self.lanes} lanes was in; none of the {self.tasks} tasks is left pending."
            )
        lag = f"loop lag {self.max_loop_lag_ms:.0f} ms"
        if self.stalled():
            if self.blocking:
                return (
                    f"One time.sleep() held the only thread for {BLOCKING_CALL_S:g} s: no other "
                    f"task ran and the window froze ({lag})."
                )
            if self.cpu_ms and not self.offload_threads:
                return (
                    f"The CPU steps ran on the loop's thread, so the loop stalled while they "
                    f"computed ({lag}): tick offload to keep it responsive."
                )
            return f"The loop stalled ({lag}): something held its thread (a busy machine?)."
        where = "one thread" if self.threads_used == 1 else f"{self.threads_used} threads"
        if self.speedup < OVERLAP_GAIN:
            if self.tasks == 1:
                return "One task: there was nothing to overlap with."
            return (
                f"The waits did not overlap ({self.speedup:.1f}x): elapsed is about the sum of "
                "them."
            )
        text = (
            f"All {self.tasks} tasks waited at the same time on {where} ({self.speedup:.0f}x), "
            "so the run took about as long as the longest task."
        )
        if self.limit and self.limit < self.tasks:
            text = (
                f"The semaphore let {self.limit} tasks in at a time, so the waits overlapped "
                f"in rounds of {self.limit} ({self.speedup:.0f}x)."
            )
        if self.offload_threads and self.cpu_ms:
            text += f" The CPU steps ran in a worker thread, so the loop kept up ({lag})."
        return text

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        return {**asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> CoroutinesResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)
