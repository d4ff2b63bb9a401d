"""What a thread and a process cost to start: start 1..N idle ones of each, and measure per
worker the time from ``start()`` to its first line and the memory (RSS) it adds.

Part of the "Program, process and thread" lesson (``demos.process_thread``), which runs it from
the lab's Measure worker and from its twin. A measured process that dies (killed, say) ends the
round at once and fails it: no figure is made from a round that lost a worker.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from demos.escalate import escalate
from demos.events import now_ns
from demos.exit_status import note_failure
from demos.process_thread_result import CostResult, CostRow
from demos.process_worker import SPAWN, signal_name

COST_WAIT_S = 60.0  # a cost round gives up on workers that have not started by then
POLL_S = 0.005
MB = 1024 * 1024


class CostRoundBroken(RuntimeError):
    """A measured process died or had to be terminated: the round has no figure."""


def _thread_entry(entry: list[int], index: int, release: threading.Event) -> None:
    entry[index] = now_ns()
    release.wait(COST_WAIT_S)


def _process_entry(entry: Any, index: int, release: Any) -> None:
    """First line of a measured process: note the time, then idle until released."""
    entry[index] = now_ns()
    release.wait(COST_WAIT_S)


def _wait_all(entry: Any, n: int, stop: Callable[[], bool]) -> bool:
    deadline = time.perf_counter() + COST_WAIT_S
    while not all(entry[i] for i in range(n)):
        if stop() or time.perf_counter() > deadline:
            return False
        time.sleep(POLL_S)
    return True


def cost_counts(max_workers: int) -> list[int]:
    """1, 2, 4, ... up to ``max_workers`` (which is always included)."""
    counts = [1 << i for i in range(6) if 1 << i < max_workers]
    return [*counts, max_workers]


def measure_threads(n: int, stop: Callable[[], bool]) -> tuple[list[float], float]:
    """Start ``n`` idle threads: each one's start-up ms, and the RSS added per thread in MB."""
    import psutil

    me = psutil.Process()
    entry, release = [0] * n, threading.Event()
    threads = [
        threading.Thread(target=_thread_entry, args=(entry, i, release), name=f"cost-thread-{i}")
        for i in range(n)
    ]
    rss0 = me.memory_info().rss
    starts = []
    for thread in threads:
        starts.append(now_ns())
        thread.start()
    _wait_all(entry, n, stop)
    rss_mb = (me.memory_info().rss - rss0) / MB / n
    release.set()
    for thread in threads:
        thread.join(COST_WAIT_S)
    return [(e - s) / 1e6 for e, s in zip(entry, starts, strict=True) if e], rss_mb


def measure_processes(n: int, stop: Callable[[], bool]) -> tuple[list[float], float]:
    """Spawn ``n`` idle processes: each one's start-up ms, and each one's RSS in MB (mean).

    Raises :class:`CostRoundBroken` if one died or had to be terminated (a round waiting for a
    dead process's first line would wait ``COST_WAIT_S`` for nothing: it stops at once).
    """
    import psutil

    entry, release = SPAWN.RawArray("q", n), SPAWN.Event()
    procs = [
        SPAWN.Process(target=_process_entry, args=(entry, i, release), name=f"cost-process-{i}")
        for i in range(n)
    ]
    starts = []
    codes: list[int | None] = []

    def stop_or_died() -> bool:
        return stop() or any(p.exitcode is not None for p in procs if p.pid is not None)

    try:
        for proc in procs:
            starts.append(now_ns())
            proc.start()
        _wait_all(entry, n, stop_or_died)
        rss = []
        for proc in procs:
            # One that ended early counts for nothing rather than failing the round.
            with contextlib.suppress(psutil.Error):
                rss.append(psutil.Process(proc.pid).memory_info().rss)
        rss_mb = sum(rss) / MB / max(1, len(rss))
    finally:
        release.set()
        for proc in procs:  # every one ends: joined within a deadline, else terminated
            if proc.pid is not None:
                escalate(proc, wait_s=5.0, grace_s=2.0)
                codes.append(proc.exitcode)
                if not proc.is_alive():
                    proc.close()
    broken = [(i, code) for i, code in enumerate(codes) if code]
    if broken:
        i, code = broken[0]
        reason = f"cost-process-{i} died: process exited with code {code}{signal_name(code)}"
        note_failure(reason)  # a twin exits 1 with this line
        raise CostRoundBroken(reason)
    return [(e - s) / 1e6 for e, s in zip(entry, starts, strict=True) if e], rss_mb


def measure_cost(max_workers: int, stop: Callable[[], bool] = lambda: False) -> CostResult:
    """Threads, then processes, for each count of :func:`cost_counts`; per-worker figures."""
    rows: list[CostRow] = []
    thread_ms: list[float] = []
    process_ms: list[float] = []
    for n in cost_counts(max_workers):
        if stop():
            break
        t_ms, t_rss = measure_threads(n, stop)
        p_ms, p_rss = measure_processes(n, stop)
        thread_ms += t_ms
        process_ms += p_ms
        rows.append(
            CostRow(
                workers=n,
                thread_start_ms=round(statistics.median(t_ms), 3) if t_ms else 0.0,
                process_start_ms=round(statistics.median(p_ms), 1) if p_ms else 0.0,
                thread_rss_mb=round(t_rss, 3),
                process_rss_mb=round(p_rss, 1),
            )
        )
    return CostResult(
        rows=tuple(rows),
        thread_start_ms=round(statistics.median(thread_ms), 3) if thread_ms else 0.0,
        process_start_ms=round(statistics.median(process_ms), 1) if process_ms else 0.0,
        # Memory per worker at the largest count: dividing by more workers evens out noise.
        thread_rss_mb=rows[-1].thread_rss_mb if rows else 0.0,
        process_rss_mb=rows[-1].process_rss_mb if rows else 0.0,
    )
