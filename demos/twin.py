"""Shared plumbing of the terminal twins: run a scenario here, summarise, export, print JSON.

Convention for every twin: a human-readable summary, then (with ``--json``) one last line holding
a JSON object, so the twins can be scripted and checked. The exit status says whether the run
completed (0), did not (1, with one ``error:`` line on stderr) or was asked wrongly (2): see
demos.exit_status.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from demos.context import Control
from demos.events import Kind, State, now_ns
from demos.exit_status import (
    cancel_on_sigint,
    current,
    deadline_text,
    note_failed_workers,
    note_missed_deadline,
    report,
    twin_main,
)
from demos.intervals import IntervalStore
from demos.process_worker import ProcessWorker
from demos.pump import SocketPump
from demos.runtime import Run
from demos.scenario import add_common_arguments
from demos.trace import write_trace
from demos.transport import ListSink
from demos.worker import WorkerSpec

if TYPE_CHECKING:
    from demos.scenario import Scenario


def run_locally(kind: Kind, specs: list[WorkerSpec], timeout_s: float) -> tuple[Run, IntervalStore]:
    """Run workers in this process (threads) or as children (processes) and collect events.

    Ctrl+C cancels the run cooperatively instead of leaving workers behind. A worker that fails,
    a missed deadline (the run is then cancelled) and Ctrl+C are noted in the twin's outcome;
    after Ctrl+C no further run starts. A worker that dies (killed, say) cancels the others at
    once and raises :class:`WorkerDied`: nothing is summarised from such a run.
    """
    if current().interrupted:
        raise KeyboardInterrupt  # the user asked to stop: do not start the next run
    sink = ListSink()
    run = Run(kind, specs, sink, None)
    pump = None
    if kind is Kind.PROCESS:
        pump = SocketPump(
            [
                w.reader
                for w in run.workers
                if isinstance(w, ProcessWorker) and w.reader is not None
            ],
            sink,
        )
    previous = signal.signal(signal.SIGINT, cancel_on_sigint(run.control))
    try:
        run.start()
        if pump:
            pump.start()
        joined = run.join(timeout_s)
        escalations = list(joined.escalations)
        if not joined.ended:
            escalations += run.cancel(2.0).escalations
        if not current().interrupted and (escalations or not joined.ended):
            note_missed_deadline(missed_deadline_reason(timeout_s, escalations, run.alive()))
    finally:
        signal.signal(signal.SIGINT, previous)
        if pump:
            pump.stop()
        run.close()
    store = IntervalStore()
    store.add_messages(sink.messages)  # lanes, marks and the values workers reported
    store.add_events(sorted(sink.events, key=lambda e: e[0]))
    finals = store.final_states()
    note_failed_workers(run.workers, {lane: detail for lane, (_, detail) in finals.items()})
    dead = [w for w in run.workers if w.died()]
    if dead:
        # The figures of a run that lost a worker mean nothing: no speedup, no table. The
        # failure is noted, so twin_main turns this into exit status 1 and its error line.
        raise WorkerDied(f"{dead[0].spec.name} died: {dead[0].outcome.message}")
    return run, store


class WorkerDied(RuntimeError):
    """A worker process was killed (or exited with an error code) during a twin's run."""


def missed_deadline_reason(timeout_s: float, escalations: list[str], still_alive: int) -> str:
    """The one-line reason for a run that overran ``timeout_s``."""
    reason = f"the run missed its {deadline_text(timeout_s)} s deadline"
    if escalations:
        more = f" (and {len(escalations) - 1} more)" if len(escalations) > 1 else ""
        return f"{reason}: {escalations[0]}{more}"
    if still_alive:
        return f"{reason}; cancelled, but {still_alive} worker(s) did not stop"
    return f"{reason} and was cancelled"


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
    """Write the trace if asked, print the JSON line if asked; returns the exit status.

    The status is 0 when the run completed as the lesson intends, else 1 with one ``error:``
    line on stderr; the JSON line then also holds ``exit_reason``.
    """
    outcome = current()
    if args.trace:
        write_trace(store, args.trace, {"result": result})
        print(f"trace written to {args.trace} (open it in Perfetto or chrome://tracing)")
    if args.json:
        line = {**result, "exit_reason": outcome.reason} if outcome.reason else result
        print(json.dumps(line, sort_keys=True))
    sys.stdout.flush()
    return report(outcome)


__all__ = [
    "Control",
    "add_common_arguments",
    "finish",
    "print_lane_summary",
    "run_locally",
    "WorkerDied",
    "twin_main",
]


def parse_and_run(
    scenario: Scenario,
    argv: list[str] | None,
    doc: str | None,
    build_workers: Callable[..., list[WorkerSpec]],
    deadline_s: Callable[[dict[str, Any]], float],
) -> tuple[argparse.Namespace, dict[str, Any], list[WorkerSpec], IntervalStore]:
    """The usual twin: options checked by the scenario, its workers built (a ValueError is a
    usage error, exit 2) and run here as threads; (args, params, specs, store)."""
    parser, args, params = scenario.parse(argv, doc)
    try:
        specs = build_workers(**params)
    except ValueError as exc:
        parser.error(str(exc))
    _, store = run_locally(Kind.THREAD, specs, timeout_s=deadline_s(params))
    return args, params, specs, store
