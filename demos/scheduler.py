"""You are the scheduler: real threads run ``counter.value += 1`` one step at a time, on command.

CPython compiles ``counter.value += 1`` to a handful of bytecode instructions (see
:func:`bytecode_listing`). They do three observable things, and a thread switch between any two
of them is allowed:

* **read**  ``LOAD_FAST counter; COPY; LOAD_ATTR value``: the value goes onto the thread's stack;
* **add**   ``LOAD_CONST 1; BINARY_OP +=``: the thread computes value + 1, privately;
* **write** ``SWAP; STORE_ATTR value``: it stores its result into the shared counter.

Each thread of a game is a real ``threading.Thread`` that does those three steps as three Python
statements, and waits at its own gate (a ``threading.Event``) before every step. Nothing moves
until the scheduler (you, or ``--schedule``) releases exactly one step of one thread; the thread
reports what it did through a queue and stops at its gate again. So a schedule such as
read1, read2, add1, add2, write1, write2 is played exactly, every time, and two increments leave
the counter at 1: Thread-2 writes the value it computed from a stale read over Thread-1's write.
That erased increment is a *lost update*.

    python -m demos.scheduler --schedule 1,2,1,2,1,2 [--threads 2] [--increments 1] [--json]
"""

from __future__ import annotations

import argparse
import dis
import queue
import threading
from dataclasses import asdict, dataclass
from typing import Any

from demos.events import Kind, Lane, State
from demos.exit_status import note_failure
from demos.intervals import IntervalStore
from demos.twin import add_common_arguments, finish, twin_main

STEPS = ("read", "add", "write")
LIMITS = {"threads": (2, 4), "increments": (1, 3)}
DEFAULTS: dict[str, Any] = {"threads": 2, "increments": 1}
DEFAULT_SCHEDULE = "1,2,1,2,1,2"  # read1, read2, add1, add2, write1, write2: the classic loss
GATE_POLL_S = 0.2  # a thread at its gate re-checks the stop flag this often (it never spins)
STEP_TIMEOUT_S = 5.0  # one released step takes microseconds; this only guards a broken engine
STOP_TIMEOUT_S = 2.0
# The timeline counts steps, not seconds: step n occupies [n, n + 1) x STEP_NS on its axis.
STEP_NS = 1_000_000_000
LANE_ID_BASE = 9000  # clear of the lab's lane ids, in case a store ever mixes both


class Counter:
    """The shared counter the threads increment (an attribute, as in ``counter.value += 1``)."""

    def __init__(self) -> None:
        self.value = 0


def increment(counter: Counter) -> None:
    """The statement every thread runs: its bytecode is what the lesson shows."""
    counter.value += 1


def bytecode_listing() -> list[tuple[str, str]]:
    """``(step, instruction)`` for each instruction of :func:`increment` that does the work.

    The step is "read", "add" or "write". ``RESUME`` and the implicit ``return None`` are left
    out: they do not touch the counter. The grouping follows the instruction that ends each
    step (the attribute load, the addition, the attribute store), so it holds on 3.11 to 3.13.
    """
    rows: list[tuple[str, str]] = []
    step = 0
    for ins in dis.get_instructions(increment):
        if ins.opname == "RESUME" or step >= len(STEPS):
            continue
        text = f"{ins.opname} {ins.argrepr}".strip()
        rows.append((STEPS[step], text))
        if ins.opname in ("LOAD_ATTR", "BINARY_OP", "STORE_ATTR"):
            step += 1
    return rows


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
    for name, value in (("threads", threads), ("increments", increments)):
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def play(threads: int, increments: int, schedule: list[int]) -> SchedulerGame:
    """A started game with ``schedule`` (0-based thread indices) played; the caller stops it."""
    game = SchedulerGame(threads, increments)
    game.start()
    try:
        for number, index in enumerate(schedule, 1):
            if not game.can_step(index):
                raise ValueError(
                    f"step {number}: {thread_label(index)} has no step left to take"
                    if 0 <= index < threads
                    else f"step {number}: there is no thread {index + 1}"
                )
            game.step(index)
    except BaseException:
        game.stop()
        raise
    return game


def to_store(game: SchedulerGame, store: IntervalStore, t0_ns: int = 0) -> None:
    """Draw the game into ``store`` on a step axis: step n runs from n to n + 1 (x STEP_NS).

    A thread at its gate is READY (runnable, waiting to be scheduled); the thread that takes a
    step is RUNNING for that step; a thread with no step left is DONE.
    """
    store.clear()
    for i in range(game.threads):
        store.add_lane(Lane(LANE_ID_BASE + i, Kind.THREAD, thread_label(i), game.native_ids[i]))
    events = [
        (t0_ns, LANE_ID_BASE + i, int(State.READY), "at its gate") for i in range(game.threads)
    ]
    done = [0] * game.threads
    for rec in game.history:
        t = t0_ns + (rec.number - 1) * STEP_NS
        lane = LANE_ID_BASE + rec.thread
        events.append((t, lane, int(State.RUNNING), rec.announcement() or rec.describe()))
        done[rec.thread] += 1
        after = State.DONE if done[rec.thread] == game.steps_per_thread else State.READY
        events.append((t + STEP_NS, lane, int(after), f"counter={rec.after}"))
    store.add_events(sorted(events, key=lambda e: e[0]))


def parse_schedule(text: str) -> list[int]:
    """``"1,2,2,1"`` -> ``[0, 1, 1, 0]`` (thread numbers on the command line start at 1)."""
    try:
        numbers = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError(
            f"a schedule is thread numbers separated by commas, not {text!r}"
        ) from None
    if not numbers:
        raise ValueError("the schedule is empty")
    return [n - 1 for n in numbers]


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: play a schedule on real gated threads and print the trace."""
    parser = argparse.ArgumentParser(
        prog="python -m demos.scheduler",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--schedule", default=DEFAULT_SCHEDULE, help="thread numbers, e.g. 1,2,1")
    parser.add_argument("--threads", type=int, help="default: the highest thread in the schedule")
    parser.add_argument("--increments", type=int, default=DEFAULTS["increments"])
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    try:
        schedule = parse_schedule(args.schedule)
        fewest = max(DEFAULTS["threads"], max(schedule) + 1)
        threads = fewest if args.threads is None else args.threads
        game = play(threads, args.increments, schedule)
    except ValueError as exc:
        parser.error(str(exc))
    except TimeoutError as exc:  # a released thread did not take its step
        note_failure(str(exc))
        raise
    try:
        print("counter.value += 1 compiles to (CPython bytecode):")
        for step, text in bytecode_listing():
            print(f"  {step:<6} {text}")
        print(f"\n{threads} threads x {args.increments} increments, schedule {args.schedule}:")
        for rec in game.history:
            print(f"  {rec.number:>3}  {rec.describe()}")
            if (message := rec.announcement()) is not None:
                print(f"       {message}")
        if not game.finished:
            print("  (the schedule ends before every thread has finished; they are stopped)")
        print(f"\ncounter      {game.counter.value}")
        print(f"expected     {game.expected}")
        print(f"lost_updates {game.lost_updates}")
        store = IntervalStore()
        to_store(game, store)
        result = game.result()
    finally:
        stopped = game.stop()
    if not stopped:
        note_failure(f"{game.alive_threads()} scheduler thread(s) did not stop")
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
