"""Thread states: what Python really tells you about a thread, and what the OS does.

``threading.Thread`` has no state enum. All it answers is ``is_alive()`` (False before
``start()``, True from ``start()`` until the target returns, False again after), plus ``ident``
and ``native_id`` once started. The states on the timeline (READY, RUNNING, WAITING, BLOCKED...)
are the lesson's own labels, emitted by each worker at the moment it changes what it does. The
kernel keeps a state per thread too (R, S, D... in ``/proc/<pid>/task/<tid>/stat`` on Linux).
PENDING, RUNNING, CANCELLED and FINISHED belong to ``concurrent.futures.Future``: a unit of work
handed to a pool, not a thread.

Scenarios:
- ``deck``: the deck's example. A worker sleeps 2 s; "main" asks ``is_alive()`` before start,
  after start, after 1 s and after join (False, True, True, False).
- ``mix``: sleepers (WAITING), computers (RUNNING) and lock contenders (BLOCKED) at once.
- ``futures``: a ThreadPoolExecutor with more tasks than workers; each Future's state recorded
  live through its public API; cancel() on a running future returns False, on a pending one True.

The futures scenario lives in ``demos.future_states``, the kernel's view in
``demos.kernel_states``; this module plays the deck and mix scenarios and builds every run.

    python -m demos.thread_states [--scenario deck|mix|futures] [--json]
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from demos.context import WorkerContext, run_helper_thread
from demos.events import Kind, Lane, State, now_ns
from demos.exit_status import twin_main
from demos.future_states import (
    FutureBook,
    futures_main_worker,
)
from demos.protocol import Msg
from demos.scenario import Param, Scenario
from demos.thread_states_result import AliveCheck, FutureRecord, ThreadStatesResult
from demos.worker import WorkerSpec

if TYPE_CHECKING:
    from demos.intervals import IntervalStore

KIND = Kind.THREAD
SCENARIOS = ("deck", "mix", "futures")
SCENARIO = Scenario(
    "demos.thread_states",
    "what Python tells of a thread (is_alive), the lesson's states, the kernel's, a Future's",
    (
        Param(
            "scenario",
            str,
            "deck",
            choices=SCENARIOS,
            caption="&Scenario",
            help="deck: is_alive() four times; mix: sleep, CPU and a contended lock at once; "
            "futures: a ThreadPoolExecutor's Future states and cancel()",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
ORCHESTRATOR_NAME = "main"  # the lane that plays the deck's main thread
POLL_S = 0.02  # how often "main" looks at its thread or futures (and at pause/cancel)
CANCEL_GRACE_S = 1.0  # a cancelled helper thread stops at its next poll, well within this

# deck: the slide's numbers
DECK_SLEEP_S = 2.0
DECK_CHECK_AFTER_S = 1.0
DECK_STEPS = ("created", "started", "after 1 s", "joined")
IS_ALIVE = "is_alive"  # value of each check: {"step": one of DECK_STEPS, "alive": the answer}

# mix: about 3 s in all; on a GIL build the CPU parts share one GIL, so their sum sets the length
MIX_SLEEPERS, MIX_SLEEP_ROUNDS, MIX_SLEEP_S = 2, 5, 0.5
MIX_COMPUTERS, MIX_CPU_ROUNDS, MIX_CPU_STEP_MS = 2, 4, 200.0
MIX_LOCKERS, MIX_LOCK_ROUNDS, MIX_HOLD_MS = 3, 3, 100.0
LOCK_POLL_S = 0.05  # acquire(timeout) so a queued thread still sees cancel


# --------------------------------------------------------------------- deck
class DeckRecord:
    """What "main" saw: one entry per ``is_alive()`` check, shared with the lab's result()."""

    def __init__(self, sleep_s: float = DECK_SLEEP_S, wait_s: float = DECK_CHECK_AFTER_S) -> None:
        self.sleep_s = sleep_s
        self.wait_s = wait_s
        self.checks: list[dict[str, Any]] = []

    @property
    def observed(self) -> list[bool]:
        """The ``is_alive()`` answers in order."""
        return [bool(c["is_alive"]) for c in self.checks]

    def check(self, ctx: WorkerContext, step: str, thread: threading.Thread) -> bool:
        """Ask ``is_alive()`` now, record it, report it (IS_ALIVE) and show it as a mark."""
        alive = thread.is_alive()
        self.checks.append(
            {"step": step, "is_alive": alive, "ident": thread.ident, "native_id": thread.native_id}
        )
        ctx.emit(State.RUNNING, f"t.is_alive() -> {alive}")
        ctx.sink.send(Msg.MARK, (now_ns(), mark_label(step, alive)))
        ctx.report(IS_ALIVE, {"step": step, "alive": alive})
        return alive


