"""What the four primitive scenarios share: cancellable waits and events stamped at a chosen time.

Every wait in these scenarios is a loop of short timed waits (``POLL_S``) with a checkpoint in
between, so Cancel and Pause reach a blocked worker within ``POLL_S`` and a demo never hangs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from demos.context import WorkerContext
from demos.events import State

POLL_S = 0.05  # longest single timed wait: how quickly a blocked worker notices Cancel


def emit_at(ctx: WorkerContext, t_ns: int, state: State, detail: str) -> None:
    """Emit an event stamped ``t_ns`` (taken under a bookkeeping lock, so samples stay in order)."""
    ctx.state = state
    ctx.sink.emit((t_ns, ctx.lane_id, int(state), detail))


def wait_for(ctx: WorkerContext, attempt: Callable[[float], bool], detail: str) -> float:
    """Show BLOCKED (``detail`` names the primitive) and retry ``attempt(POLL_S)`` until it
    succeeds; returns the seconds waited. Raises Cancelled if cancel is asked for meanwhile."""
    ctx.emit(State.BLOCKED, detail)
    start = time.perf_counter()
    while not attempt(POLL_S):
        ctx.checkpoint()  # holds nothing here, so pausing or cancelling is safe
        ctx.sink.flush_if_due()
    return time.perf_counter() - start


def seconds(t0_ns: int, t1_ns: int) -> float:
    """Nanosecond stamps to rounded seconds."""
    return round((t1_ns - t0_ns) / 1e9, 4)
