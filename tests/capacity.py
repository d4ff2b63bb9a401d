"""Parallelism on a shared machine: measure what other programs took, and never pass quietly.

Load elsewhere hides a speedup, and where two runs made one after another are compared, load
that comes and goes between them can even invent one. So a test of "processes ran in parallel"
asserts it; when the figure falls short *and* other programs were measured keeping cores busy
meanwhile, the test is skipped with those figures in its reason (``-rs`` shows it), never passed
with its assert left out. Where a figure does not depend on the load (CPU time a process
received per second of wall time cannot exceed 1.0 for one process), prefer it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import psutil
import pytest

QUIET_CORES = 0.5  # CPU used by other programs, in cores, below which parallelism must show
T = TypeVar("T")


def _own_cpu_s() -> float:
    """CPU seconds of this test process and its whole tree (reaped descendants included)."""
    total = 0.0
    for proc in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def measured_with_load(action: Callable[[], T]) -> tuple[T, float]:
    """Run ``action``; also return how many cores *other* programs kept busy meanwhile."""
    system_before, own_before, t0 = psutil.cpu_times(), _own_cpu_s(), time.perf_counter()
    value = action()
    system_after, own_after, wall = psutil.cpu_times(), _own_cpu_s(), time.perf_counter() - t0

    def busy(t: Any) -> float:
        return t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "irq", 0.0)

    others = busy(system_after) - busy(system_before) - (own_after - own_before)
    return value, max(0.0, others / wall)


def require(shown: bool, others: list[float], claim: str, figures: object) -> None:
    """Pass if ``shown``; skip, saying what was measured, if every try ran on a busy machine;
    fail otherwise. ``others``: cores other programs used during each try."""
    if shown:
        return
    if others and min(others) > QUIET_CORES:
        loads = ", ".join(f"{o:.2f}" for o in others)
        pytest.skip(f"{claim} not shown ({figures}) while other programs used {loads} cores")
    pytest.fail(f"{claim} not shown ({figures}); other programs used {others} cores")
