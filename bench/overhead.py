"""Instrumentation overhead of the CPU lesson: the same arithmetic with and without events."""

from __future__ import annotations

import statistics
import time

from demos import workloads
from demos.context import Control, WorkerContext
from demos.multithreading import step_worker
from demos.transport import ListSink

STEPS = 40
STEP_MS = 25
ROUNDS = 7


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
        }
    ]


if __name__ == "__main__":
    print(run())
