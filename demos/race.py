"""Race condition lesson: N threads add 1 to a shared counter K times, with or without a Lock.

Each increment is a read-modify-write in three steps (load, add, store), written out as::

    value = counter.value          # load
    time.sleep(0)                  # every YIELD_EVERY-th increment: the window
    counter.value = value + 1      # add, then store

``time.sleep(0)`` yields the CPU (and, on a GIL build, the GIL), as any I/O call or a preemption
at that spot would, so other threads run between this thread's read and its write. When it
writes, it stores a stale value plus one and wipes out every increment the others made
meanwhile: those are the lost updates.

Why not just ``counter.value += 1``? On a standard (GIL) build, CPython 3.10 and later looks for
a pending thread switch only at calls and backward jumps, not between the load and the store of
``+=``, so a plain ``x += 1`` almost never loses an update there, although it is not atomic and
nothing promises that it never will. On a free-threaded build the threads run at the same time
and a plain ``+=`` can lose updates too. The explicit window makes the race happen on every run.

With ``--lock`` the same three lines run under one ``threading.Lock``: no thread can read until
the previous writer has written, and the total is exact (at the cost of the threads queueing).

    python -m demos.race --threads 4 --increments 10000 [--lock] [--json]
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

from demos.context import WorkerContext
from demos.events import Kind, State, now_ns
from demos.json_fields import mapping, read_bool, read_int, read_optional_float
from demos.scenario import Param, Scenario
from demos.twin import finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIO = Scenario(
    "demos.race",
    "threads add 1 to a shared counter with an unprotected read-modify-write and lose updates",
    (
        Param(
            "threads", int, 4, 2, 32, caption="&Threads", help="How many threads share the counter"
        ),
        Param(
            "increments",
            int,
            10_000,
            1,
            100_000,
            caption="&Increments per thread",
            help="How many times each thread adds 1 to the counter",
        ),
        Param(
            "lock",
            bool,
            False,
            caption="with &Lock (threading.Lock around read and write)",
            help="Hold a threading.Lock around each read-modify-write: one indivisible step",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
YIELD_EVERY = 10  # every 10th increment yields (and drops any GIL) between its read and write
REPORTS_PER_WORKER = 100  # live counter events per worker (about every 1% of its increments)
REPORT_PERIOD_NS = 50_000_000  # a thread sends the live counter as a value at most this often
COUNTER = "counter"  # value: {"actual": the counter, "expected": increments done so far}
FINAL_COUNT = "final_count"  # value: {"actual", "expected", "lost_updates"}, from the last thread
# Upper bound of one increment's cost with the Lock on this kind of machine (32 threads queueing
# for one lock on 2 cores measured about 16 us); used only for deadlines, never for results.
WORST_INCREMENT_S = 25e-6
# Details travel through the lab's event ring, which keeps DETAIL_BYTES (44) of each: these
# formats stay within 40 at the largest settings. They are for the timeline's tooltips only; the
# figures travel as values (COUNTER, FINAL_COUNT).


class SharedCounter:
    """The state one run's threads share: the counter, each thread's progress, the Lock.

    A new one is made for every run by :func:`build_workers` and handed to every worker of that
    run. Thread workers receive their parameters as they are (they are not pickled), so all of
    them see this very object.
    """

    def __init__(self, threads: int, increments: int, lock: bool) -> None:
        self.value = 0
        self.threads = threads
        self.increments = increments
        self.lock: threading.Lock | None = threading.Lock() if lock else None
        self.done = [0] * threads  # increments completed, one slot per thread (no sharing)
        self._finished = 0
        self._finish_lock = threading.Lock()  # bookkeeping only, never around the increment

    def total_done(self) -> int:
        """Increments completed by all threads so far: the value the counter should have."""
        return sum(self.done)

    def finish_one(self) -> bool:
        """Count a thread as finished; True for the last one, which may report the outcome."""
        with self._finish_lock:
            self._finished += 1
            return self._finished == self.threads


def increment_worker(ctx: WorkerContext, counter: SharedCounter, index: int) -> None:
    """One thread: ``counter.increments`` read-modify-writes of the shared counter.

    It shows the counter on its lane about every 1% of its work (not every increment: that
    would cost more than the increment) and reports it as a value at most every
    REPORT_PERIOD_NS, and once more when done; the last thread to finish reports the outcome.
    """
    increments = counter.increments
    report_every = max(1, increments // REPORTS_PER_WORKER)
    lock = counter.lock
    done = counter.done
    last_report_ns = 0
    try:
        for step in range(increments):
            ctx.checkpoint()  # outside the lock: a paused thread never holds it
            if lock is None:
                value = counter.value
                if step % YIELD_EVERY == 0:
                    time.sleep(0)  # the window: other threads run between read and write
                counter.value = value + 1
            else:
                with lock:
                    value = counter.value
                    if step % YIELD_EVERY == 0:
                        time.sleep(0)  # the same window, but no one else can read now
                    counter.value = value + 1
            done[index] = step + 1
            if (step + 1) % report_every == 0:
                ctx.emit(State.RUNNING, live_detail(counter))
                if now_ns() - last_report_ns >= REPORT_PERIOD_NS:
                    report_live(ctx, counter)
                    last_report_ns = now_ns()
        ctx.emit(State.RUNNING, f"done; sees counter={counter.value}")
        report_live(ctx, counter)
    finally:
        if counter.finish_one():
            outcome = summarize(counter)
            ctx.emit(State.RUNNING, final_detail(outcome))
            ctx.report(FINAL_COUNT, final_value(outcome))


def report_live(ctx: WorkerContext, counter: SharedCounter) -> None:
    """The live counter as a value: what it holds and what it should hold by now."""
    ctx.report(COUNTER, {"actual": counter.value, "expected": counter.total_done()})


def live_detail(counter: SharedCounter) -> str:
    """What a thread shows on its lane while it works (a tooltip; the figure is COUNTER)."""
    return f"counter={counter.value} after {counter.total_done()} adds"


def final_detail(outcome: RaceResult) -> str:
    """The last thread's outcome on its lane (a tooltip; the figure is FINAL_COUNT)."""
    return f"final counter={outcome.actual} expected={outcome.expected}"


