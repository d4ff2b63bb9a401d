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
        """Await like I/O does, on the gate: Cancel ends it and Pause holds it at once (within the
        gate's poll); paused time does not count as time slept."""
        self.emit(State.WAITING, detail)
        control = self.control
        deadline = time.perf_counter() + seconds * control.stretch
        while await control.async_gate.wait_until(
            lambda: control.paused or control.cancelled, deadline
        ):
            if control.cancelled:
                raise Cancelled
            deadline += await self._ahold("paused in the middle of an await")

    async def acheckpoint(self) -> None:
        """Step boundary for tasks: pause by awaiting, so the loop stays free."""
        if self.control.cancelled:
            raise Cancelled
        await self._ahold("paused at a step boundary")

    async def _ahold(self, detail: str) -> float:
        """Await while Pause is on (the lane shows PAUSED), then go back to the state it was in;
        seconds held. Raises Cancelled if Cancel comes meanwhile."""
        control = self.control
        if not control.paused:
            return 0.0
        previous, start = self.state, time.perf_counter()
        self.emit(State.PAUSED, detail)
        await control.async_gate.wait_until(lambda: not control.paused or control.cancelled)
        if control.cancelled:
            raise Cancelled
        self.emit(previous, "resumed")
        return time.perf_counter() - start


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
