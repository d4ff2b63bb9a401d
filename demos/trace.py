"""Chrome Trace Event export: one track per worker, one slice per state interval.

The JSON object format (``{"traceEvents": [...]}``) with complete ("X") events opens in Perfetto
and chrome://tracing. Timestamps are microseconds from the start of the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from demos.events import State, now_ns
from demos.intervals import IntervalStore


def to_chrome_trace(store: IntervalStore, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the trace as a JSON-ready dict."""
    t0 = store.t0_ns or 0
    start, end, rows, states = store.view(max(store.t_last_ns, now_ns() if store.count else 0))
    pid = os.getpid()
    events: list[dict[str, Any]] = []
    for row, lane in enumerate(store.lanes):
        label = f"{lane.name} ({lane.kind.value}{f' {lane.ident}' if lane.ident else ''})"
        events.append(
            {"ph": "M", "name": "thread_name", "pid": pid, "tid": row, "args": {"name": label}}
        )
        events.append(
            {
                "ph": "M",
                "name": "thread_sort_index",
                "pid": pid,
                "tid": row,
                "args": {"sort_index": row},
            }
        )
    for i in range(store.count):
        state = State(int(states[i]))
        events.append(
            {
                "ph": "X" if not state.is_terminal else "i",
                "name": state.name,
                "cat": "state",
                "pid": pid,
                "tid": int(rows[i]),
                "ts": (int(start[i]) - t0) / 1000.0,
                **(
                    {"dur": (int(end[i]) - int(start[i])) / 1000.0}
                    if not state.is_terminal
                    else {"s": "t"}
                ),
                "args": {"detail": store.detail[i]},
            }
        )
    for mark in store.marks:
        events.append(
            {
                "ph": "i",
                "name": mark.label,
                "cat": "mark",
                "pid": pid,
                "tid": 0,
                "s": "p",
                "ts": (mark.t_ns - t0) / 1000.0,
            }
        )
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"producer": "Concurrency Lab", **(metadata or {})},
    }


def write_trace(
    store: IntervalStore, path: str | Path, metadata: dict[str, Any] | None = None
) -> None:
    """Write the trace to ``path``."""
    Path(path).write_text(json.dumps(to_chrome_trace(store, metadata)), encoding="utf-8")
