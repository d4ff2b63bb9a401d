"""GIL hand-offs seen from inside a CPU step: the time a computing thread did not run.

A computing thread reads the wall clock after each chunk of work. Chunks are the same arithmetic,
so the quickest chunk so far says how long one takes while the thread runs; a chunk that took
longer by over GAP_NS may hold a gap. Only then the thread reads its own CPU time: what ran since
the last gap, less the chunks since then, is what of this chunk ran; the rest the thread was not
running: on a GIL build it waited for the GIL (another thread held it) or for a CPU (the OS ran
something else), on a free-threaded build only for a CPU. That becomes a READY slice on the lane,
stamped where the gap was, then RUNNING again, so a thread's RUNNING adds up to its CPU time.
Smaller gaps (a timer tick, a cache miss, a slower core) stay RUNNING.

Why not the thread's CPU time after every chunk: that clock is a system call, and measured here
one per 0.5 ms chunk made the arithmetic itself 2-4 % slower (the wall clock: no change).

Which of the two waits it was: where the OS counts a thread's context switches
(``getrusage(RUSAGE_THREAD)``, Linux), a gap with a voluntary switch is a wait for the GIL (the
thread blocked on it), one with only involuntary switches a wait for a CPU (the OS ran something
else). Elsewhere a gap on a GIL build is put down to the GIL. The counts are read only after a
gap, and with the GIL held: a call that releases it (``os.pread`` of the thread's ``schedstat``
was tried) makes a hand-off of its own; measured at a 50 ms switch interval with 2 threads,
about 120 hand-offs/s instead of about 10. Opening ``/proc/thread-self/schedstat`` once per
thread, even with the GIL held, cost 64 threads about 3 % more CPU; this costs nothing
measurable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from demos.events import Event, State

# A thread that lost the GIL waits at least a good part of a switch interval (1 ms or more);
# a thread that ran throughout shows wall minus CPU of a few microseconds per 0.5 ms chunk.
GAP_NS = 300_000
# Switched off only by the overhead benchmark, to measure what the detection costs.
enabled = True

_RUNNING = int(State.RUNNING)
_READY = int(State.READY)


def gil_enabled() -> bool:
    """True where threads share one GIL (every build before 3.13, and free-threaded builds
    started with PYTHON_GIL=1); False on a free-threaded build running without it."""
    check: Callable[[], bool] | None = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


WAITING_FOR_GIL = "waiting for the GIL"
WAITING_FOR_CPU = "waiting for a CPU"


def wait_detail() -> str:
    """What a READY slice means on this interpreter when nothing tells the two waits apart."""
    return WAITING_FOR_GIL if gil_enabled() else WAITING_FOR_CPU


def _switches() -> Callable[[], tuple[int, int]] | None:
    """A reader of this thread's (voluntary, involuntary) context switches, or None."""
    try:
        import resource

        who = resource.RUSAGE_THREAD
        resource.getrusage(who)
    except (ImportError, AttributeError, OSError, ValueError):
        return None

    def read() -> tuple[int, int]:
        usage = resource.getrusage(who)
        return usage.ru_nvcsw, usage.ru_nivcsw

    return read


SWITCHES = _switches()


@dataclass
class SliceTally:
    """One thread's totals over its CPU steps: time running, time waiting, hand-offs."""

    running_ns: int = 0
    ready_ns: int = 0  # waiting in all (for the GIL or for a CPU)
    cpu_wait_ns: int = 0  # of which waiting for a CPU, where the OS tells the two apart
    handoffs: int = 0  # times the thread waited for the GIL, then ran again
    # The quickest a spin iteration has run on this thread (ns), 0 until known.
    best_ns_per_iteration: float = 0.0

    @property
    def running_s(self) -> float:
        """Seconds drawn RUNNING by the CPU steps."""
        return self.running_ns / 1e9

    @property
    def ready_s(self) -> float:
        """Seconds drawn READY (waiting for the GIL or a CPU)."""
        return self.ready_ns / 1e9


