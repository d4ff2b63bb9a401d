"""The worker side of "GIL or no GIL": one loop, the same in a thread, a process or a
subinterpreter. Standard library only, and nothing imported at the top that an isolated
subinterpreter could refuse: it runs on every Python the lesson is pointed at.

A worker says "ready", then answers two kinds of message until told to stop:
- ``("echo", payload)``: send the payload straight back (the data-passing round, no work);
- ``("work", iterations)``: run :func:`spin` that long and send back its value, with when the
  message arrived and when the work ended (``time.perf_counter_ns``, one clock for every
  process on the machine).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

STOP = ("stop", None)


def spin(iterations: int) -> int:
    """Pure-Python integer arithmetic, the same loop as ``demos.workloads.spin`` (which is not
    imported here: its module pulls in ``statistics``, more than a subinterpreter needs)."""
    acc = 1
    for _ in range(iterations):
        acc = (acc * 31 + 7) % 1_000_003
    return acc


def serve(receive: Callable[[], Any], send: Callable[[Any], None], index: int) -> None:
    """Answer messages until "stop"; every reply starts with this worker's index."""
    send((index, "ready", time.perf_counter_ns()))
    while True:
        kind, value = receive()
        arrived = time.perf_counter_ns()
        if kind == "echo":
            send((index, "echo", value))
        elif kind == "work":
            result = spin(value)
            send((index, "done", (result, arrived, time.perf_counter_ns())))
        else:
            return


def process_main(conn: Any, index: int) -> None:
    """A worker process: its messages come and go over its end of a Pipe."""
    try:
        serve(conn.recv, conn.send, index)
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the twin has gone (or Ctrl+C reached the whole group): nothing left to answer
    finally:
        conn.close()


# Run inside each subinterpreter by ``exec``: ``inbox``, ``outbox`` and ``index`` are put in its
# ``__main__`` first. Queue items cross as pickles (the backport's and 3.14's default).
SUBINTERPRETER_CODE = """
from demos.gil_or_not_worker import serve
serve(inbox.get, outbox.put, index)
"""
