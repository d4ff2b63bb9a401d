"""The main side of "GIL or no GIL": start N workers one way, then time three things apart.

1. start-up: from the first worker started to the last one's "ready";
2. data passing: every worker gets the payload and sends it back, with no work (one round);
3. the work: every worker gets its chunk's size at once; elapsed runs from the first message
   sent to the last result back.

Threads pass the payload by reference; processes and subinterpreters pickle it both ways.
Standard library only (the twin runs with ``--python`` on interpreters without our packages).
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from demos.gil_or_not_worker import STOP, SUBINTERPRETER_CODE, process_main, serve, spin

SPAWN = multiprocessing.get_context("spawn")
JOIN_S = 5.0  # how long a worker gets to end after "stop" before it is left (or terminated)
BACKPORT = "interpreters_backport.interpreters"  # PyPI: interpreters-pep-734, for 3.12-3.13
HOW = "pip install interpreters-pep-734 (3.12-3.13) or use Python 3.14+"


@dataclass(frozen=True)
class Timings:
    """One model's raw figures, in seconds."""

    elapsed_s: float
    startup_s: float
    data_s: float


def subinterpreter_module() -> tuple[Any, str]:
    """(the PEP 734 module, "") where this Python has one, else (None, why not)."""
    if sys.version_info < (3, 12):
        return None, f"Python {sys.version.split()[0]} has one GIL for all its interpreters"
    for name in ("concurrent.interpreters", BACKPORT):
        try:
            return importlib.import_module(name), ""
        except ImportError:
            continue
    return None, "no concurrent.interpreters (3.14+), no interpreters-pep-734 backport"


def run_baseline(iterations: list[int]) -> Timings:
    """Every chunk one after another in this thread: the time the others are measured against."""
    t0 = time.perf_counter_ns()
    for chunk in iterations:
        spin(chunk)
    return Timings((time.perf_counter_ns() - t0) / 1e9, 0.0, 0.0)


class _Workers:
    """N workers behind one shape: start them, send to one, receive from any."""

    def start(self, count: int) -> None:
        raise NotImplementedError

    def send(self, index: int, message: tuple[str, Any]) -> None:
        raise NotImplementedError

    def receive(self, timeout_s: float) -> tuple[int, str, Any]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _Threads(_Workers):
    def start(self, count: int) -> None:
        self.outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.inboxes: list[queue.SimpleQueue[Any]] = [queue.SimpleQueue() for _ in range(count)]
        self.threads = [
            threading.Thread(
                target=serve, args=(box.get, self.outbox.put, i), name=f"gil-or-not-{i}"
            )
            for i, box in enumerate(self.inboxes)
        ]
        for thread in self.threads:
            thread.daemon = True  # a cancelled twin must not wait for a spinning thread
            thread.start()

    def send(self, index: int, message: tuple[str, Any]) -> None:
        self.inboxes[index].put(message)

    def receive(self, timeout_s: float) -> tuple[int, str, Any]:
        reply: tuple[int, str, Any] = self.outbox.get(timeout=timeout_s)
        return reply

    def close(self) -> None:
        for box in self.inboxes:
            box.put(STOP)
        for thread in self.threads:
            thread.join(JOIN_S)


class _Processes(_Workers):
    def start(self, count: int) -> None:
        pipes = [SPAWN.Pipe() for _ in range(count)]
        self.conns = [mine for mine, _theirs in pipes]
        self.procs = [
            SPAWN.Process(target=process_main, args=(theirs, i), name=f"gil-or-not-{i}")
            for i, (_mine, theirs) in enumerate(pipes)
        ]
        for proc in self.procs:
            proc.daemon = True  # ended with the twin, whatever happens
            proc.start()
        for _mine, theirs in pipes:
            theirs.close()  # the child holds it now: EOF says the child is gone

    def send(self, index: int, message: tuple[str, Any]) -> None:
        self.conns[index].send(message)

    def receive(self, timeout_s: float) -> tuple[int, str, Any]:
        ready = wait(self.conns, timeout_s)
        if not ready:
            raise queue.Empty
        conn: Any = ready[0]  # one of self.conns
        try:
            reply: tuple[int, str, Any] = conn.recv()
        except (EOFError, OSError):
            proc = self.procs[self.conns.index(conn)]
            proc.join(JOIN_S)
            raise RuntimeError(f"{proc.name} ended (exit code {proc.exitcode})") from None
        return reply

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):  # already gone
                conn.send(STOP)
        for proc in self.procs:
            proc.join(JOIN_S)
            if proc.is_alive():
                proc.terminate()
                proc.join(JOIN_S)
        for conn in self.conns:
            conn.close()


