"""The deck's "coroutines have minimal overhead", measured: memory and start-up time per task
against per thread, at 1,000 and 10,000.

Each measurement runs in a fresh child process (the ``spawn`` context, as every process of the
app), so one count's freed memory never flatters the next. In the child, N workers are started
and parked on an event; the process's resident memory (RSS) before and after, divided by N, is
the memory per worker (thread stacks included: the OS maps them, so tracemalloc never sees
them); a second pass with tracemalloc counts the Python objects alone. Start-up time is from
the first start to the moment all N have run their first line.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import threading
import time
import tracemalloc
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from demos.asyncio_results import Overhead
from demos.escalate import escalate

COUNTS = (1_000, 10_000)


def resident_bytes() -> int:
    """This process's resident memory: from /proc where there is one (the standard library
    alone, so the twin runs on another Python without psutil), else from psutil."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import psutil  # noqa: PLC0415 - only where /proc is missing

        return int(psutil.Process().memory_info().rss)


CHILD_DEADLINE_S = 60.0  # a measurement of 10,000 threads on a busy 2-core machine: seconds
POLL_S = 0.05


async def _tasks_pass(n: int, trace: bool) -> tuple[int, float]:
    """(bytes grown, seconds to start) for ``n`` tasks parked on one event."""
    release, all_started = asyncio.Event(), asyncio.Event()
    started = 0

    async def parked() -> None:
        nonlocal started
        started += 1
        if started == n:
            all_started.set()
        await release.wait()

    gc.collect()
    before = tracemalloc.get_traced_memory()[0] if trace else resident_bytes()
    t0 = time.perf_counter()
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(parked()) for _ in range(n)]
    await all_started.wait()
    seconds = time.perf_counter() - t0
    after = tracemalloc.get_traced_memory()[0] if trace else resident_bytes()
    release.set()
    await asyncio.gather(*tasks)
    return after - before, seconds


def _threads_pass(n: int, trace: bool) -> tuple[int, float]:
    """(bytes grown, seconds to start) for ``n`` threads parked on one event."""
    release = threading.Event()
    threads = [threading.Thread(target=release.wait, daemon=True) for _ in range(n)]
    gc.collect()
    before = tracemalloc.get_traced_memory()[0] if trace else resident_bytes()
    t0 = time.perf_counter()
    try:
        for thread in threads:
            thread.start()  # returns once the new thread runs: start-up is included
        seconds = time.perf_counter() - t0
        after = tracemalloc.get_traced_memory()[0] if trace else resident_bytes()
    finally:
        release.set()
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join()
    return after - before, seconds


def measure_here(kind: str, n: int) -> Overhead:
    """One measurement in this process: an RSS pass, then a tracemalloc pass."""
    if kind == "task":
        rss, seconds = asyncio.run(_tasks_pass(n, trace=False))
    else:
        rss, seconds = _threads_pass(n, trace=False)
    tracemalloc.start()
    try:
        traced = (
            asyncio.run(_tasks_pass(n, True))[0] if kind == "task" else _threads_pass(n, True)[0]
        )
    finally:
        tracemalloc.stop()
    return Overhead(
        kind=kind,
        count=n,
        rss_bytes_each=round(max(rss, 0) / n, 1),
        traced_bytes_each=round(traced / n, 1),
        start_us_each=round(seconds / n * 1e6, 2),
    )


def _child(conn: Connection, kind: str, n: int) -> None:
    try:
        conn.send(("ok", measure_here(kind, n)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which says what failed
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def measure_in_child(kind: str, n: int, stop: Callable[[], bool] = lambda: False) -> Overhead:
    """:func:`measure_here` in a fresh spawned process; ends it within deadlines on ``stop()``.

    RuntimeError if it failed, was stopped or missed :data:`CHILD_DEADLINE_S`.
    """
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(theirs, kind, n), name=f"overhead {kind} {n}")
    process.start()
    theirs.close()
    reply: Any = None
    try:
        deadline = time.monotonic() + CHILD_DEADLINE_S
        while reply is None and time.monotonic() < deadline and not stop():
            if ours.poll(POLL_S):
                try:
                    reply = ours.recv()
                except EOFError:
                    break  # the child died without a word
    finally:
        forced = escalate(process, wait_s=0.0 if stop() else 2.0)  # stopped: end it now
        ours.close()
    if reply is None:
        why = "stopped" if stop() else f"no answer ({forced or 'exit ' + str(process.exitcode)})"
        raise RuntimeError(f"{n} {kind}s: {why}")
    status, value = reply
    if status != "ok":
        raise RuntimeError(f"{n} {kind}s: {value}")
    assert isinstance(value, Overhead)
    return value


def plan(thread_cap: int) -> list[tuple[str, int]]:
    """The measurements to run: tasks at every count, threads up to ``thread_cap``."""
    return [("task", n) for n in COUNTS] + [("thread", n) for n in COUNTS if n <= thread_cap]
