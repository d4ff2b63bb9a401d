"""Debugging complexity: the same racy program, run M times, ends with many different totals.

Each run starts a few threads that add 1 to a shared counter (``demos.race.SharedCounter``) with
an unprotected read-modify-write. The window between read and write opens whenever the clock
crosses a TICK_US boundary (the thread then calls ``time.sleep(0)`` and lets others run)::

    value = counter.value
    if the clock crossed a tick since the last window:
        time.sleep(0)
    counter.value = value + 1

Why a clock and not "every 10th increment" as in ``demos.race``? A count-based window opens at
the same increments in every run, and the threads fall into the same lockstep each time, so the
total barely varies. A clock-based window opens wherever each thread happens to be when the
tick passes, which depends on how the OS scheduled it: the one real source of variation. No
random numbers are involved; every difference between runs comes from timing.

``--print`` adds a debugging print inside the loop (to the real stdout in this twin, to an
in-memory buffer in the app). The print costs time, so the windows open at other increments,
and the distribution of totals changes: observing the program changes what it does.

    python -m demos.nondeterminism --runs 100 [--threads 3] [--increments 300] [--print] [--json]
"""

from __future__ import annotations

import io
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, TextIO

from demos.context import Cancelled, WorkerContext
from demos.events import Kind, Lane, State
from demos.json_fields import mapping, read_bool, read_int
from demos.race import SharedCounter
from demos.scenario import Param, Scenario
from demos.twin import finish, print_lane_summary, run_locally, twin_main
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIO = Scenario(
    "demos.nondeterminism",
    "the same racy program, run M times, ends with many different totals",
    (
        Param(
            "runs",
            int,
            100,
            10,
            1000,
            caption="Runs (&M)",
            help="How many times the racy program runs",
        ),
        Param("threads", int, 3, 2, 4, caption="&Threads per run", help="Threads racing per run"),
        Param(
            "increments",
            int,
            300,
            100,
            1000,
            caption="&Increments per thread",
            help="Additions each thread makes per run",
        ),
        Param(
            "print",
            bool,
            False,
            caption="&print inside the loop (to an in-memory buffer)",
            help="A debugging print inside the loop (to stdout in the twin, to memory in the app)",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
TICK_NS = 50_000  # the window opens once per 50 us of clock: a few times per thread and turn
JOIN_POLL_S = 0.05
# One run of 4 threads x 1000 increments measured under 30 ms here; deadlines only.
WORST_RUN_S = 0.2
PROGRESS = "progress"  # value after each run: {"run": i, "runs": M, "total": its final count}


class Experiment:
    """The settings of M runs and the total each finished run ended with."""

    def __init__(
        self, runs: int, threads: int, increments: int, print_inside: bool, out: TextIO | None
    ) -> None:
        self.runs = runs
        self.threads = threads
        self.increments = increments
        self.print_inside = print_inside
        self.out = out  # where the prints go; None means a new io.StringIO per run
        self.totals: list[int] = []


def racer(ctx: WorkerContext, counter: SharedCounter, index: int, out: TextIO | None) -> None:
    """One thread of one run: racy increments whose window opens when the clock ticks."""
    ctx.sink.announce(
        Lane(ctx.lane_id, Kind.THREAD, f"racer-{index + 1}", threading.get_native_id())
    )
    ctx.emit(State.RUNNING, f"racer {index + 1}: {counter.increments} adds")
    clock = time.perf_counter_ns
    last_tick = clock() // TICK_NS
    done = counter.done
    try:
        for step in range(counter.increments):
            ctx.checkpoint()
            value = counter.value
            if out is not None:
                print(f"racer {index + 1} read {value}", file=out)  # the debugging print
            tick = clock() // TICK_NS
            if tick != last_tick:
                last_tick = tick
                time.sleep(0)  # the window: other threads run between read and write
            counter.value = value + 1
            done[index] = step + 1
    except Cancelled:
        ctx.emit(State.CANCELLED, "cancelled at a checkpoint")
        return
    ctx.emit(State.DONE, f"racer {index + 1} done")


def orchestrator(ctx: WorkerContext, experiment: Experiment) -> None:
    """Run the racy program ``experiment.runs`` times, one run after the other.

    Each run's threads report on the lanes right below this one (the same lanes every run), so
    the timeline shows the run in progress and nothing else.
    """
    names = [f"racer-{j + 1}" for j in range(experiment.threads)]
    for j, name in enumerate(names):
        ctx.sink.announce(Lane(ctx.lane_id + 1 + j, Kind.THREAD, name, 0))
    for run in range(experiment.runs):
        ctx.checkpoint()
        counter = SharedCounter(experiment.threads, experiment.increments, lock=False)
        out: TextIO | None = None
        if experiment.print_inside:
            out = experiment.out if experiment.out is not None else io.StringIO()
        threads = [
            threading.Thread(
                target=racer,
                args=(WorkerContext(ctx.lane_id + 1 + j, ctx.sink, ctx.control), counter, j, out),
                name=names[j],
                daemon=True,
            )
            for j in range(experiment.threads)
        ]
        ctx.emit(State.RUNNING, f"run {run + 1}: starts {experiment.threads} threads")
        for thread in threads:
            thread.start()
        ctx.emit(State.BLOCKED, f"run {run + 1}: joins its threads")
        for thread in threads:
            while thread.is_alive():  # racers stop at their next checkpoint once cancelled
                thread.join(JOIN_POLL_S)
                ctx.sink.flush_if_due()
        ctx.checkpoint()  # a cancelled run's total is incomplete: do not count it
        experiment.totals.append(counter.value)
        ctx.emit(State.RUNNING, progress_detail(run + 1, experiment.runs, counter.value))
        ctx.report(PROGRESS, {"run": run + 1, "runs": experiment.runs, "total": counter.value})


def progress_detail(run: int, runs: int, total: int) -> str:
    """The orchestrator's lane after each run (a tooltip; the figure is the PROGRESS value)."""
    return f"run {run}/{runs}: total={total}"


def build_workers(
    runs: int,
    threads: int = DEFAULTS["threads"],
    increments: int = DEFAULTS["increments"],
    print: bool = False,  # noqa: A002 - the switch's name in the app and the twin
    out: TextIO | None = None,
) -> list[WorkerSpec]:
    """One orchestrator worker that runs the racy program ``runs`` times."""
    SCENARIO.validate({"runs": runs, "threads": threads, "increments": increments})
    experiment = Experiment(runs, threads, increments, bool(print), out)
    return [WorkerSpec("orchestrator", orchestrator, {"experiment": experiment})]


@dataclass(frozen=True)
class NondeterminismResult:
    """The settings of M runs and the histogram of the totals the finished runs ended with."""

    planned_runs: int
    threads: int
    increments: int
    print_inside: bool  # "print" in the JSON, as the switch is called
    totals: tuple[tuple[int, int], ...]  # (final total, how many runs ended with it), ascending

    @property
    def runs(self) -> int:
        """Runs that finished."""
        return sum(count for _total, count in self.totals)

    @property
    def expected(self) -> int:
        """The total of a run that lost no update."""
        return self.threads * self.increments

    @property
    def distinct_results(self) -> int:
        """How many different totals the runs ended with."""
        return len(self.totals)

    @property
    def correct_runs(self) -> int:
        """Runs that reached the expected total."""
        return dict(self.totals).get(self.expected, 0)

    def _all_totals(self) -> list[int]:
        return [total for total, count in self.totals for _ in range(count)]

    @property
    def mean(self) -> float | None:
        """The mean total (None without a finished run)."""
        totals = self._all_totals()
        return round(statistics.fmean(totals), 2) if totals else None

    @property
    def stdev(self) -> float | None:
        """The spread of the totals (population standard deviation)."""
        totals = self._all_totals()
        return round(statistics.pstdev(totals), 2) if totals else None

    def verdict(self) -> str:
        """What the histogram shows, from the histogram (a race does not always show up)."""
        runs, expected = self.runs, self.expected
        how = "with a print inside the loop" if self.print_inside else "without a print"
        if runs == 0:
            return "No run finished."
        if self.distinct_results == 1:
            ((total, _count),) = self.totals
            if total == expected:
                return (
                    f"All {runs:,} runs {how} reached the expected {expected:,}: this time no "
                    "thread was interrupted inside its read-modify-write. The race is still "
                    "there; try more increments."
                )
            return (
                f"All {runs:,} runs {how} ended at the same wrong total, {total:,} instead of "
                f"{expected:,}: the race lost updates the same way every time."
            )
        return (
            f"{runs:,} runs {how} gave {self.distinct_results:,} different totals; "
            f"{self.correct_runs:,} reached the expected {expected:,}. Mean {self.mean}, "
            f"spread (std dev) {self.stdev}."
        )

    def as_json(self) -> dict[str, Any]:
        """The twin's JSON line and the lab's "result": the histogram as ``results`` (total ->
        runs), the figures derived from it, and the verdict."""
        return {
            "runs": self.runs,
            "planned_runs": self.planned_runs,
            "threads": self.threads,
            "increments": self.increments,
            "print": self.print_inside,
            "expected": self.expected,
            "results": dict(self.totals),
            "distinct_results": self.distinct_results,
            "correct_runs": self.correct_runs,
            "mean": self.mean,
            "stdev": self.stdev,
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: object) -> NondeterminismResult:
        """The result :meth:`as_json` wrote (after JSON its totals are strings); the derived
        figures are ignored. KeyError, TypeError or ValueError for anything else."""
        fields = mapping(data)
        results = mapping(fields["results"], "results")
        totals = sorted(
            (int(total), read_int(results, total, 1))
            for total in results  # int("x"): ValueError
        )
        return cls(
            planned_runs=read_int(fields, "planned_runs", 1),
            threads=read_int(fields, "threads", 1),
            increments=read_int(fields, "increments", 1),
            print_inside=read_bool(fields, "print"),
            totals=tuple(totals),
        )


def summarize(experiment: Experiment) -> NondeterminismResult:
    """The histogram of the totals of the finished runs."""
    counts = Counter(experiment.totals)
    return NondeterminismResult(
        planned_runs=experiment.runs,
        threads=experiment.threads,
        increments=experiment.increments,
        print_inside=experiment.print_inside,
        totals=tuple(sorted(counts.items())),
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The outcome of a run built by :func:`build_workers`."""
    return summarize(specs[0].params["experiment"]).as_json()


def deadline_s(runs: int) -> float:
    """A generous bound on M runs, for joins."""
    return runs * WORST_RUN_S + 10.0


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser, args, params = SCENARIO.parse(argv, __doc__)
    out = sys.stdout if args.print else None
    specs = build_workers(**params, out=out)  # type: ignore[arg-type]  # typed by the scenario
    _, store = run_locally(KIND, specs, timeout_s=deadline_s(args.runs))
    outcome = summarize(specs[0].params["experiment"])
    how = "with a print inside the loop" if args.print else "as is"
    print(f"{args.runs} runs of {args.threads} threads x {args.increments} increments, {how}:")
    print_lane_summary(store)
    for value, count in outcome.totals:
        print(f"  total {value:>5}  {'#' * min(count, 60)} {count}")
    print(f"expected {outcome.expected}: {outcome.correct_runs} runs got it right")
    print(f"distinct_results {outcome.distinct_results} in {outcome.runs} runs")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