def mark_label(step: str, alive: bool) -> str:
    """The timeline mark of one check (display text; the figure is the IS_ALIVE value)."""
    return f"{step}: is_alive() -> {alive}"


def deck_sleeper_worker(ctx: WorkerContext, sleep_s: float) -> None:
    """The deck's worker: say hello, sleep, say goodbye."""
    ctx.emit(State.RUNNING, f"started (ident {threading.get_ident()})")
    ctx.sleep(sleep_s, f"time.sleep({sleep_s:g})")
    ctx.emit(State.RUNNING, "finished")


def deck_main_worker(ctx: WorkerContext, record: DeckRecord) -> None:
    """The deck's main thread, step by step: create, check, start, check, wait, check, join."""
    lane_id = ctx.lane_id + 1  # the worker's lane sits right after main's
    ctx.sink.announce(Lane(lane_id, Kind.THREAD, "worker", 0))
    ctx.sink.emit((now_ns(), lane_id, int(State.NEW), "threading.Thread(target=worker)"))
    # A plain Thread, not a runtime worker: main itself must create, start and join it, so
    # each is_alive() answer is the real one.
    thread = threading.Thread(
        target=run_helper_thread,
        args=(
            ctx.sink,
            ctx.control,
            lane_id,
            "worker",
            deck_sleeper_worker,
            {"sleep_s": record.sleep_s},
        ),
        name="worker",
        daemon=True,
    )
    record.check(ctx, DECK_STEPS[0], thread)
    ctx.sink.emit((now_ns(), lane_id, int(State.READY), "t.start()"))
    thread.start()
    record.check(ctx, DECK_STEPS[1], thread)
    try:
        ctx.sleep(record.wait_s, f"time.sleep({record.wait_s:g})")
        record.check(ctx, DECK_STEPS[2], thread)
        ctx.emit(State.BLOCKED, "t.join()")
        while thread.is_alive():
            thread.join(POLL_S)  # short joins, so main still honours pause and cancel
            ctx.checkpoint()
    finally:
        thread.join(CANCEL_GRACE_S)  # on cancel the worker stops at its next poll as well
    record.check(ctx, DECK_STEPS[3], thread)


# ---------------------------------------------------------------------- mix
class MixShared:
    """The one lock the contenders of a run queue for."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


def sleeper_worker(ctx: WorkerContext, rounds: int, sleep_s: float) -> None:
    """Mostly WAITING: a little work, then a long sleep (which releases any GIL)."""
    for _ in range(rounds):
        ctx.checkpoint()
        ctx.compute(10, "a little work")
        ctx.sleep(sleep_s, f"time.sleep({sleep_s:g})")


def computer_worker(ctx: WorkerContext, rounds: int, step_ms: float) -> None:
    """Always RUNNING: pure-Python arithmetic (which needs the GIL, on a GIL build)."""
    for step in range(rounds):
        ctx.checkpoint()
        ctx.compute(step_ms, f"step {step + 1}/{rounds}: arithmetic")


def lock_worker(ctx: WorkerContext, shared: MixShared, rounds: int, hold_ms: float) -> None:
    """BLOCKED while another holds the lock, RUNNING while holding it."""
    lock = shared.lock
    for _ in range(rounds):
        ctx.checkpoint()  # outside the lock: a paused or cancelled thread never holds it
        if not lock.acquire(blocking=False):
            ctx.emit(State.BLOCKED, "lock.acquire(): held by another")
            while not lock.acquire(timeout=LOCK_POLL_S):
                ctx.checkpoint()
                ctx.sink.flush_if_due()
        try:
            ctx.compute(hold_ms, "holding the lock")
        finally:
            lock.release()
        ctx.sleep(0.05, "released; short pause")


# ------------------------------------------------------------ the scenarios
def build_workers(scenario: str = "deck") -> list[WorkerSpec]:
    """The workers of one run, with that run's shared record."""
    SCENARIO.validate({"scenario": scenario})
    if scenario == "deck":
        return [WorkerSpec(ORCHESTRATOR_NAME, deck_main_worker, {"record": DeckRecord()})]
    if scenario == "futures":
        return [WorkerSpec(ORCHESTRATOR_NAME, futures_main_worker, {"book": FutureBook()})]
    shared = MixShared()
    specs = [
        WorkerSpec(
            f"sleeper-{i + 1}", sleeper_worker, {"rounds": MIX_SLEEP_ROUNDS, "sleep_s": MIX_SLEEP_S}
        )
        for i in range(MIX_SLEEPERS)
    ]
    specs += [
        WorkerSpec(
            f"cpu-{i + 1}", computer_worker, {"rounds": MIX_CPU_ROUNDS, "step_ms": MIX_CPU_STEP_MS}
        )
        for i in range(MIX_COMPUTERS)
    ]
    specs += [
        WorkerSpec(
            f"locker-{i + 1}",
            lock_worker,
            {"shared": shared, "rounds": MIX_LOCK_ROUNDS, "hold_ms": MIX_HOLD_MS},
        )
        for i in range(MIX_LOCKERS)
    ]
    return specs


