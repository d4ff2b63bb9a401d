"""Instrumentation overhead of the CPU lesson: the same arithmetic with and without events, and
64 computing threads with and without the GIL hand-off slices (demos.gil_slices)."""

from __future__ import annotations

import itertools
import statistics
import time

from demos import gil_slices, workloads
from demos.context import Control, WorkerContext
from demos.events import Event, Kind
from demos.multithreading import build_workers, step_worker
from demos.ring import RingSink, RingWriter, ring_size
from demos.runtime import Run
from demos.transport import ListSink

STEPS = 40
STEP_MS = 25
ROUNDS = 7
SLICE_THREADS = 64
SLICE_STEP_MS = 20  # 64 x 20 ms: 1.3 s of work per run
SLICE_ROUNDS = 5


def _instrumented() -> float:
    ctx = WorkerContext(0, ListSink(), Control())
    t0 = time.perf_counter()
    step_worker(ctx, steps=STEPS, step_ms=STEP_MS, kind="cpu")
    return time.perf_counter() - t0


def _plain() -> float:
    iterations = int(STEP_MS * workloads.iterations_per_ms())
    t0 = time.perf_counter()
    for _ in range(STEPS):
        workloads.spin(iterations)
    return time.perf_counter() - t0


class _CountingRing(RingSink):
    """A ring in plain memory that counts what it was given."""

    def __init__(self) -> None:
        super().__init__(RingWriter(bytearray(ring_size())))
        self.count = itertools.count()

    def emit(self, event: Event) -> None:
        """One event into the ring, counted."""
        next(self.count)
        self.ring.emit(event)


def _threads(with_slices: bool) -> tuple[float, float, int]:
    """One run of 64 computing threads: elapsed seconds, this process's CPU seconds (steadier
    than elapsed on a shared machine) and events emitted."""
    gil_slices.enabled = with_slices
    sink = _CountingRing()  # the lab's path: events into the shared-memory ring
    specs = build_workers(SLICE_THREADS, 1, SLICE_STEP_MS, "cpu")
    run = Run(Kind.THREAD, specs, sink)
    try:
        t0, cpu0 = time.perf_counter(), time.process_time()
        run.start()
        run.join(60.0)
        return time.perf_counter() - t0, time.process_time() - cpu0, next(sink.count)
    finally:
        gil_slices.enabled = True
        run.close()


def slices_overhead() -> dict:
    """64 threads with and without the hand-off slices, interleaved rounds, medians."""
    on: list[tuple[float, float, int]] = []
    off: list[tuple[float, float, int]] = []
    for _ in range(SLICE_ROUNDS):
        on.append(_threads(True))
        off.append(_threads(False))

    def median(runs: list[tuple[float, float, int]], i: int) -> float:
        return statistics.median(r[i] for r in runs)

    ratio = median(on, 1) / median(off, 1)
    return {
        "name": f"GIL hand-off slices, {SLICE_THREADS} CPU threads (CPU time)",
        "value": f"{(ratio - 1) * 100:+.1f} %",
        "goal": "<= 5 %",
        "ok": ratio <= 1.05,
        "detail": f"median CPU {median(on, 1):.3f} s vs {median(off, 1):.3f} s, elapsed "
        f"{median(on, 0):.3f} s vs {median(off, 0):.3f} s, {median(on, 2):.0f} events a run",
    }


def run() -> list[dict]:
    """Interleaved rounds, medians, and the ratio."""
    workloads.iterations_per_ms()
    instrumented, plain = [], []
    for _ in range(ROUNDS):
        instrumented.append(_instrumented())
        plain.append(_plain())
    ratio = statistics.median(instrumented) / statistics.median(plain)
    return [
        {
            "name": "instrumentation overhead, CPU lesson (1 s of work)",
            "value": f"{(ratio - 1) * 100:+.1f} %",
            "goal": "<= 5 %",
            "ok": ratio <= 1.05,
            "detail": f"median {statistics.median(instrumented):.3f} s vs "
            f"{statistics.median(plain):.3f} s",
        },
        slices_overhead(),
    ]


if __name__ == "__main__":
    print(run())
