"""Start methods: what fork, spawn and forkserver cost to start a child, and the fork trap.

One measuring thread starts ``repeats`` children with each start method this platform has and
times, on the shared clock, ``Process.start()`` to the child's first report and to its join.
Then the trap: a second thread takes a ``threading.Lock`` and sleeps holding it while the
measuring thread starts a child that takes the same lock. Forked, the child gets a copy of the
lock as it was (locked) and no copy of the thread that would release it: it waits for ever,
and is stopped after ``deadline_s`` (terminate, then kill). Started with spawn or forkserver,
the child imports this module afresh, with a fresh lock, and takes it at once.

    python -m demos.start_methods --repeats 5 --methods all --deadline-s 2
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
import warnings
from multiprocessing.connection import Connection
from typing import Any

from demos import platform_support
from demos.context import POLL_S, WorkerContext
from demos.escalate import end_tree
from demos.events import Kind, Lane, State, now_ns
from demos.exit_status import twin_main
from demos.scenario import Param, Scenario
from demos.start_methods_result import summarize
from demos.worker import WorkerSpec

# Each spawn or forkserver child imports this module: keep it light (the twin's plumbing is
# imported in main()).

METHODS = ("fork", "spawn", "forkserver")
SCENARIO = Scenario(
    "demos.start_methods",
    "fork, spawn and forkserver: start-up cost, the default, and fork after threads",
    (
        Param("repeats", int, 5, 1, 20, caption="St&arts per method", help="Children per method"),
        Param(
            "methods",
            str,
            "all",
            choices=("all", *METHODS),
            help="Which start methods to measure (those this platform has)",
        ),
        Param(
            "deadline_s",
            int,
            2,
            1,
            10,
            unit="s",
            caption="Stuck-child &deadline",
            help="How long a demonstration child may wait for the lock before it is stopped",
        ),
        Param(
            "skip_trap",
            bool,
            False,
            caption="S&kip the fork-after-threads demonstration",
            help="measure the start-up costs only",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
START_DEADLINE_S = 30.0  # a child that has not reported by then counts as failed
JOIN_DEADLINE_S = 5.0  # a child that reported but does not exit by then is stopped
KEY_FUNCTIONS = ("measure_worker", "take_lock")

# The lock of the demonstration. A forked child gets this object as it was at fork() (held by
# the holder thread); a spawned child imports the module again and gets a fresh, free one.
LOCK = threading.Lock()


def first_report(conn: Connection) -> None:
    """A start-up child: report the time at once, then end."""
    conn.send(now_ns())
    conn.close()


def take_lock(conn: Connection) -> None:
    """A demonstration child: say so, take the lock (a forked copy may never be free), say so."""
    conn.send(("about to acquire", now_ns()))
    with LOCK:
        conn.send(("got it", now_ns()))
    conn.close()


def chosen_methods(which: str) -> list[str]:
    """The methods to measure, in a fixed order: those this platform has, or just ``which``."""
    have = platform_support.start_methods()
    return [m for m in METHODS if m in have and which in ("all", m)]


class ChildLanes:
    """A timeline lane per child the measuring thread starts (it reports on their behalf)."""

    def __init__(self, ctx: WorkerContext) -> None:
        self.ctx = ctx
        self.count = 0

    def new(self, name: str, kind: Kind = Kind.PROCESS) -> int:
        self.count += 1
        lane_id = self.ctx.lane_id + self.count
        self.ctx.sink.announce(Lane(lane_id, kind, name, 0))
        return lane_id

    def named(self, lane_id: int, kind: Kind, name: str, ident: int) -> None:
        self.ctx.sink.announce(Lane(lane_id, kind, name, ident))

    def emit(self, lane_id: int, state: State, detail: str, t_ns: int | None = None) -> None:
        self.ctx.sink.emit((now_ns() if t_ns is None else t_ns, lane_id, int(state), detail))


def _wait_for(ctx: WorkerContext, conn: Connection, seconds: float) -> Any | None:
    """The child's next message, or None after ``seconds``; Cancel and Pause are heard."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        ctx.checkpoint()
        if conn.poll(POLL_S):
            try:
                return conn.recv()
            except EOFError:
                return None
    return None


