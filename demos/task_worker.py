"""The coroutine kind of worker: an asyncio task in the caller's running loop, with a context
whose waits and step boundaries are awaits, so the loop stays free.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from demos.context import Cancelled, Control, WorkerContext
from demos.events import Kind, State, now_ns
from demos.transport import Sink
from demos.worker import Outcome, Worker, WorkerSpec


class TaskContext(WorkerContext):
    """A WorkerContext whose waits are awaits, for coroutine workers."""

    async def asleep(self, seconds: float, detail: str = "await asyncio.sleep") -> None:
        """Await like I/O does; cancel at the next poll."""
        self.emit(State.WAITING, detail)
        deadline = time.perf_counter() + seconds * self.control.stretch
        while (left := deadline - time.perf_counter()) > 0:
            if self.control.cancelled:
                raise Cancelled
            await asyncio.sleep(min(left, 0.05))

    async def acheckpoint(self) -> None:
        """Step boundary for tasks: pause by awaiting, so the loop stays free."""
        if self.control.cancelled:
            raise Cancelled
        if self.control.paused:
            previous = self.state
            self.emit(State.PAUSED, "paused at a step boundary")
            # The flags may live in shared memory written by another process: poll them.
            while self.control.paused and not self.control.cancelled:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            if self.control.cancelled:
                raise Cancelled
            self.emit(previous, "resumed")


class TaskWorker(Worker):
    """An asyncio task in the running loop; ``spec.fn`` is ``async def fn(ctx, **params)``."""

    kind = Kind.TASK

    def __init__(self, spec: WorkerSpec, lane_id: int, sink: Sink, control: Control) -> None:
        super().__init__(spec, lane_id, sink, control)
        self.task: asyncio.Task[None] | None = None  # a strong reference, as qasync needs

    def start(self) -> None:
        """Create the task in the running loop."""
        self.sink.emit((now_ns(), self.lane_id, int(State.READY), "asyncio.create_task()"))
        self.task = asyncio.get_running_loop().create_task(self._main(), name=self.spec.name)

    async def _main(self) -> None:
        ctx = TaskContext(self.lane_id, self.sink, self.control)
        fn: Callable[..., Awaitable[Any]] = self.spec.fn
        try:
            await ctx.acheckpoint()
            ctx.emit(State.RUNNING, "started")
            await fn(ctx, **self.spec.params)
        except (Cancelled, asyncio.CancelledError):
            ctx.emit(State.CANCELLED, "cancelled")
            self.outcome = Outcome(State.CANCELLED, "", now_ns(), ctx.work_s)
            return
        except Exception as exc:  # noqa: BLE001 - shown as FAILED, not raised into the loop
            ctx.emit(State.FAILED, f"{type(exc).__name__}: {exc}")
            message = f"{type(exc).__name__}: {exc}"
            self.outcome = Outcome(State.FAILED, message, now_ns(), ctx.work_s)
            return
        ctx.emit(State.DONE, "returned")
        self.outcome = Outcome(State.DONE, "", now_ns(), ctx.work_s)

    def is_alive(self) -> bool:
        """True until the task is done."""
        return self.task is not None and not self.task.done()

    def join(self, timeout: float | None = None) -> bool:
        """Tasks are awaited, not joined: see :meth:`join_async`."""
        raise RuntimeError("a TaskWorker is awaited with join_async() inside its loop")

    async def join_async(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Await the task up to ``timeout`` seconds; True if it ended."""
        if self.task is None:
            return True
        done, _ = await asyncio.wait({self.task}, timeout=timeout)
        return bool(done)

    def escalate(self) -> str | None:
        """``Task.cancel()``: raises CancelledError at the task's current await."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            return f"{self.spec.name}: Task.cancel() after missing its deadline"
        return None