class _Subinterpreters(_Workers):
    def __init__(self, module: Any) -> None:
        self.module = module
        self.queues = type(module.create_queue()).__module__

    def start(self, count: int) -> None:
        create_queue = self.module.create_queue
        self.outbox = create_queue()
        self.inboxes = [create_queue() for _ in range(count)]
        self.interps = [self.module.create() for _ in range(count)]
        self.threads = []
        for index, (interp, inbox) in enumerate(zip(self.interps, self.inboxes, strict=True)):
            # A new interpreter's sys.path lacks the directory we were started from, and a
            # queue can be handed to it only once it has imported the queue's module itself.
            interp.exec(f"import sys; sys.path[:0] = {sys.path!r}; import {self.queues}")
            interp.prepare_main(inbox=inbox, outbox=self.outbox, index=index)
            thread = threading.Thread(target=interp.exec, args=(SUBINTERPRETER_CODE,))
            thread.daemon = True
            thread.start()
            self.threads.append(thread)

    def send(self, index: int, message: tuple[str, Any]) -> None:
        self.inboxes[index].put(message)

    def receive(self, timeout_s: float) -> tuple[int, str, Any]:
        try:
            reply: tuple[int, str, Any] = self.outbox.get(timeout=timeout_s)
        except self.module.QueueEmpty:
            raise queue.Empty from None
        return reply

    def close(self) -> None:
        for box in self.inboxes:
            box.put(STOP)
        for thread in self.threads:
            thread.join(JOIN_S)
        for interp in self.interps:
            if not interp.is_running():
                interp.close()


def _expect(workers: _Workers, kind: str, count: int, timeout_s: float) -> dict[int, Any]:
    """The next ``count`` replies of ``kind``, by worker, each noted with when it came."""
    got: dict[int, Any] = {}
    deadline = time.monotonic() + timeout_s
    while len(got) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{count - len(got)} of {count} workers did not answer {kind!r}")
        try:
            index, reply, value = workers.receive(left)
        except queue.Empty:
            continue
        if reply != kind:
            raise RuntimeError(f"worker {index} answered {reply!r}, not {kind!r}")
        got[index] = (value, time.perf_counter_ns())
    return got


def measure(
    workers: _Workers, iterations: list[int], payload: list[int], timeout_s: float
) -> Timings:
    """Start-up, one data round, then the work: the three timed apart (see the module text)."""
    count = len(iterations)
    t0 = time.perf_counter_ns()
    try:
        workers.start(count)
        ready = _expect(workers, "ready", count, timeout_s)
        t_ready = max(t for _value, t in ready.values())
        t_data = time.perf_counter_ns()
        for index in range(count):
            workers.send(index, ("echo", payload))
        echoed = _expect(workers, "echo", count, timeout_s)
        t_data_end = max(t for _value, t in echoed.values())
        t_go = time.perf_counter_ns()
        for index, chunk in enumerate(iterations):
            workers.send(index, ("work", chunk))
        done = _expect(workers, "done", count, timeout_s)
        t_end = max(t for _value, t in done.values())
    finally:
        workers.close()
    return Timings((t_end - t_go) / 1e9, (t_ready - t0) / 1e9, (t_data_end - t_data) / 1e9)


def run_threads(iterations: list[int], payload: list[int], timeout_s: float) -> Timings:
    """N threads in this interpreter."""
    return measure(_Threads(), iterations, payload, timeout_s)


def run_processes(iterations: list[int], payload: list[int], timeout_s: float) -> Timings:
    """N processes started with spawn (the default on Windows and macOS, the same everywhere)."""
    return measure(_Processes(), iterations, payload, timeout_s)


def run_subinterpreters(
    module: Any, iterations: list[int], payload: list[int], timeout_s: float
) -> Timings:
    """N subinterpreters (PEP 734), each in a thread of this process, each with its own GIL."""
    return measure(_Subinterpreters(module), iterations, payload, timeout_s)


MODEL_RUNNERS: dict[str, Callable[..., Timings]] = {
    "threads": run_threads,
    "processes": run_processes,
}