def _start(
    method: str, target: Any, lanes: ChildLanes, lane_id: int, name: str
) -> tuple[multiprocessing.process.BaseProcess, Connection, int, list[str]]:
    """Start ``target`` with ``method``; (process, its pipe's reading end, t0, warnings)."""
    context: Any = multiprocessing.get_context(method)  # typeshed's BaseContext has no Process
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(writer,), name=name, daemon=True)
    with warnings.catch_warnings(record=True) as caught:
        # Python 3.12+ warns on fork() while other threads run: say what it said.
        warnings.simplefilter("always", DeprecationWarning)
        t0 = now_ns()
        process.start()
    writer.close()  # the child holds its own copy: EOF once the child is gone
    lanes.named(lane_id, Kind.PROCESS, name, process.pid or 0)
    return process, reader, t0, [str(w.message) for w in caught]


def _measure(ctx: WorkerContext, lanes: ChildLanes, method: str, repeats: int) -> list[Any]:
    """``repeats`` children of ``method``: (start, first report, joined) ns for each."""
    samples: list[tuple[int, int, int]] = []
    lane_id = lanes.new(f"{method} child")
    for i in range(repeats):
        ctx.checkpoint()
        ctx.emit(State.RUNNING, f"{method}: Process.start() ({i + 1} of {repeats})")
        process, reader, t0, _said = _start(method, first_report, lanes, lane_id, f"{method} child")
        try:
            lanes.emit(lane_id, State.NEW, "Process.start()", t0)
            ctx.emit(State.BLOCKED, f"{method}: waiting for the child's first report")
            first = _wait_for(ctx, reader, START_DEADLINE_S)
            if first is None:
                raise RuntimeError(f"a {method} child did not report within {START_DEADLINE_S} s")
            lanes.emit(lane_id, State.RUNNING, "its first line ran", int(first))
            process.join(JOIN_DEADLINE_S)
            joined = now_ns()
            lanes.emit(lane_id, State.DONE, "exited, joined", joined)
            samples.append((t0, int(first), joined))
        finally:
            reader.close()
            end_tree(process, 0.0)
    return samples


def _holder(
    lanes: ChildLanes, lane_id: int, name: str, held: threading.Event, free: threading.Event
) -> None:
    """The lock holder: takes the lock, sleeps holding it until told, lets it go."""
    lanes.named(lane_id, Kind.THREAD, name, threading.get_native_id())
    with LOCK:
        lanes.emit(lane_id, State.WAITING, "holds the lock, asleep")
        held.set()
        free.wait(START_DEADLINE_S)
    lanes.emit(lane_id, State.DONE, "released the lock")


def _trap_child(
    ctx: WorkerContext, lanes: ChildLanes, method: str, deadline_s: int, out: dict[str, Any]
) -> None:
    """One demonstration child, started while the holder thread has the lock."""
    name = f"{method} child (lock)"
    lane_id = lanes.new(name)
    held, free = threading.Event(), threading.Event()
    holder_lane = lanes.new(f"Lock holder ({method})", Kind.THREAD)
    holder = threading.Thread(
        target=_holder,
        args=(lanes, holder_lane, f"Lock holder ({method})", held, free),
        daemon=True,
    )
    holder.start()
    process = None
    try:
        held.wait(START_DEADLINE_S)
        ctx.emit(State.RUNNING, f"{method}: starting a child while another thread holds the lock")
        process, reader, t0, said = _start(method, take_lock, lanes, lane_id, name)
        if said:
            out["fork_warning"] = said[0]
        lanes.emit(lane_id, State.NEW, "Process.start()", t0)
        ctx.emit(State.BLOCKED, f"{method}: waiting for the child to take the lock")
        about = _wait_for(ctx, reader, START_DEADLINE_S)
        free.set()  # the parent's lock is free again soon; the child's copy is its own
        child = {"method": method, "reached_acquire": about is not None, "took_lock": False}
        if about is not None:
            lanes.emit(lane_id, State.BLOCKED, "LOCK.acquire()", int(about[1]))
            got = _wait_for(ctx, reader, deadline_s)
            child["took_lock"] = got is not None
            waited = (int(got[1]) if got else now_ns()) - int(about[1])
            child["waited_s"] = round(waited / 1e9, 3)
            if got is not None:
                lanes.emit(lane_id, State.RUNNING, "took a free lock at once", int(got[1]))
        else:
            child["waited_s"] = 0.0
        reader.close()
        child["stopped"] = end_tree(process, 0.0 if not child["took_lock"] else 2.0) or ""
        if child["took_lock"]:
            lanes.emit(lane_id, State.DONE, "took the lock, released it, exited")
        else:
            how = child["stopped"] or "ended"
            text = f"stuck on a lock copied while held: stopped after {deadline_s:.1f} s ({how})"
            lanes.emit(lane_id, State.CANCELLED, text)
        out["trap"].append(child)
    finally:
        free.set()
        holder.join()
        if process is not None:
            end_tree(process, 0.0)


