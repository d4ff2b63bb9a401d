"""The coroutines of the coroutines lesson: what each of the N tasks does, and how a lane shows
the state of the many tasks it stands for.

A lane (``band_worker``) gathers its tasks or awaits them in turn; each task (``run_member``)
optionally takes the semaphore, then awaits simulated I/O for a few steps, with an optional CPU
step (on the loop's thread or offloaded) and, for one task, the deliberate blocking call.
``demos.coroutines`` starts the lanes, measures the loop's lag and reports the figures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from demos import workloads
from demos.context import Cancelled, Control
from demos.events import Kind, Lane, State
from demos.task_worker import TaskContext

MAX_TASK_LANES = 64  # up to this many tasks, one lane each; beyond, tasks share band lanes
BAND_LANES = 32
BLOCKING_CALL_S = 1.0  # the blocking call's length: long enough to see, short enough to bear
# Band lanes show the "most active" state of their tasks, in this order.
_BAND_PRIORITY = (State.RUNNING, State.WAITING, State.BLOCKED, State.PAUSED, State.READY)


def bands(tasks: int) -> list[range]:
    """Task indices per lane: one task per lane up to MAX_TASK_LANES, else BAND_LANES bands."""
    if tasks <= MAX_TASK_LANES:
        return [range(i, i + 1) for i in range(tasks)]
    size = math.ceil(tasks / BAND_LANES)
    return [range(start, min(tasks, start + size)) for start in range(0, tasks, size)]


def band_name(members: range) -> str:
    """'task 7' or 'tasks 1-313' (1-based, as a person counts)."""
    first, last = members.start + 1, members.stop
    return f"task {first}" if first == last else f"tasks {first}-{last}"


@dataclass
class Shared:
    """What the tasks of one run share: settings, the semaphore, and what they measured."""

    params: dict[str, Any]
    control: Control
    semaphore: asyncio.Semaphore | None
    executor: concurrent.futures.ThreadPoolExecutor | None
    band_done: list[asyncio.Event]
    threads: set[int] = field(default_factory=set)
    offload_threads: set[int] = field(default_factory=set)
    work_s: float = 0.0
    member_tasks: list[asyncio.Task[None]] = field(default_factory=list)


class BandState:
    """Counts the states of a lane's tasks and emits the lane's state only when it changes."""

    def __init__(self, ctx: TaskContext, size: int) -> None:
        self.ctx = ctx
        self.size = size
        self.counts = [0] * len(State)
        self.counts[State.READY] = size
        self.shown = ctx.state

    def move(self, old: State, new: State, detail: str) -> None:
        """One task went from ``old`` to ``new``; re-derive the lane's state."""
        counts = self.counts
        counts[old] -= 1
        counts[new] += 1
        state = next((s for s in _BAND_PRIORITY if counts[s]), None)
        if state is None or state == self.shown:
            return  # all ended (the worker emits DONE/CANCELLED) or nothing visible changed
        self.shown = state
        if self.size > 1:
            busy = (State.RUNNING, State.WAITING, State.BLOCKED, State.PAUSED)
            detail = ", ".join(f"{counts[s]} {s.name.lower()}" for s in busy if counts[s])
            detail += f" (of {self.size} tasks)"
        self.ctx.emit(state, detail)


class Member:
    """One of the N coroutines: its state within its lane."""

    __slots__ = ("band", "index", "state")

    def __init__(self, index: int, band: BandState) -> None:
        self.index = index
        self.band = band
        self.state = State.READY

    def move(self, state: State, detail: str = "") -> None:
        """Record a transition (the lane hears about it only if the lane's state changes)."""
        self.band.move(self.state, state, detail)
        self.state = state


def _cpu_step(iterations: int) -> tuple[int, float]:
    """Pure-Python work; returns the thread it ran on and the CPU seconds it used."""
    start = time.thread_time()
    workloads.spin(iterations)
    return threading.get_native_id(), time.thread_time() - start


async def _checkpoint(member: Member, control: Control) -> None:
    """Step boundary: stop if cancelled, hold (by awaiting) while paused."""
    await _hold(member, control, "paused at a step boundary")
    if control.cancelled:
        raise Cancelled


