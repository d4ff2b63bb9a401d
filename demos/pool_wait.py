"""Waiting for ``multiprocessing.Pool.imap``'s results while still seeing Cancel.

A Pool never learns that a worker died holding a chunk: it starts another worker, and that
chunk's results never come (``ProcessPoolExecutor`` raises ``BrokenProcessPool`` instead). A
plain ``for`` over ``imap`` would then block the submitting thread for good, and the lab could
not end the run. ``imap`` returns an ``IMapIterator``, whose ``next()`` takes a timeout, or, with
a chunksize above 1, a generator over one (each of its items a chunk's list of results).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

from demos.context import WorkerContext

WAIT_S = 0.1  # how long one wait for the next result lasts before Cancel is looked at


def timed_source(results: Iterator[Any]) -> tuple[Any, bool] | None:
    """(the IMapIterator behind ``results``, whether its items are chunks), or None if this
    Python's ``imap`` has none to reach."""
    if hasattr(results, "next"):
        return results, False
    frame = getattr(results, "gi_frame", None)  # the generator (item for chunk in it ...)
    source = frame.f_locals.get(".0") if frame is not None else None
    return (source, True) if hasattr(source, "next") else None


def cancellable(ctx: WorkerContext, results: Iterator[Any]) -> Iterator[Any]:
    """Each of ``results`` in order; between waits of :data:`WAIT_S`, ``ctx.checkpoint()``."""
    found = timed_source(results)
    if found is None:
        yield from results  # another implementation: wait as it waits
        return
    source, chunks = found
    while True:
        try:
            got = source.next(timeout=WAIT_S)
        except multiprocessing.TimeoutError:
            ctx.checkpoint()  # Cancel raises here; pause waits here
            continue
        except StopIteration:
            return
        if chunks:
            yield from got
        else:
            yield got