def measure_worker(
    ctx: WorkerContext,
    repeats: int,
    methods: str,
    deadline_s: int,
    skip_trap: bool,
    out: dict[str, Any],
) -> None:
    """The measuring thread: start-up costs per method, then the demonstration."""
    chosen = chosen_methods(methods)
    out.update(
        python=".".join(map(str, sys.version_info[:3])),
        platform=sys.platform,
        default_method=platform_support.default_start_method(),
        chosen_method=multiprocessing.get_start_method(allow_none=True) or "",
        available=platform_support.start_methods(),
        deadline_s=deadline_s,
        samples={},
        trap=[],
    )
    lanes = ChildLanes(ctx)
    try:
        for method in chosen:
            out["samples"][method] = _measure(ctx, lanes, method, repeats)
        if not skip_trap:
            if not platform_support.has_fork():
                out["trap_skipped"] = (
                    f"This platform ({sys.platform}) has no fork: no child can inherit a "
                    "locked lock, so the demonstration is skipped."
                )
            else:
                for method in (m for m in METHODS if m in platform_support.start_methods()):
                    _trap_child(ctx, lanes, method, deadline_s, out)
        ctx.checkpoint()
    finally:
        _stop_forkserver()
    ctx.emit(State.DONE, "measured")


def _stop_forkserver() -> None:
    """The forkserver's server process outlives its children: stop it with the run."""
    if "forkserver" not in platform_support.start_methods():
        return
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def build_workers(repeats: int, methods: str, deadline_s: int, skip_trap: bool) -> list[WorkerSpec]:
    """One measuring thread; its figures land in ``params["out"]``."""
    values = {"repeats": repeats, "methods": methods, "deadline_s": deadline_s}
    values["skip_trap"] = skip_trap
    params = SCENARIO.validate(values)
    if not chosen_methods(str(params["methods"])):
        raise ValueError(f"this platform has no start method {methods!r}")
    return [WorkerSpec("Measurer", measure_worker, {**params, "out": {}})]


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The raw figures (the lab sends them with "finished"); the tab summarises them."""
    return dict(specs[0].params["out"]) if specs else {}


def deadline_s(params: dict[str, Any]) -> float:
    """Generous: a spawn start takes well under a second; each trap child waits its deadline."""
    trap_s = 0.0 if params["skip_trap"] else 3 * (float(params["deadline_s"]) + 3.0)
    return 2.0 * float(params["repeats"]) * len(METHODS) + trap_s + 20.0


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same lesson."""
    return SCENARIO.command(params)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    from demos.twin import finish, parse_and_run, print_lane_summary

    _args, params, specs, store = parse_and_run(SCENARIO, argv, __doc__, build_workers, deadline_s)
    figures = summarize(result(specs))
    print(f"Python {figures.python} on {figures.platform}: {figures.default_note}")
    print_lane_summary(store)
    for cost in figures.costs:
        print(
            f"  {cost.method:<10} start {cost.start_ms:7.1f} ms, join {cost.join_ms:7.1f} ms "
            f"(median of {cost.samples}; first {cost.first_ms:.1f} ms)"
        )
    for child in figures.trap:
        ended = "took the lock" if child.took_lock else f"stuck, {child.stopped or 'ended'}"
        print(f"  lock child, {child.method:<10} {ended} after {child.waited_s:.3f} s")
    if figures.fork_warning:
        print(f"  Python warned: {figures.fork_warning}")
    print(figures.verdict())
    return finish(_args, store, figures.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
