"""Pure-Python work of a known size, calibrated on this machine.

A CPU step of "100 ms" is a fixed amount of arithmetic that takes about 100 ms on one core when
nothing else runs. Run by N threads at once on a build with the GIL, the same work takes about N
times as long in total, because only one thread runs Python bytecode at a time: that is the
lesson. On a free-threaded build without the GIL, the threads can run it on N cores at once.
"""

from __future__ import annotations

import statistics
import time

CALIBRATION_ITERATIONS = 200_000
_iterations_per_ms: float | None = None


def spin(iterations: int) -> int:
    """Pure-Python integer arithmetic: it needs the GIL to run (on a GIL build), and gives it
    up whenever another thread has been waiting for it a switch interval
    (``sys.getswitchinterval()``, 5 ms by default): the interpreter asks it to at a loop's
    backward jump, so threads spinning at once take turns.

    Every iteration costs the same (the numbers stay small), so work splits into chunks exactly.
    """
    acc = 1
    for _ in range(iterations):
        acc = (acc * 31 + 7) % 1_000_003
    return acc


def iterations_per_ms() -> float:
    """How many :func:`spin` iterations one core does per ms (measured once, median of 5)."""
    global _iterations_per_ms
    if _iterations_per_ms is None:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            spin(CALIBRATION_ITERATIONS)
            times.append(time.perf_counter() - t0)
        _iterations_per_ms = CALIBRATION_ITERATIONS / (statistics.median(times) * 1000.0)
    return _iterations_per_ms


def set_calibration(value: float) -> None:
    """Use a calibration measured elsewhere (so all workers of a run do the same work)."""
    global _iterations_per_ms
    _iterations_per_ms = value