class SliceWatch:
    """Checks one CPU step's clocks between chunks and emits READY slices for the gaps."""

    __slots__ = (
        "_emit",
        "_lane",
        "_detail",
        "_gil",
        "_tally",
        "_wall",
        "_best",
        "_cpu",
        "_since",
        "_switches",
    )

    def __init__(
        self,
        emit: Callable[[Event], None],
        lane_id: int,
        detail: str,
        tally: SliceTally,
        ns_per_iteration: float,
    ) -> None:
        self._emit = emit
        self._lane = lane_id
        self._detail = detail  # the RUNNING detail the step goes back to
        self._gil = gil_enabled()
        self._tally = tally
        # Until a chunk runs quicker, the calibration's figure (measured alone, so not quicker
        # than a chunk that ran throughout).
        self._best = tally.best_ns_per_iteration or ns_per_iteration
        self._wall = 0
        self._cpu = 0  # the thread's CPU time at the last gap (or the start)
        self._since = 0  # wall time of the chunks without a gap since then
        self._switches = (0, 0)
        self.restart()

    def restart(self) -> None:
        """Start counting from now (at the start, and after a pause or a step aside)."""
        self._wall = time.perf_counter_ns()
        self._cpu = time.thread_time_ns()
        self._since = 0
        if self._gil and SWITCHES is not None:
            self._switches = SWITCHES()

    def check(self, iterations: int) -> None:
        """Close the span of the chunk of ``iterations`` just done; a gap in it becomes READY,
        then RUNNING."""
        wall = time.perf_counter_ns()
        span = wall - self._wall
        tally = self._tally
        if span < iterations * self._best:
            self._best = tally.best_ns_per_iteration = span / iterations
        if span - iterations * self._best <= GAP_NS:  # ran throughout (or nearly)
            tally.running_ns += span
            self._since += span
            self._wall = wall
            return
        # Perhaps a gap. How much of the chunk ran: the thread's CPU time since the last gap,
        # less the chunks since then, which ran throughout. (A chunk right after a hand-off
        # runs slower than the quickest, caches cold: the quickest would undercount it.)
        cpu = time.thread_time_ns()
        ran = min(span, max(0, cpu - self._cpu - self._since))
        gap = span - ran
        self._cpu, self._since, self._wall = cpu, 0, wall
        if gap <= GAP_NS:  # only slower, not stopped
            tally.running_ns += span
            return
        # Where in the span the thread stopped is unknown (within one chunk): put the gap at
        # its end, so the lane's events stay in time order.
        if self._waited_for_gil():
            self._emit((wall - gap, self._lane, _READY, WAITING_FOR_GIL))
            tally.handoffs += 1
        else:
            self._emit((wall - gap, self._lane, _READY, WAITING_FOR_CPU))
            tally.cpu_wait_ns += gap
        self._emit((wall, self._lane, _RUNNING, self._detail))
        tally.ready_ns += gap
        tally.running_ns += ran

    def _waited_for_gil(self) -> bool:
        """Whether the gap just seen was a wait for the GIL rather than for a CPU."""
        if not self._gil:
            return False
        if SWITCHES is None:
            return True  # nothing tells the two apart here: on a GIL build, the GIL
        before, self._switches = self._switches, SWITCHES()
        # A voluntary switch: the thread blocked, which a CPU step does only on the GIL. Else
        # it was preempted (involuntary switches only) or stalled without a switch.
        return self._switches[0] > before[0]


class _NoWatch:
    """Stands in for SliceWatch when detection is off (the benchmark's baseline)."""

    def restart(self) -> None:
        """Nothing to forget."""

    def check(self, iterations: int) -> None:
        """Nothing to check."""


def watch(
    emit: Callable[[Event], None],
    lane_id: int,
    detail: str,
    tally: SliceTally,
    ns_per_iteration: float,
) -> SliceWatch | _NoWatch:
    """A watch for one CPU step (a no-op one while :data:`enabled` is False);
    ``ns_per_iteration`` is the calibrated speed of :func:`demos.workloads.spin`."""
    if not enabled:
        return _NoWatch()
    return SliceWatch(emit, lane_id, detail, tally, ns_per_iteration)
