"""The modern-asyncio scenarios' results: one frozen dataclass each, and the verdict its
measured figures support (never assumed from the settings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demos.result_json import from_json

TIMEOUT_SLACK_MS = 50.0  # a timeout counts as on time within this of its deadline


@dataclass(frozen=True)
class TaskGroupResult:
    """TaskGroup and gather side by side, one task of each failing."""

    tasks: int
    taskgroup_cancelled: int  # siblings the TaskGroup cancelled
    taskgroup_done: int
    gather_cancelled: int
    gather_done: int  # siblings that ran on to the end under gather
    exception_group: str  # what the TaskGroup raised, as a learner would print it
    gather_error: str  # what gather raised
    elapsed_s: float

    def verdict(self) -> str:
        """What happened to the siblings."""
        siblings = self.tasks - 1
        if self.taskgroup_cancelled == siblings and self.gather_done == siblings:
            return (
                f"TaskGroup cancelled all {siblings} siblings when one task failed and raised an "
                f"ExceptionGroup; gather raised the first error and its {siblings} siblings ran "
                "on to the end, unwatched."
            )
        return (
            f"TaskGroup cancelled {self.taskgroup_cancelled} of {siblings} siblings; under gather "
            f"{self.gather_done} finished (the failure came after the others ended?)."
        )


@dataclass(frozen=True)
class TimeoutResult:
    """asyncio.timeout around a slow await, and around one that ends in time."""

    deadline_ms: float
    fired_ms: float  # when TimeoutError reached the code, from entering the block
    late_ms: float
    timed_out: bool
    in_time_done: bool

    def on_time(self) -> bool:
        """Whether it fired within the slack of its deadline."""
        return self.timed_out and abs(self.late_ms) <= TIMEOUT_SLACK_MS

    def verdict(self) -> str:
        """When the deadline fired."""
        if not self.timed_out:
            return "The slow await ended before its deadline: nothing timed out."
        when = f"{self.fired_ms:.1f} ms for a {self.deadline_ms:.0f} ms deadline"
        if self.on_time():
            early = (
                " It came early: this loop's timers may fire a little before their time."
                if self.late_ms < -1.0
                else ""
            )
            return (
                f"asyncio.timeout cancelled the slow await and raised TimeoutError after {when} "
                f"({self.late_ms:+.1f} ms); the quick await inside its own timeout finished."
                + early
            )
        return f"TimeoutError came late: {when} ({self.late_ms:+.1f} ms): the loop was busy."


@dataclass(frozen=True)
class CancelResult:
    """Task.cancel() reaching finally blocks, and shield() protecting an inner task."""

    tasks: int
    cancelled: int
    finally_ran: int
    cancel_to_finally_ms: float  # the slowest, from cancel() to its finally
    outer_cancelled: bool
    inner_completed: bool

    def verdict(self) -> str:
        """Cleanup ran; the shield held."""
        shield = (
            "shield() let the outer await be cancelled while the inner task completed"
            if self.outer_cancelled and self.inner_completed
            else "the shielded inner task did not complete"
        )
        return (
            f"CancelledError reached the finally of {self.finally_ran} of {self.tasks} tasks "
            f"(within {self.cancel_to_finally_ms:.1f} ms of cancel()); {shield}."
        )


@dataclass(frozen=True)
class QueueResult:
    """A bounded asyncio.Queue between a producer and a consumer."""

    maxsize: int
    items: int
    consumed: int
    max_depth: int
    producer_blocked_s: float
    elapsed_s: float

    def verdict(self) -> str:
        """The bound held, and what it cost the producer."""
        if self.max_depth > self.maxsize:
            return f"The queue held {self.max_depth} items, above its bound {self.maxsize}!"
        return (
            f"The queue never held more than {self.max_depth} of {self.maxsize}: a full queue made "
            f"the producer await put() for {self.producer_blocked_s:.2f} s in all, so it "
            f"slowed down to the consumer's pace ({self.consumed} of {self.items} consumed)."
        )


@dataclass(frozen=True)
class SocketsResult:
    """N clients echoing through a loopback server, all on one loop."""

    clients: int
    latency_ms: int
    echoed: int  # replies that came back equal to what was sent
    elapsed_s: float
    one_at_a_time_s: float  # clients x latency: one connection after another
    port: int

    def verdict(self) -> str:
        """Whether the connections overlapped."""
        if self.echoed < self.clients:
            return f"Only {self.echoed} of {self.clients} echoes came back."
        return (
            f"All {self.clients} echoes came back through 127.0.0.1:{self.port} in "
            f"{self.elapsed_s:.2f} s; one connection after another would take "
            f"{self.one_at_a_time_s:.2f} s: the sockets waited at the same time."
        )


@dataclass(frozen=True)
class Overhead:
    """One measurement: ``count`` workers of one kind, each parked on an event."""

    kind: str  # "task" or "thread"
    count: int
    rss_bytes_each: float  # the process's resident memory grew by this per worker
    traced_bytes_each: float  # Python allocations per worker (tracemalloc): stacks are not seen
    start_us_each: float


@dataclass(frozen=True)
class OverheadResult:
    """Tasks and threads at 1,000 and 10,000 (threads up to ``thread_cap``)."""

    thread_cap: int
    rows: tuple[Overhead, ...]

    def row(self, kind: str, count: int) -> Overhead | None:
        """The measurement of ``count`` workers of ``kind``, if it ran."""
        return next((r for r in self.rows if r.kind == kind and r.count == count), None)

    def verdict(self) -> str:
        """Memory and start-up per task against per thread, at the largest count both ran."""
        both = [r.count for r in self.rows if r.kind == "thread" and self.row("task", r.count)]
        if not both:
            return "Nothing to compare."
        n = max(both)
        task, thread = self.row("task", n), self.row("thread", n)
        assert task is not None
        assert thread is not None
        text = (
            f"At {n:,}: a task took {task.rss_bytes_each / 1024:.1f} KiB and "
            f"{task.start_us_each:.0f} us to start, a thread {thread.rss_bytes_each / 1024:.1f} "
            f"KiB and {thread.start_us_each:.0f} us (resident memory)."
        )
        if any(r.kind == "task" and r.count > self.thread_cap for r in self.rows):
            text += f" Threads above {self.thread_cap:,} were not started (the cap)."
        return text


@dataclass(frozen=True)
class StoppedResult:
    """A scenario cancelled before it ended (Cancel or a deadline)."""

    reason: str

    def verdict(self) -> str:
        """Nothing was measured."""
        return f"Cancelled ({self.reason}): every task ended at its current await."


Result = (
    TaskGroupResult
    | TimeoutResult
    | CancelResult
    | QueueResult
    | SocketsResult
    | OverheadResult
    | StoppedResult
)
RESULT_TYPES: dict[str, type[Any]] = {
    "taskgroup": TaskGroupResult,
    "timeout": TimeoutResult,
    "cancel": CancelResult,
    "queue": QueueResult,
    "sockets": SocketsResult,
    "overhead": OverheadResult,
    "stopped": StoppedResult,
}


def as_json(scenario: str, result: Result) -> dict[str, Any]:
    """The figures, the scenario they belong to, and the verdict."""
    kind = "stopped" if isinstance(result, StoppedResult) else scenario
    return {**asdict(result), "scenario": scenario, "result": kind, "verdict": result.verdict()}


def from_json_result(data: dict[str, Any]) -> Result:
    """The result :func:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
    cls = RESULT_TYPES[str(data["result"])]
    result: Result = from_json(cls, data)
    return result
