"""Shared plumbing of the terminal twins: run a scenario here, summarise, export, print JSON.

Convention for every twin: a human-readable summary, then (with ``--json``) one last line holding
a JSON object, so the twins can be scripted and checked.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any

from demos.context import Control
from demos.events import Kind, State, now_ns
from demos.intervals import IntervalStore
from demos.pump import SocketPump
from demos.runtime import ProcessWorker, Run, WorkerSpec
from demos.trace import write_trace
from demos.transport import ListSink


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """``--trace FILE`` and ``--json``, shared by every twin."""
    parser.add_argument("--trace", metavar="FILE", help="write a Chrome Trace Event JSON file")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")


def run_locally(kind: Kind, specs: list[WorkerSpec], timeout_s: float) -> tuple[Run, IntervalStore]:
    """Run workers in this process (threads) or as children (processes) and collect events.

    Ctrl+C cancels the run cooperatively instead of leaving workers behind.
    """
    sink = ListSink()
    run = Run(kind, specs, sink, None)
    pump = None
    if kind is Kind.PROCESS:
        pump = SocketPump([w.reader for w in run.workers if isinstance(w, ProcessWorker)], sink)
    previous = signal.signal(signal.SIGINT, lambda *_: run.control.cancel())
    try:
        run.start()
        if pump:
            pump.start()
        report = run.join(timeout_s)
        if not report.ended:
            run.cancel(2.0)
    finally:
        signal.signal(signal.SIGINT, previous)
        if pump:
            pump.stop()
        run.close()
    store = IntervalStore()
    for kind_name, payload in sink.messages:
        if kind_name == "lane":
            from demos.events import Lane

            store.add_lane(Lane.from_tuple(payload))
    store.add_events(sorted(sink.events, key=lambda e: e[0]))
    return run, store


def print_lane_summary(store: IntervalStore) -> None:
    """One line per worker: its final state and time spent per state."""
    times = store.time_in_states(store.t_last_ns or now_ns())
    finals = store.final_states()
    for lane in store.lanes:
        spent = times.get(lane.lane_id, {})
        parts = ", ".join(
            f"{s.name.lower()} {spent[s]:.2f}s" for s in State if spent.get(s, 0.0) >= 0.005
        )
        final, detail = finals.get(lane.lane_id, (State.NEW, ""))
        extra = f" ({detail})" if final is State.FAILED else ""
        print(f"  {lane.name:<12} {final.name:<9}{extra}  {parts}")


def finish(args: argparse.Namespace, store: IntervalStore, result: dict[str, Any]) -> int:
    """Write the trace if asked, print the JSON line if asked; returns the exit status."""
    if args.trace:
        write_trace(store, args.trace, {"result": result})
        print(f"trace written to {args.trace} (open it in Perfetto or chrome://tracing)")
    if args.json:
        print(json.dumps(result, sort_keys=True))
    sys.stdout.flush()
    return 0


__all__ = ["Control", "add_common_arguments", "finish", "print_lane_summary", "run_locally"]
