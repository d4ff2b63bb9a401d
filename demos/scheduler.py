"""You are the scheduler: real threads run ``counter.value += 1`` one step at a time, on command.

CPython compiles ``counter.value += 1`` to a handful of bytecode instructions (see
:func:`bytecode_listing`). They do three observable things, and nothing makes them one step:
on a standard (GIL) build CPython 3.10+ hands the GIL over only at calls and backward jumps, so a
plain ``+=`` is rarely cut between them, though nothing promises it never is; on a free-threaded
build threads really run at the same time and any interleaving can happen. The three steps:

* **read**  ``LOAD_FAST counter; COPY; LOAD_ATTR value``: the value goes onto the thread's stack;
* **add**   ``LOAD_CONST 1; BINARY_OP +=``: the thread computes value + 1, privately;
* **write** ``SWAP; STORE_ATTR value``: it stores its result into the shared counter.

Each thread of a game is a real ``threading.Thread`` that does those three steps as three Python
statements, and waits at its own gate (a ``threading.Event``) before every step. Nothing moves
until the scheduler (you, or ``--schedule``) releases exactly one step of one thread; the thread
reports what it did through a queue and stops at its gate again. So a schedule such as
read1, read2, add1, add2, write1, write2 is played exactly, every time, and two increments leave
the counter at 1: Thread-2 writes the value it computed from a stale read over Thread-1's write.
That erased increment is a *lost update*.

The gated threads and the record of their steps are ``demos.scheduler_game``; this module shows
the bytecode, plays a schedule, draws it on a step axis and is the terminal twin.

    python -m demos.scheduler --schedule 1,2,1,2,1,2 [--threads 2] [--increments 1] [--json]

The same twin plays the levels (real programs of two or three threads, stepped line by line;
see demos.levels):

    python -m demos.scheduler --list [--json]
    python -m demos.scheduler --level deadlock --schedule 1,2,1,2 [--json]
    python -m demos.scheduler --search [--level ID] [--bound 40] [--json]
"""

from __future__ import annotations

import argparse
import dis
from typing import Any

from demos.events import Kind, Lane, State
from demos.exit_status import note_failure
from demos.intervals import IntervalStore
from demos.levels import twin as levels_twin
from demos.scheduler_game import SCENARIO as SCENARIO  # declared with the game, which checks it
from demos.scheduler_game import STEPS, Counter, SchedulerGame, thread_label
from demos.twin import finish, twin_main

DEFAULTS: dict[str, Any] = SCENARIO.defaults()
DEFAULT_SCHEDULE = "1,2,1,2,1,2"  # read1, read2, add1, add2, write1, write2: the classic loss
# The timeline counts steps, not seconds: step n occupies [n, n + 1) x STEP_NS on its axis.
STEP_NS = 1_000_000_000
LANE_ID_BASE = 9000  # clear of the lab's lane ids, in case a store ever mixes both


def increment(counter: Counter) -> None:
    """The statement every thread runs: its bytecode is what the lesson shows."""
    counter.value += 1


def bytecode_listing() -> list[tuple[str, str]]:
    """``(step, instruction)`` for each instruction of :func:`increment` that does the work.

    The step is "read", "add" or "write". ``RESUME`` and the implicit ``return None`` are left
    out: they do not touch the counter. The grouping follows the instruction that ends each
    step (the attribute load, the addition, the attribute store), so it holds on 3.11 to 3.13.
    """
    rows: list[tuple[str, str]] = []
    step = 0
    for ins in dis.get_instructions(increment):
        if ins.opname == "RESUME" or step >= len(STEPS):
            continue
        text = f"{ins.opname} {ins.argrepr}".strip()
        rows.append((STEPS[step], text))
        if ins.opname in ("LOAD_ATTR", "BINARY_OP", "STORE_ATTR"):
            step += 1
    return rows


def play(threads: int, increments: int, schedule: list[int]) -> SchedulerGame:
    """A started game with ``schedule`` (0-based thread indices) played; the caller stops it."""
    game = SchedulerGame(threads, increments)
    game.start()
    try:
        for number, index in enumerate(schedule, 1):
            if not game.can_step(index):
                raise ValueError(
                    f"step {number}: {thread_label(index)} has no step left to take"
                    if 0 <= index < threads
                    else f"step {number}: there is no thread {index + 1}"
                )
            game.step(index)
    except BaseException:
        game.stop()
        raise
    return game


