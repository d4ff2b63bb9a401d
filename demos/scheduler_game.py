"""The stepping engine of "you are the scheduler": real threads, each stopped at its own gate,
that run ``counter.value += 1`` as three steps (read, add, write), one step per release.

Only one step is ever in flight, so a schedule plays the same way every time; each step is
recorded with the counter around it, and a write that erases another thread's write is a lost
update. ``demos.scheduler`` plays schedules with it; the Scheduler challenge page steps it live.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import asdict, dataclass
from typing import Any

from demos.scenario import Param, Scenario

STEPS = ("read", "add", "write")
# The settings of the game and of its twin, ``python -m demos.scheduler`` (which adds the
# twin-only ``--schedule``): declared here, where the game checks them.
SCENARIO = Scenario(
    "demos.scheduler",
    "real threads run counter.value += 1 one step at a time, in the order you choose",
    (
        Param("threads", int, 2, 2, 4, caption="&Threads", help="How many threads"),
        Param(
            "increments",
            int,
            1,
            1,
            3,
            caption="&Increments per thread",
            help="How many += 1 each thread runs",
        ),
    ),
)
LIMITS = SCENARIO.limits()
GATE_POLL_S = 0.2  # a thread at its gate re-checks the stop flag this often (it never spins)
STEP_TIMEOUT_S = 5.0  # one released step takes microseconds; this only guards a broken engine
STOP_TIMEOUT_S = 2.0


class Counter:
    """The shared counter the threads increment (an attribute, as in ``counter.value += 1``)."""

    def __init__(self) -> None:
        self.value = 0


def thread_label(index: int) -> str:
    """``Thread-1`` for index 0: how the lesson names its threads."""
    return f"Thread-{index + 1}"


@dataclass(frozen=True)
class StepRecord:
    """One step a thread executed: what it did and what the counter was around it."""

    number: int  # 1-based position in the schedule
    thread: int  # 0-based thread index
    increment: int  # 0-based: which of the thread's increments this step belongs to
    step: str  # "read", "add" or "write"
    local: int  # the value on the thread's stack after the step
    before: int  # the shared counter before the step
    after: int  # the shared counter after the step
    overwrote: tuple[int, int] | None = None  # (thread, value) of the write this one erased
    lost: int = 0  # increments this write erased

    def describe(self) -> str:
        """A one-line account, such as ``Thread-2 write: counter 1 -> 1``."""
        who = thread_label(self.thread)
        if self.step == "read":
            return f"{who} read: counter is {self.before}, its stack holds {self.local}"
        if self.step == "add":
            return f"{who} add: its stack holds {self.local} (the counter is still {self.after})"
        return f"{who} write: counter {self.before} -> {self.after}"

    def announcement(self) -> str | None:
        """The lost-update message of a write that erased another thread's write, else None."""
        if self.overwrote is None:
            return None
        other, value = self.overwrote
        return (
            f"Lost update! {thread_label(self.thread)} wrote {self.after} over "
            f"{thread_label(other)}'s {value}"
        )