def final_value(outcome: RaceResult) -> dict[str, int]:
    """The FINAL_COUNT value: the count as the last thread saw it."""
    return {
        "actual": outcome.actual,
        "expected": outcome.expected,
        "lost_updates": outcome.lost_updates,
    }


def build_workers(threads: int, increments: int, lock: bool = False) -> list[WorkerSpec]:
    """The workers of one run, all sharing one new :class:`SharedCounter`."""
    SCENARIO.validate({"threads": threads, "increments": increments, "lock": bool(lock)})
    counter = SharedCounter(threads, increments, bool(lock))
    return [
        WorkerSpec(f"Thread-{i + 1}", increment_worker, {"counter": counter, "index": i})
        for i in range(threads)
    ]


# The verdict names a share of lost updates only from this share on: below it the loss is a
# handful of increments, which the sentence reports as a count without rounding it to "0%".
SHARE_WORTH_A_PERCENT = 0.005


@dataclass(frozen=True)
class RaceResult:
    """One run's count: ``expected`` is the increments the threads completed (so a cancelled run
    compares like with like), ``planned`` is threads x increments, ``actual`` the counter."""

    threads: int
    increments: int
    lock: bool
    planned: int
    expected: int
    actual: int
    elapsed_s: float | None = None  # known to the twin and the tab, not to ``result(specs)``

    @property
    def lost_updates(self) -> int:
        """Increments the counter does not show."""
        return self.expected - self.actual

    @property
    def lost_share(self) -> float:
        """Lost updates as a share of the increments completed (0 when none were)."""
        return self.lost_updates / self.expected if self.expected else 0.0

    def verdict(self) -> str:
        """What the count shows, from the count (a run without the Lock may lose nothing)."""
        took = f" in {self.elapsed_s:.2f} s" if self.elapsed_s is not None else ""
        lost = self.lost_updates
        if lost > 0:
            share = f" ({self.lost_share:.0%})" if self.lost_share >= SHARE_WORTH_A_PERCENT else ""
            told = (
                "even with the Lock: something else wrote the counter."
                if self.lock
                else "threads wrote back values they had read before other threads changed "
                "the counter. Try the Lock."
            )
            return f"{lost:,} updates{share} were lost{took}: {told}"
        if lost < 0:
            return (
                f"The counter shows {-lost:,} more than the {self.expected:,} increments "
                "completed: a thread was stopped between its write and its tally."
            )
        if self.lock:
            return (
                "Exact: with the Lock, each read-modify-write finished before the next began, "
                f"so all {self.expected:,} increments count{took}."
            )
        return (
            f"No update was lost this time{took}: no thread was interrupted between its read "
            "and its write. Try more threads or more increments."
        )

    def as_json(self) -> dict[str, Any]:
        """The figures, the lost updates and the verdict: the twin's JSON line, the lab's
        "result"."""
        return {**asdict(self), "lost_updates": self.lost_updates, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> RaceResult:
        """The result :meth:`as_json` wrote (``lost_updates`` and ``verdict`` are derived and
        checked or ignored); KeyError, TypeError or ValueError for anything else."""
        fields = mapping(data)
        made = cls(
            threads=read_int(fields, "threads", 1),
            increments=read_int(fields, "increments", 1),
            lock=read_bool(fields, "lock"),
            planned=read_int(fields, "planned"),
            expected=read_int(fields, "expected"),
            actual=read_int(fields, "actual"),
            elapsed_s=read_optional_float(fields, "elapsed_s"),
        )
        if made.planned != made.threads * made.increments or made.expected > made.planned:
            raise ValueError(f"the counts do not add up: {dict(fields)}")
        if "lost_updates" in fields and read_int(fields, "lost_updates", None) != made.lost_updates:
            raise ValueError(f"lost_updates is not expected - actual: {dict(fields)}")
        return made


def summarize(counter: SharedCounter) -> RaceResult:
    """Expected (increments actually done), actual (the counter), and the settings."""
    return RaceResult(
        threads=counter.threads,
        increments=counter.increments,
        lock=counter.lock is not None,
        planned=counter.threads * counter.increments,
        expected=counter.total_done(),
        actual=counter.value,
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The outcome of a run built by :func:`build_workers`, read from its shared counter."""
    return summarize(specs[0].params["counter"]).as_json()


def deadline_s(threads: int, increments: int) -> float:
    """A generous bound on one run's duration, for joins."""
    return threads * increments * WORST_INCREMENT_S * 2 + 10.0


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser, args, params = SCENARIO.parse(argv, __doc__)
    specs = build_workers(**params)  # type: ignore[arg-type]  # typed by the scenario
    run, store = run_locally(KIND, specs, timeout_s=deadline_s(args.threads, args.increments))
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    outcome = replace(summarize(specs[0].params["counter"]), elapsed_s=round(elapsed_s, 4))
    how = "under a threading.Lock" if args.lock else "with no lock"
    print(f"{args.threads} threads x {args.increments:,} increments {how}:")
    print_lane_summary(store)
    print(f"expected     {outcome.expected:,}")
    print(f"actual       {outcome.actual:,}")
    print(f"lost_updates {outcome.lost_updates:,} ({outcome.lost_share:.0%}) in {elapsed_s:.2f} s")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