def to_store(game: SchedulerGame, store: IntervalStore, t0_ns: int = 0) -> None:
    """Draw the game into ``store`` on a step axis: step n runs from n to n + 1 (x STEP_NS).

    A thread at its gate is READY (runnable, waiting to be scheduled); the thread that takes a
    step is RUNNING for that step; a thread with no step left is DONE.
    """
    store.clear()
    for i in range(game.threads):
        store.add_lane(Lane(LANE_ID_BASE + i, Kind.THREAD, thread_label(i), game.native_ids[i]))
    events = [
        (t0_ns, LANE_ID_BASE + i, int(State.READY), "at its gate") for i in range(game.threads)
    ]
    done = [0] * game.threads
    for rec in game.history:
        t = t0_ns + (rec.number - 1) * STEP_NS
        lane = LANE_ID_BASE + rec.thread
        events.append((t, lane, int(State.RUNNING), rec.announcement() or rec.describe()))
        done[rec.thread] += 1
        after = State.DONE if done[rec.thread] == game.steps_per_thread else State.READY
        events.append((t + STEP_NS, lane, int(after), f"counter={rec.after}"))
    store.add_events(sorted(events, key=lambda e: e[0]))


def parse_schedule(text: str) -> list[int]:
    """``"1,2,2,1"`` -> ``[0, 1, 1, 0]`` (thread numbers on the command line start at 1)."""
    try:
        numbers = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError(
            f"a schedule is thread numbers separated by commas, not {text!r}"
        ) from None
    if not numbers:
        raise ValueError("the schedule is empty")
    return [n - 1 for n in numbers]


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: play a schedule on real gated threads and print the trace."""

    def options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--schedule", help=f"thread numbers (default {DEFAULT_SCHEDULE})")
        parser.set_defaults(threads=None)  # default: the highest thread in the schedule (>= 2)
        levels_twin.add_options(parser)

    def threads_from_schedule(args: argparse.Namespace) -> None:
        if levels_twin.wanted(args):
            args.threads = args.threads or DEFAULTS["threads"]  # the counter game is not played
        elif args.threads is None:
            schedule = args.schedule or DEFAULT_SCHEDULE
            args.threads = max(DEFAULTS["threads"], max(parse_schedule(schedule)) + 1)

    parser, args, params = SCENARIO.parse(argv, __doc__, options, threads_from_schedule)
    if levels_twin.wanted(args):
        try:
            level_schedule = parse_schedule(args.schedule) if args.schedule else None
        except ValueError as exc:
            parser.error(str(exc))
        return levels_twin.run(parser, args, level_schedule)
    args.schedule = args.schedule or DEFAULT_SCHEDULE
    try:
        schedule = parse_schedule(args.schedule)
        threads, increments = int(params["threads"]), int(params["increments"])
        game = play(threads, increments, schedule)
    except ValueError as exc:
        parser.error(str(exc))
    except TimeoutError as exc:  # a released thread did not take its step
        note_failure(str(exc))
        raise
    try:
        print("counter.value += 1 compiles to (CPython bytecode):")
        for step, text in bytecode_listing():
            print(f"  {step:<6} {text}")
        print(f"\n{threads} threads x {increments} increments, schedule {args.schedule}:")
        for rec in game.history:
            print(f"  {rec.number:>3}  {rec.describe()}")
            if (message := rec.announcement()) is not None:
                print(f"       {message}")
        if not game.finished:
            print("  (the schedule ends before every thread has finished; they are stopped)")
        print(f"\ncounter      {game.counter.value}")
        print(f"expected     {game.expected}")
        print(f"lost_updates {game.lost_updates}")
        store = IntervalStore()
        to_store(game, store)
        result = game.result()
    finally:
        stopped = game.stop()
    if not stopped:
        note_failure(f"{game.alive_threads()} scheduler thread(s) did not stop")
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
