"""CPU of a process and its children, sampled every 10 ms from outside (psutil), and the time
until it falls quiet or gets busy."""

from __future__ import annotations

import time

import psutil

SAMPLE_S = 0.01
WINDOW_S = 0.3  # /proc counts CPU in 10 ms ticks: a window this long makes 5 % = 1.5 ticks


def cpu_seconds(proc: psutil.Process) -> float:
    """CPU time (user + system) of the process and of its live children."""
    total = 0.0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for member in family:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def time_until_cpu(
    proc: psutil.Process, t0: float, *, below: float = -1.0, above: float = -1.0, timeout: float
) -> float:
    """Seconds from ``t0`` (a ``time.monotonic()``) to the start of the first WINDOW_S window
    in which the process used less than ``below`` (or more than ``above``) of one core.

    Raises AssertionError if no such window began within ``timeout`` seconds.
    """
    samples = [(time.monotonic(), cpu_seconds(proc))]
    first = 0  # the earliest sample that may still start the window looked for
    while True:
        start_t, start_cpu = samples[first]
        if start_t - t0 > timeout:
            raise AssertionError(
                f"CPU not {'below ' + str(below) if below >= 0 else 'above ' + str(above)}"
                f" of a core within {timeout:.1f} s"
            )
        end = next((s for s in samples[first:] if s[0] - start_t >= WINDOW_S), None)
        if end is None:
            time.sleep(SAMPLE_S)
            samples.append((time.monotonic(), cpu_seconds(proc)))
            continue
        share = (end[1] - start_cpu) / (end[0] - start_t)
        if (below >= 0 and share < below) or (above >= 0 and share > above):
            return max(0.0, start_t - t0)
        first += 1