async def _hold(member: Member, control: Control, detail: str) -> float:
    """Await while Pause is on (the task counts as PAUSED); seconds held. One timer polls the
    flags for every held task (see demos.async_gate), not each task on its own."""
    if not control.paused or control.cancelled:
        return 0.0
    previous, start = member.state, time.perf_counter()
    member.move(State.PAUSED, detail)
    await control.async_gate.wait_until(lambda: not control.paused or control.cancelled)
    member.move(previous, "resumed")
    return time.perf_counter() - start


async def _io(member: Member, control: Control, seconds: float) -> None:
    """``await asyncio.sleep(seconds)`` that Pause holds at once (paused time is not counted as
    waited) and Cancel ends at once, however long the wait."""
    deadline = time.perf_counter() + seconds
    while await control.async_gate.wait_until(
        lambda: control.paused or control.cancelled, deadline
    ):
        if control.cancelled:
            raise Cancelled
        deadline += await _hold(member, control, "paused in the middle of an await")


async def _steps(member: Member, shared: Shared) -> None:
    params = shared.params
    steps, io_s = params["steps"], params["io_ms"] / 1000.0
    for step in range(steps):
        await _checkpoint(member, shared.control)
        label = f"task {member.index + 1}, step {step + 1}/{steps}"
        shared.threads.add(threading.get_native_id())
        if params["blocking"] and member.index == 0 and step == 0:
            # The mistake on purpose: a synchronous call holds the loop's only thread.
            member.move(State.RUNNING, f"{label}: time.sleep({BLOCKING_CALL_S:g}), loop stuck")
            t0 = time.perf_counter()
            time.sleep(BLOCKING_CALL_S)  # noqa: ASYNC251 - this is the lesson
            shared.work_s += time.perf_counter() - t0
        else:
            member.move(State.WAITING, f"{label}: await asyncio.sleep({io_s:g})")
            await _io(member, shared.control, io_s)
            shared.work_s += io_s  # as asked: a late wake-up is the loop's lag, not work
        if step == 0 and params["cpu_ms"]:
            await _cpu(member, shared, label)


async def _cpu(member: Member, shared: Shared, label: str) -> None:
    iterations = int(shared.params["cpu_ms"] * workloads.iterations_per_ms())
    if shared.executor is not None:
        member.move(State.WAITING, f"{label}: await run_in_executor(CPU step)")
        loop = asyncio.get_running_loop()
        ident, cpu_s = await loop.run_in_executor(shared.executor, _cpu_step, iterations)
        shared.offload_threads.add(ident)
    else:
        member.move(State.RUNNING, f"{label}: CPU step on the loop's thread")
        _, cpu_s = _cpu_step(iterations)
    shared.work_s += cpu_s


async def run_member(member: Member, shared: Shared) -> None:
    """One coroutine: optionally wait for the semaphore, then its steps."""
    try:
        if shared.semaphore is not None:
            member.move(State.BLOCKED, f"task {member.index + 1}: async with semaphore")
            async with shared.semaphore:
                await _steps(member, shared)
        else:
            await _steps(member, shared)
    except (Cancelled, asyncio.CancelledError):
        member.move(State.CANCELLED, "cancelled")
        raise
    except Exception as exc:
        member.move(State.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    member.move(State.DONE, "returned")


async def band_worker(ctx: TaskContext, name: str, members: range, shared: Shared) -> None:
    """One lane's worth of tasks: gathered together, or awaited one after another."""
    # The lane's OS identity is the thread the loop runs on: the same for every lane.
    ctx.sink.announce(Lane(ctx.lane_id, Kind.TASK, name, threading.get_native_id()))
    band = BandState(ctx, len(members))
    mine = [Member(i, band) for i in members]
    number = ctx.lane_id
    try:
        if shared.params["mode"] == "sequential":
            if number > 0:  # lanes take turns too: `for coro in coros: await coro` overall
                ctx.emit(State.BLOCKED, f"awaiting the tasks before {name}")
                await shared.band_done[number - 1].wait()
                ctx.emit(State.RUNNING, "its turn")
            for member in mine:
                await run_member(member, shared)
        elif len(mine) == 1:
            await run_member(mine[0], shared)
        else:
            loop = asyncio.get_running_loop()
            tasks = [
                loop.create_task(run_member(m, shared), name=f"task {m.index + 1}") for m in mine
            ]
            shared.member_tasks.extend(tasks)  # strong references, as qasync needs
            try:
                await asyncio.gather(*tasks)
            finally:
                # One task raising leaves its siblings running under gather: stop them here.
                pending = [t for t in tasks if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending)
    finally:
        shared.band_done[number].set()