class SchedulerGame:
    """Real threads that each execute ``increments`` read/add/write triples, one step per release.

    Only one step is in flight at a time: :meth:`release` lets one thread through its gate,
    :meth:`collect` picks up what it did (or :meth:`step` does both, waiting). Since the threads
    move only when told, the same schedule always gives the same trace.
    """

    def __init__(self, threads: int, increments: int) -> None:
        validate(threads, increments)
        self.threads = threads
        self.increments = increments
        self.counter = Counter()
        self.history: list[StepRecord] = []
        self.steps_per_thread = increments * len(STEPS)
        self._done_steps = [0] * threads
        self._gates = [threading.Event() for _ in range(threads)]
        self._stop = threading.Event()
        self._reports: queue.SimpleQueue[tuple[int, int, str, int, int, int]] = queue.SimpleQueue()
        self._in_flight: int | None = None
        self._workers = [
            threading.Thread(
                target=self._body, args=(i,), name=f"scheduler {thread_label(i)}", daemon=True
            )
            for i in range(threads)
        ]
        self.native_ids: list[int] = [0] * threads

    # ------------------------------------------------------------ the threads
    def start(self) -> None:
        """Start the threads; each stops at its gate before its first step."""
        for worker in self._workers:
            worker.start()
        for i, worker in enumerate(self._workers):
            self.native_ids[i] = worker.native_id or 0

    def _wait_turn(self, index: int) -> bool:
        """Block at this thread's gate until released; False once the game is stopped."""
        gate = self._gates[index]
        while not self._stop.is_set():
            if gate.wait(GATE_POLL_S):
                gate.clear()
                return not self._stop.is_set()
        return False

    def _body(self, index: int) -> None:
        counter = self.counter
        local = 0
        for k in range(self.increments):
            for step in STEPS:
                if not self._wait_turn(index):
                    return
                before = counter.value
                # The three statements below are what the bytecode of `counter.value += 1`
                # does with its stack; written out, each can be released on its own.
                if step == "read":
                    local = counter.value
                elif step == "add":
                    local = local + 1
                else:
                    counter.value = local
                self._reports.put((index, k, step, local, before, counter.value))

    # --------------------------------------------------------------- control
    def can_step(self, index: int) -> bool:
        """True if ``index`` has steps left and no other step is in flight."""
        return (
            self._in_flight is None
            and not self._stop.is_set()
            and 0 <= index < self.threads
            and self._done_steps[index] < self.steps_per_thread
        )

    @property
    def busy(self) -> bool:
        """True while a released step has not been collected yet."""
        return self._in_flight is not None

    def next_step_of(self, index: int) -> str | None:
        """The step ``index`` would run next ("read", "add", "write"), or None when it is done."""
        done = self._done_steps[index]
        return STEPS[done % len(STEPS)] if done < self.steps_per_thread else None

    def local_of(self, index: int) -> int | None:
        """What thread ``index`` holds on its stack (None before its first read)."""
        for rec in reversed(self.history):
            if rec.thread == index:
                return rec.local
        return None

    def release(self, index: int) -> None:
        """Let thread ``index`` run exactly one step; collect it with :meth:`collect`."""
        if not self.can_step(index):
            raise ValueError(f"{thread_label(index)} cannot take a step now")
        self._in_flight = index
        self._gates[index].set()

    def collect(self, timeout_s: float = 0.0) -> StepRecord | None:
        """The step in flight once it has run (waiting up to ``timeout_s``), else None."""
        if self._in_flight is None:
            return None
        try:
            if timeout_s > 0:
                report = self._reports.get(timeout=timeout_s)
            else:
                report = self._reports.get_nowait()
        except queue.Empty:
            return None
        self._in_flight = None
        return self._record(*report)

    def step(self, index: int, timeout_s: float = STEP_TIMEOUT_S) -> StepRecord:
        """Release one step of ``index`` and wait for it (for the terminal twin and tests)."""
        self.release(index)
        record = self.collect(timeout_s)
        if record is None:
            raise TimeoutError(f"{thread_label(index)} did not take its step")
        return record

    def _record(
        self, index: int, k: int, step: str, local: int, before: int, after: int
    ) -> StepRecord:
        overwrote, lost = None, 0
        if step == "write":
            # Writes by other threads since this thread's read are erased by this write.
            last_read = max(
                (r.number for r in self.history if r.thread == index and r.step == "read"),
                default=0,
            )
            others = [
                r
                for r in self.history
                if r.number > last_read and r.step == "write" and r.thread != index
            ]
            if others:
                overwrote = (others[-1].thread, others[-1].after)
                lost = len(others)
        record = StepRecord(
            len(self.history) + 1, index, k, step, local, before, after, overwrote, lost
        )
        self.history.append(record)
        self._done_steps[index] += 1
        return record

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """End every thread at once (gates opened with the stop flag set); True if all ended."""
        self._stop.set()
        for gate in self._gates:
            gate.set()
        for worker in self._workers:
            if worker.is_alive():
                worker.join(timeout_s)
        return not self.alive_threads()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop.is_set()

    def alive_threads(self) -> int:
        """How many of the game's threads are still alive."""
        return sum(worker.is_alive() for worker in self._workers)

    # ---------------------------------------------------------------- figures
    @property
    def schedule(self) -> list[int]:
        """0-based thread indices of the steps taken, in order."""
        return [r.thread for r in self.history]

    @property
    def finished(self) -> bool:
        """True once every thread has taken all its steps."""
        return all(done == self.steps_per_thread for done in self._done_steps)

    @property
    def expected(self) -> int:
        """Completed increments (writes): the value the counter should have."""
        return sum(r.step == "write" for r in self.history)

    @property
    def lost_updates(self) -> int:
        """Completed increments the counter does not show."""
        return self.expected - self.counter.value

    def announcements(self) -> list[str]:
        """One message per write that erased another thread's write."""
        return [a for r in self.history if (a := r.announcement()) is not None]

    def result(self) -> dict[str, Any]:
        """The twin's JSON object."""
        return {
            "threads": self.threads,
            "increments": self.increments,
            "schedule": [i + 1 for i in self.schedule],
            "finished": self.finished,
            "counter": self.counter.value,
            "expected": self.expected,
            "planned": self.threads * self.increments,
            "lost_updates": self.lost_updates,
            "announcements": self.announcements(),
            "steps": [asdict(r) for r in self.history],
        }


def validate(threads: int, increments: int) -> None:
    """Reject settings outside the lesson's limits with a clear message."""
    SCENARIO.validate({"threads": threads, "increments": increments})
