"""The levels in the terminal, through ``python -m demos.scheduler``: list them, replay a schedule
on one, or search every schedule up to a bound for a win.

    python -m demos.scheduler --list [--json]
    python -m demos.scheduler --level counter --schedule 1,2,1,2 [--json]
    python -m demos.scheduler --search [--level ID] [--bound 40] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from demos.events import Kind, Lane, State
from demos.exit_status import note_failure
from demos.intervals import IntervalStore
from demos.levels.catalog import LEVELS, level
from demos.levels.engine import BLOCK_BOUND_S
from demos.levels.level import Level, StepRecord
from demos.levels.play import play, search
from demos.twin import finish

DEFAULT_BOUND = 40  # steps: every level's schedules end within it (the search says "complete")
STEP_NS = 1_000_000_000  # the trace counts steps, not seconds
LANE_ID_BASE = 9100


def add_options(parser: argparse.ArgumentParser) -> None:
    """The level options of the scheduler twin."""
    group = parser.add_argument_group("levels")
    group.add_argument("--list", action="store_true", help="list the levels")
    group.add_argument("--level", metavar="ID", help="play a level (with --schedule)")
    group.add_argument("--search", action="store_true", help="search schedules for a win")
    group.add_argument("--bound", type=int, default=DEFAULT_BOUND, help="longest schedule searched")
    group.add_argument(
        "--block-ms",
        type=float,
        default=BLOCK_BOUND_S * 1000,
        help="a line not done after this long is blocked in a primitive",
    )


def wanted(args: argparse.Namespace) -> bool:
    """True if the command line asks for levels rather than the counter game."""
    return bool(args.list or args.level or args.search)


def run(
    parser: argparse.ArgumentParser, args: argparse.Namespace, schedule: list[int] | None
) -> int:
    """Do what the level options ask; returns the exit status."""
    if args.bound < 1:
        parser.error("--bound must be at least 1")
    if args.block_ms <= 0:
        parser.error("--block-ms must be positive")
    block_s = args.block_ms / 1000
    try:
        chosen = [level(args.level)] if args.level else list(LEVELS)
    except ValueError as exc:
        parser.error(str(exc))
    if args.list:
        return _list(args)
    if args.search:
        return _search(args, chosen, block_s)
    the_level = chosen[0]
    if schedule is None:
        schedule = [i - 1 for i in the_level.winning or range(1, len(the_level.threads) + 1)]
    try:
        result = play(the_level, schedule, block_s)
    except ValueError as exc:
        parser.error(str(exc))
    except RuntimeError as exc:  # a thread did not end: say so, and fail
        note_failure(str(exc))
        raise
    _print_play(the_level, result)
    return finish(args, to_store(the_level, result["steps"]), result)


def _list(args: argparse.Namespace) -> int:
    for lv in LEVELS:
        mark = "fixed" if lv.fixed else ",".join(map(str, lv.winning or ()))
        print(f"{lv.id:<18} {lv.title:<40} {len(lv.threads)} {lv.kind:<10} {mark}")
    if args.json:
        print(json.dumps({"levels": [lv.summary() for lv in LEVELS]}, sort_keys=True))
    return 0


def _search(args: argparse.Namespace, chosen: list[Level], block_s: float) -> int:
    results: list[dict[str, Any]] = []
    for lv in chosen:
        found = search(lv, args.bound, block_s)
        results.append(found)
        best = ",".join(map(str, found["shortest"])) if found["winnable"] else "no win"
        proof = "all schedules" if found["complete"] else f"cut at {args.bound} steps"
        print(f"{lv.id:<18} {found['searched']:>5} schedules ({proof}): {best}")
        sys.stdout.flush()
    if args.json:
        print(json.dumps({"bound": args.bound, "levels": results}, sort_keys=True))
    return 0


def _print_play(lv: Level, result: dict[str, Any]) -> None:
    print(f"{lv.title}: {lv.goal}\n")
    for number, line in enumerate(lv.source.splitlines(), 1):
        print(f"  {number:>3}  {line}")
    print(f"\nschedule {','.join(map(str, result['schedule']))}:")
    for step in result["steps"]:
        record = StepRecord(
            step["n"],
            step["thread"] - 1,
            step["line"],
            step["code"],
            step["outcome"],
            tuple(t - 1 for t in step["woke"]),
        )
        print(f"  {step['n']:>3}  {record.describe()}")
    print(f"\nstate  {json.dumps(result['state'])}")
    print("WON: " + lv.lesson if result["won"] else f"not won. Hint: {lv.hint}")


def to_store(lv: Level, steps: list[dict[str, Any]]) -> IntervalStore:
    """The steps on a step axis: step n runs from n to n + 1 (x STEP_NS), one lane per thread."""
    store = IntervalStore()
    for i in range(len(lv.threads)):
        store.add_lane(Lane(LANE_ID_BASE + i, Kind.THREAD, f"Thread-{i + 1}", 0))
    events = [
        (0, LANE_ID_BASE + i, int(State.READY), "at its gate") for i in range(len(lv.threads))
    ]
    for step in steps:
        t, lane = (step["n"] - 1) * STEP_NS, LANE_ID_BASE + step["thread"] - 1
        events.append((t, lane, int(State.RUNNING), f"line {step['line']}: {step['code']}"))
        after = {"blocked": State.BLOCKED, "finished": State.DONE}.get(step["outcome"], State.READY)
        if step["outcome"].startswith("raised"):
            after = State.DONE
        events.append((t + STEP_NS, lane, int(after), step["outcome"]))
        for woken in step["woke"]:
            events.append((t + STEP_NS, LANE_ID_BASE + woken - 1, int(State.READY), "woken"))
    store.add_events(sorted(events, key=lambda e: e[0]))
    return store
