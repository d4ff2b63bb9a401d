"""Play a schedule on a level, and search every schedule up to a bound for a win."""

from __future__ import annotations

import time
from typing import Any, Protocol

from demos.levels.awaits import CoroutineRun
from demos.levels.engine import BLOCK_BOUND_S, ThreadRun
from demos.levels.level import Level, StepRecord, View, plain


class Run(Protocol):
    """What both engines offer: the page and the twin drive either one."""

    level: Level
    ns: dict[str, Any]
    threads: int
    history: list[StepRecord]
    errors: dict[int, str]

    def start(self) -> None: ...
    def status(self, index: int) -> str: ...
    def line_of(self, index: int) -> int | None: ...
    def waking(self, index: int) -> bool: ...
    def steppable(self) -> list[int]: ...
    def view(self) -> View: ...
    def step(self, index: int) -> StepRecord: ...
    def stop(self, timeout_s: float = ...) -> bool: ...
    def alive_threads(self) -> int: ...


def new_run(level: Level, block_bound_s: float = BLOCK_BOUND_S) -> Run:
    """A started run of ``level``; the caller stops it."""
    run: Run = (
        CoroutineRun(level) if level.kind == "coroutines" else ThreadRun(level, block_bound_s)
    )
    try:
        run.start()
    except BaseException:
        run.stop()
        raise
    return run


def advance(run: Run, schedule: list[int]) -> bool:
    """Play ``schedule`` (0-based) on a started run, stopping early at a win; True if won."""
    if run.level.won(run.view()):
        return True
    for number, index in enumerate(schedule, 1):
        if not 0 <= index < run.threads:
            raise ValueError(f"step {number}: there is no thread {index + 1}")
        try:
            run.step(index)  # a thread that looked blocked gets a second look in there
        except ValueError as exc:
            raise ValueError(f"step {number}: {exc}") from None
        if run.level.won(run.view()):
            return True
    return False


def state_of(run: Run) -> dict[str, Any]:
    """The watched globals of the program, JSON-safe."""
    return {name: plain(run.ns.get(name)) for name in run.level.watch}


def result_of(run: Run, won: bool) -> dict[str, Any]:
    """The twin's JSON object for a played schedule."""
    view = run.view()
    return {
        "level": run.level.id,
        "won": won,
        "over": view.over,
        "stuck": view.stuck,
        "schedule": [r.thread + 1 for r in run.history],
        "state": state_of(run),
        "threads": [
            {"thread": i + 1, "status": run.status(i), "line": run.line_of(i)}
            for i in range(run.threads)
        ],
        "errors": {str(i + 1): text for i, text in sorted(run.errors.items())},
        "steps": [r.as_json() for r in run.history],
    }


def play(level: Level, schedule: list[int], block_bound_s: float = BLOCK_BOUND_S) -> dict[str, Any]:
    """Replay ``schedule`` (0-based) on fresh threads; every thread is ended before returning."""
    run = new_run(level, block_bound_s)
    try:
        won = advance(run, schedule)
        return result_of(run, won)
    finally:
        if not run.stop():
            raise RuntimeError(f"{run.alive_threads()} level thread(s) did not end")


def search(level: Level, bound: int, block_bound_s: float = BLOCK_BOUND_S) -> dict[str, Any]:
    """Try every schedule of at most ``bound`` steps: is there a win, and which is the shortest?

    Depth first; a run goes on into its first choice and every other choice replays its prefix on
    fresh threads. A schedule ends at a win, when no thread can step, or at the bound.
    """
    started = time.monotonic()
    searched = cut = 0
    shortest: list[int] | None = None

    def explore(prefix: list[int], run: Run) -> None:
        nonlocal searched, cut, shortest
        try:
            won = run.level.won(run.view())
            choices = run.steppable()
        except BaseException:
            run.stop()
            raise
        limit = bound if shortest is None else min(bound, len(shortest) - 1)
        if won or not choices or len(prefix) >= limit:
            searched += 1
            if won and (shortest is None or len(prefix) < len(shortest)):
                shortest = list(prefix)
            elif not won and choices and len(prefix) >= bound:
                cut += 1  # unexplored beyond the bound: the search proves nothing past it
            _stop(run)
            return
        for k, choice in enumerate(choices):
            if k > 0:
                run = new_run(level, block_bound_s)
                advance_exact(run, prefix)
            try:
                run.step(choice)
            except BaseException:
                run.stop()
                raise
            explore([*prefix, choice], run)

    explore([], new_run(level, block_bound_s))
    return {
        "level": level.id,
        "bound": bound,
        "searched": searched,
        "cut_by_bound": cut,
        "complete": cut == 0,
        "winnable": shortest is not None,
        "shortest": [i + 1 for i in shortest] if shortest is not None else None,
        "seconds": round(time.monotonic() - started, 2),
    }


def advance_exact(run: Run, prefix: list[int]) -> None:
    """Replay a prefix the search has already played once (so every step is allowed)."""
    try:
        for index in prefix:
            run.step(index)
    except BaseException:
        run.stop()
        raise


def _stop(run: Run) -> None:
    if not run.stop():
        raise RuntimeError(f"{run.alive_threads()} level thread(s) did not end")
