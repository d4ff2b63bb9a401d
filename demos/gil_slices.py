"""GIL hand-offs seen from inside a CPU step: the time a computing thread did not run.

A computing thread reads two clocks between chunks of work: the shared wall clock and its own CPU
time. Whatever wall time passed without the thread's CPU time growing, the thread was not running:
on a GIL build it waited for the GIL (another thread held it) or for a CPU (the OS ran something
else), on a free-threaded build only for a CPU. A gap above GAP_NS becomes a READY slice on the
lane, stamped where the gap was, then RUNNING again. Smaller gaps (a timer tick, a cache miss)
stay RUNNING.

Which of the two waits it was: on Linux the thread's ``schedstat`` counts the time it sat in the
run queue (runnable, no CPU), read only when there was a gap. The rest of the gap is the GIL.
Elsewhere a gap on a GIL build is put down to the GIL.

The read must keep the GIL: ``os.pread`` releases it, and then the other threads take it, so
every read made a hand-off of its own (measured: 2 threads at a 50 ms switch interval showed
about 120 hand-offs/s instead of about 10). So it goes through ctypes' PyDLL, which calls C with
the GIL held: about 4 us a read here, only after a gap.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

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


def _pread_holding_the_gil() -> Callable[[int, ctypes.Array[ctypes.c_char], int, int], int]:
    pread = ctypes.PyDLL(None).pread
    pread.restype = ctypes.c_ssize_t
    pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
    return pread


class RunDelay:
    """The calling thread's run-queue time (ns) from Linux's ``/proc/thread-self/schedstat``."""

    _pread: Callable[[int, ctypes.Array[ctypes.c_char], int, int], int] | None = None

    def __init__(self) -> None:
        if RunDelay._pread is None:
            RunDelay._pread = _pread_holding_the_gil()
        self._call = RunDelay._pread
        self._buffer = ctypes.create_string_buffer(96)
        # Opened by the thread itself: /proc/thread-self names the thread that opens it.
        self._fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        self._finalizer = weakref.finalize(self, os.close, self._fd)

    @classmethod
    def open(cls) -> RunDelay | None:
        """A reader for this thread, or None where the OS has no such file."""
        try:
            reader = cls()
            reader.read()
        except (OSError, AttributeError, TypeError, ValueError, IndexError):
            return None
        return reader

    def read(self) -> int:
        """Nanoseconds this thread has waited, runnable, for a CPU."""
        size = self._call(self._fd, self._buffer, 96, 0)
        return int(self._buffer.raw[:size].split()[1])


@dataclass
class SliceTally:
    """One thread's totals over its CPU steps: time running, time waiting, hand-offs."""

    running_ns: int = 0
    ready_ns: int = 0  # waiting in all (for the GIL or for a CPU)
    cpu_wait_ns: int = 0  # of which in the OS's run queue, where the OS says so
    handoffs: int = 0  # times the thread waited for the GIL, then ran again
    run_delay: RunDelay | None = field(default=None, repr=False, compare=False)
    _opened: bool = field(default=False, repr=False, compare=False)

    def run_queue_ns(self) -> int | None:
        """This thread's run-queue time so far, or None where unknown (opened on first use,
        by the thread itself)."""
        if not self._opened:
            self._opened = True
            self.run_delay = RunDelay.open()
        return self.run_delay.read() if self.run_delay is not None else None

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

    __slots__ = ("_emit", "_lane", "_detail", "_gil", "_tally", "_wall", "_cpu", "_queued")

    def __init__(
        self, emit: Callable[[Event], None], lane_id: int, detail: str, tally: SliceTally
    ) -> None:
        self._emit = emit
        self._lane = lane_id
        self._detail = detail  # the RUNNING detail the step goes back to
        self._gil = gil_enabled()
        self._tally = tally
        self._wall = 0
        self._cpu = 0
        self._queued: int | None = None
        self.restart()

    def restart(self) -> None:
        """Start counting from now (at the start, and after a pause or a step aside)."""
        # Clocks first: opening the run-queue file on first use releases the GIL, and a wait
        # for it afterwards must show as a gap, not as time running.
        self._wall = time.perf_counter_ns()
        self._cpu = time.thread_time_ns()
        self._queued = self._tally.run_queue_ns() if self._gil else None

    def check(self) -> None:
        """Close the span since the last check; a gap in it becomes READY, then RUNNING."""
        wall = time.perf_counter_ns()
        cpu = time.thread_time_ns()
        span = wall - self._wall
        gap = span - (cpu - self._cpu)
        tally = self._tally
        if gap > GAP_NS:
            cpu_wait = gap if not self._gil else self._cpu_wait(gap)
            for_gil = gap - cpu_wait
            # Where in the span the thread stopped is unknown (within one chunk): put the gap
            # at its end, so the lane's events stay in time order. A wait for the GIL comes
            # first (a thread handed the GIL may then queue for a CPU); a short part of either
            # kind goes to the other.
            if for_gil >= GAP_NS or 2 * for_gil > gap:
                self._emit((wall - gap, self._lane, _READY, WAITING_FOR_GIL))
                tally.handoffs += 1
                if cpu_wait >= GAP_NS:
                    self._emit((wall - cpu_wait, self._lane, _READY, WAITING_FOR_CPU))
            else:
                self._emit((wall - gap, self._lane, _READY, WAITING_FOR_CPU))
            self._emit((wall, self._lane, _RUNNING, self._detail))
            tally.ready_ns += gap
            tally.cpu_wait_ns += cpu_wait
            tally.running_ns += span - gap
        else:
            tally.running_ns += span
        self._wall, self._cpu = wall, cpu

    def _cpu_wait(self, gap: int) -> int:
        """How much of the gap the thread spent in the run queue (0 where unknown)."""
        if self._queued is None:
            return 0
        queued = self._tally.run_queue_ns()
        waited = (queued or 0) - self._queued
        self._queued = queued
        return max(0, min(gap, waited))


class _NoWatch:
    """Stands in for SliceWatch when detection is off (the benchmark's baseline)."""

    def restart(self) -> None:
        """Nothing to forget."""

    def check(self) -> None:
        """Nothing to check."""


def watch(
    emit: Callable[[Event], None], lane_id: int, detail: str, tally: SliceTally
) -> SliceWatch | _NoWatch:
    """A watch for one CPU step (a no-op one while :data:`enabled` is False)."""
    return SliceWatch(emit, lane_id, detail, tally) if enabled else _NoWatch()
