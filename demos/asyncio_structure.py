"""Structured asyncio: TaskGroup against gather when a task fails, asyncio.timeout, and
cancellation reaching ``finally`` with ``shield`` protecting an inner task.

Each scenario draws its tasks on a :class:`~demos.asyncio_board.Board` and returns its typed
result; ``demos.asyncio_modern`` runs them (terminal twin and tab).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from demos.asyncio_board import Board
from demos.asyncio_results import CancelResult, TaskGroupResult, TimeoutResult
from demos.events import State

CLEANUP_S = 0.05  # what each finally awaits: long enough to see on the timeline


class Failure(Exception):
    """The one task's deliberate error."""


async def _sibling(board: Board, lane: int, io_s: float, fail_at_s: float | None) -> None:
    """Await ``io_s`` (or fail after ``fail_at_s``), drawing each outcome on the lane."""
    try:
        if fail_at_s is not None:
            board.set(lane, State.WAITING, f"await asyncio.sleep({fail_at_s:g}), then raise")
            await asyncio.sleep(fail_at_s)
            raise Failure(f"task 1 failed after {fail_at_s * 1000:.0f} ms")
        board.set(lane, State.WAITING, f"await asyncio.sleep({io_s:g})")
        await asyncio.sleep(io_s)
    except asyncio.CancelledError:
        board.set(lane, State.CANCELLED, "CancelledError at its await")
        raise
    except Exception as exc:
        board.set(lane, State.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    board.set(lane, State.DONE, "returned")


def group_text(group: BaseExceptionGroup[Any]) -> str:
    """An exception group as its first line and one line per sub-exception."""
    lines = [f"{type(group).__name__}: {group}"]
    lines += [f"  {type(e).__name__}: {e}" for e in group.exceptions]
    return "\n".join(lines)


async def taskgroup(board: Board, tasks: int, io_s: float, fail_at_s: float) -> TaskGroupResult:
    """``tasks`` tasks under a TaskGroup and as many under gather, the first of each failing."""
    t0 = time.perf_counter()
    group_lanes = [board.lane(f"TaskGroup: task {i + 1}") for i in range(tasks)]
    gather_lanes = [board.lane(f"gather: task {i + 1}") for i in range(tasks)]
    texts = {"group": "", "gather": ""}

    async def with_taskgroup() -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                for i, lane in enumerate(group_lanes):
                    tg.create_task(_sibling(board, lane, io_s, fail_at_s if i == 0 else None))
        except* Failure as group:
            texts["group"] = group_text(group)

    async def with_gather() -> None:
        loop = asyncio.get_running_loop()
        running = [
            loop.create_task(_sibling(board, lane, io_s, fail_at_s if i == 0 else None))
            for i, lane in enumerate(gather_lanes)
        ]
        try:
            await asyncio.gather(*running)
        except Failure as exc:
            texts["gather"] = f"{type(exc).__name__}: {exc}"
        finally:
            # gather raised; its siblings were never told. Await them, so the lanes show it
            # (and none outlives the run): a Cancel here cancels them all.
            try:
                await asyncio.wait(running)
            finally:
                for task in running:
                    task.cancel()

    await asyncio.gather(with_taskgroup(), with_gather())
    states_g = [board.state(lane) for lane in group_lanes[1:]]
    states_a = [board.state(lane) for lane in gather_lanes[1:]]
    return TaskGroupResult(
        tasks=tasks,
        taskgroup_cancelled=states_g.count(State.CANCELLED),
        taskgroup_done=states_g.count(State.DONE),
        gather_cancelled=states_a.count(State.CANCELLED),
        gather_done=states_a.count(State.DONE),
        exception_group=texts["group"],
        gather_error=texts["gather"],
        elapsed_s=round(time.perf_counter() - t0, 4),
    )


async def timeout(board: Board, io_s: float, deadline_s: float) -> TimeoutResult:
    """A slow await and a quick one, each inside ``asyncio.timeout(deadline_s)``."""
    slow = board.lane("slow: await inside asyncio.timeout")
    quick = board.lane("quick: await inside asyncio.timeout")
    fired = {"at": 0.0, "timed_out": False}

    async def slow_call() -> None:
        t0 = time.perf_counter()
        entered = f"async with asyncio.timeout({deadline_s:g}): sleep {io_s:g}"
        board.set(slow, State.WAITING, entered)
        try:
            async with asyncio.timeout(deadline_s):
                await asyncio.sleep(io_s)
        except TimeoutError:
            fired["at"] = time.perf_counter() - t0
            fired["timed_out"] = True
            board.set(slow, State.CANCELLED, f"TimeoutError after {fired['at'] * 1000:.1f} ms")
            return
        board.set(slow, State.DONE, "finished before the deadline")

    async def quick_call() -> None:
        wait_s = min(io_s, deadline_s / 2)
        board.set(quick, State.WAITING, f"async with asyncio.timeout({deadline_s:g}): {wait_s:g}")
        async with asyncio.timeout(deadline_s):
            await asyncio.sleep(wait_s)
        board.set(quick, State.DONE, "finished before the deadline")

    await asyncio.gather(slow_call(), quick_call())
    fired_ms = fired["at"] * 1000.0
    return TimeoutResult(
        deadline_ms=round(deadline_s * 1000.0, 1),
        fired_ms=round(fired_ms, 2),
        late_ms=round(fired_ms - deadline_s * 1000.0, 2) if fired["timed_out"] else 0.0,
        timed_out=bool(fired["timed_out"]),
        in_time_done=board.state(quick) is State.DONE,
    )


async def cancel(board: Board, tasks: int, io_s: float, cancel_at_s: float) -> CancelResult:
    """``tasks`` tasks cancelled mid-await, each cleaning up in ``finally``; and an outer task
    cancelled while it awaits ``asyncio.shield(inner)``."""
    lanes = [board.lane(f"task {i + 1}: try/finally") for i in range(tasks)]
    asked: dict[str, float] = {}
    reached: list[float] = []

    async def careful(lane: int) -> None:
        try:
            board.set(lane, State.WAITING, f"try: await asyncio.sleep({io_s:g})")
            await asyncio.sleep(io_s)
        finally:
            reached.append(time.perf_counter())
            board.set(lane, State.RUNNING, "finally: closing what it opened")
            await asyncio.sleep(CLEANUP_S)  # a cleanup may await (once: the cancel is spent)
            board.set(lane, State.CANCELLED if "t" in asked else State.DONE, "finally ran")

    inner_lane = board.lane("inner: shielded")
    outer_lane = board.lane("outer: await asyncio.shield(inner)")

    async def inner() -> str:
        board.set(inner_lane, State.WAITING, f"await asyncio.sleep({io_s:g})")
        await asyncio.sleep(io_s)
        board.set(inner_lane, State.DONE, "completed, shielded from the cancel")
        return "inner result"

    loop = asyncio.get_running_loop()
    inner_task = loop.create_task(inner())

    async def outer() -> None:
        board.set(outer_lane, State.BLOCKED, "await asyncio.shield(inner)")
        try:
            await asyncio.shield(inner_task)
        except asyncio.CancelledError:
            board.set(outer_lane, State.CANCELLED, "cancelled; the inner task goes on")
            raise
        board.set(outer_lane, State.DONE, "the inner task's result")

    running = [loop.create_task(careful(lane)) for lane in lanes]
    outer_task = loop.create_task(outer())
    try:
        await asyncio.sleep(cancel_at_s)
        board.mark("Task.cancel()")
        asked["t"] = time.perf_counter()
        for task in (*running, outer_task):
            task.cancel()
        await asyncio.wait((*running, outer_task, inner_task))
    finally:
        everyone: list[asyncio.Task[Any]] = [*running, outer_task, inner_task]
        for task in everyone:
            task.cancel()  # a Cancel of the whole scenario: nothing outlives it
    return CancelResult(
        tasks=tasks,
        cancelled=sum(t.cancelled() for t in running),
        finally_ran=len(reached),
        cancel_to_finally_ms=round(max((r - asked["t"]) * 1000.0 for r in reached), 2)
        if reached
        else 0.0,
        outer_cancelled=outer_task.cancelled(),
        inner_completed=inner_task.done()
        and not inner_task.cancelled()
        and inner_task.result() == "inner result",
    )