def summarize(specs: list[WorkerSpec], scenario: str) -> ThreadStatesResult:
    """The run's record: the deck's answers and the futures' states (empty where not played)."""
    params = specs[0].params
    record: DeckRecord | None = params.get("record")
    book: FutureBook | None = params.get("book")
    return ThreadStatesResult(
        scenario=scenario,
        checks=tuple(AliveCheck(**c) for c in record.checks) if record else (),
        future_states=tuple(
            FutureRecord(e["task"], tuple(e["states"]), e["cancel_returned"])
            for e in (book.as_json() if book else [])
        ),
    )


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """What the lab sends with "finished": :meth:`ThreadStatesResult.as_json`."""
    params = specs[0].params
    scenario = "deck" if "record" in params else "futures" if "book" in params else "mix"
    return summarize(specs, scenario).as_json()


def states_at_once_s(
    store: IntervalStore, states: tuple[State, ...], step_ns: int, skip_lane: int | None = None
) -> float:
    """Seconds during which every one of ``states`` was held by some lane (but ``skip_lane``),
    sampled every ``step_ns``: the figure that says running, waiting and blocked were visible
    together."""
    import numpy as np

    start, end, rows, held = store.view(store.t_last_ns)
    if skip_lane is not None:
        keep = rows != store.row_of(skip_lane)
        start, end, held = start[keep], end[keep], held[keep]
    if not len(start):
        return 0.0
    grid = np.arange(int(start.min()), int(end.max()), step_ns)
    together = np.ones(len(grid), dtype=bool)
    for state in states:
        mine = held == int(state)
        s, e = start[mine], end[mine]
        covered = ((s[None, :] <= grid[:, None]) & (e[None, :] > grid[:, None])).any(axis=1)
        together &= covered
    return float(together.sum() * step_ns / 1e9)


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that plays the same scenario."""
    return SCENARIO.command(params)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    from demos.twin import finish, print_lane_summary, run_locally

    _parser, args, params = SCENARIO.parse(argv, __doc__)
    scenario = str(params["scenario"])
    specs = build_workers(scenario)
    run, store = run_locally(KIND, specs, timeout_s=30.0)
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    together = None
    if scenario == "mix":
        trio = (State.RUNNING, State.WAITING, State.BLOCKED)
        together = round(states_at_once_s(store, trio, 5_000_000), 3)
    outcome = replace(
        summarize(specs, scenario), all_three_at_once_s=together, elapsed_s=round(elapsed_s, 3)
    )
    print(f"scenario {scenario}, {elapsed_s:.2f} s:")
    print_lane_summary(store)
    for check in outcome.checks:
        print(f"  Thread {check.ident} {check.step}: is_alive() = {check.is_alive}")
    for entry in outcome.future_states:
        cancel = entry.cancel_returned
        asked = "" if cancel is None else f"   cancel() -> {cancel}"
        print(f"  future {entry.task}: {' -> '.join(entry.states)}{asked}")
    if together is not None:
        print(f"  running, waiting and blocked all at once for {together} s")
    print(f"observed {list(outcome.observed)}")
    print(outcome.verdict())
    return finish(args, store, outcome.as_json())


if __name__ == "__main__":
    raise SystemExit(main())
