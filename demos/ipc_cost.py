"""What moving data between processes costs: a payload's round trip through a ``Pipe``, then
through ``multiprocessing.shared_memory``, timed by a sender and an echo process.

The multiprocessing lesson (``demos.processes``) runs this as its "ipc" phase; the functions
here build the pair, read its figures back and say whether the cost eats the speedup.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from demos.context import WorkerContext
from demos.events import State
from demos.process_worker import SPAWN
from demos.worker import WorkerSpec

# numpy and the twin's plumbing are imported where used: both spawned workers import this
# module to find their function, and a light import keeps their start-up short.

PAYLOAD_KB_LIMITS = (1, 65536)  # 1 KB to 64 MB
IPC_BUDGET_BYTES = 32 * 1024 * 1024  # round trips per method: about this many bytes, 3 to 50
IPC_REPEATS = (3, 50)
IPC_PIPE_MS, IPC_SHM_MS, IPC_PICKLE_MS, IPC_ROUNDS, IPC_SLOTS = 0, 1, 2, 3, 4
PAGE_BYTES = 4096


def ipc_rounds(payload_bytes: int) -> int:
    """Round trips per method: many for small payloads (steadier median), few for big ones."""
    low, high = IPC_REPEATS
    return max(low, min(high, IPC_BUDGET_BYTES // max(1, payload_bytes)))


def ipc_sender(ctx: WorkerContext, conn: Any, payload_kb: int, figures: Any) -> None:
    """Time a payload's round trip through the pipe, then through shared memory."""
    import pickle
    from multiprocessing.shared_memory import SharedMemory

    size = payload_kb * 1024
    payload = os.urandom(size)
    rounds = ipc_rounds(size)
    figures[IPC_ROUNDS] = rounds
    conn.send(("hello", b""))  # the echo may still be starting: this first trip is not timed
    ctx.emit(State.WAITING, "waiting for the echo process")
    _await_reply(ctx, conn)

    t0 = time.perf_counter()
    pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    figures[IPC_PICKLE_MS] = (time.perf_counter() - t0) * 1000

    times = []
    for _ in range(rounds):
        ctx.checkpoint()
        ctx.emit(State.RUNNING, f"Pipe: {payload_kb} KB there and back")
        t0 = time.perf_counter()
        conn.send(("echo", payload))  # pickled, then written through the kernel
        back = _await_reply(ctx, conn)
        times.append(time.perf_counter() - t0)
        if len(back) != size:
            raise RuntimeError("the echo returned a different payload")
    figures[IPC_PIPE_MS] = statistics.median(times) * 1000

    shm = SharedMemory(create=True, size=size)
    buf = shm.buf
    assert buf is not None  # None only once shm.close() has run, in the finally below
    try:
        conn.send(("attach", shm.name))
        _await_reply(ctx, conn)
        times = []
        for _ in range(rounds):
            ctx.checkpoint()
            ctx.emit(State.RUNNING, f"shared memory: {payload_kb} KB")
            t0 = time.perf_counter()
            buf[:size] = payload  # one copy in; then only a few bytes cross the pipe
            conn.send(("touch", size))
            _await_reply(ctx, conn)
            times.append(time.perf_counter() - t0)
            if buf[0] != (payload[0] + 1) % 256:  # the echo changed it in place
                raise RuntimeError("the shared memory was not modified by the echo")
        figures[IPC_SHM_MS] = statistics.median(times) * 1000
        conn.send(("detach", b""))
        _await_reply(ctx, conn)
    finally:
        conn.send(("quit", b""))
        shm.close()
        shm.unlink()


def _await_reply(ctx: WorkerContext, conn: Any) -> Any:
    """Wait for the peer's reply without ever blocking past a cancel."""
    while not conn.poll(0.05):
        ctx.checkpoint()
    return conn.recv()


def ipc_echo(ctx: WorkerContext, conn: Any) -> None:
    """Send payloads back as they came (pipe); touch every page in place (shared memory)."""
    import numpy as np

    shm = None
    while True:
        ctx.emit(State.WAITING, "conn.recv(): waiting for a message")
        op, data = _await_reply(ctx, conn)
        if op == "quit":
            break
        ctx.emit(State.RUNNING, f"{op} {len(data) // 1024} KB" if op == "echo" else op)
        if op == "attach":
            shm = _attach(data)
        elif op == "touch" and shm is not None:
            view = np.frombuffer(shm.buf, dtype=np.uint8, count=int(data))
            view[::PAGE_BYTES] += 1  # every page of the sender's bytes, changed where they lie
            del view  # a live view would keep the segment from closing
            data = b""
        elif op == "detach" and shm is not None:
            shm.close()
            shm = None
        conn.send(data)
    if shm is not None:
        shm.close()


def _attach(name: str) -> Any:
    """Open the sender's segment by name.

    Python 3.11 registers an attached segment with the resource tracker as if this process owned
    it. That is harmless here: sender and echo are ``spawn`` children of one parent and share its
    tracker, which keeps a set of names, so the sender's unlink clears the one entry.
    Unregistering here as well would make the tracker fail on that unlink.
    """
    from multiprocessing.shared_memory import SharedMemory

    return SharedMemory(name=name)


def build_ipc_pair(payload_kb: int) -> list[WorkerSpec]:
    """The sender and its echo, joined by a duplex pipe, with shared slots for the figures."""
    sender_end, echo_end = SPAWN.Pipe()  # duplex: requests one way, replies the other
    figures = SPAWN.RawArray("d", IPC_SLOTS)
    return [
        WorkerSpec(
            "Sender",
            ipc_sender,
            {"conn": sender_end, "payload_kb": payload_kb, "figures": figures},
        ),
        WorkerSpec("Echo", ipc_echo, {"conn": echo_end}),
    ]


def is_ipc_pair(specs: list[WorkerSpec]) -> bool:
    """Whether these workers are the IPC pair (rather than a sweep point)."""
    return bool(specs) and "conn" in specs[0].params


def ipc_figures(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The pair's timings from shared memory; closes this process's ends of the pipe."""
    raw = specs[0].params["figures"]
    for spec in specs:
        spec.params["conn"].close()
    return {
        "ipc_ms": round(raw[IPC_PIPE_MS], 3),
        "shm_ms": round(raw[IPC_SHM_MS], 3),
        "pickle_ms": round(raw[IPC_PICKLE_MS], 3),
        "rounds": int(raw[IPC_ROUNDS]),
    }


def verdict(ipc_ms: float, shm_ms: float, work_ms: float, payload_kb: int) -> str:
    """When do processes stop paying off? Moving the data against the work it buys."""
    size = f"{payload_kb / 1024:g} MB" if payload_kb >= 1024 else f"{payload_kb} KB"
    shm = f" Shared memory moved it in {shm_ms:.1f} ms." if 0 < shm_ms < ipc_ms else ""
    if ipc_ms >= work_ms:
        return (
            f"Sending {size} there and back ({ipc_ms:.1f} ms) costs more than each process's "
            f"work ({work_ms:.0f} ms): processes do not pay off with this much data.{shm}"
        )
    if ipc_ms >= 0.1 * work_ms:
        return (
            f"The pipe takes {100 * ipc_ms / work_ms:.0f}% of each process's work "
            f"({ipc_ms:.1f} of {work_ms:.0f} ms): a real dent in the speedup.{shm}"
        )
    return (
        f"{size} there and back takes {ipc_ms:.2f} ms, small beside {work_ms:.0f} ms of work "
        "per process: processes pay off."
    )
