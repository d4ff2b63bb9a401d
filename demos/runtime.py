"""Workers of three kinds behind one interface, and a Run that owns a group of them.

- ThreadWorker: a ``threading.Thread`` in the current process (in the app: the lab process).
- ProcessWorker: a ``spawn``-context process that reports over its own socket.
- TaskWorker: an asyncio task in the caller's running loop.

All honour the same Control (pause at step boundaries, cancel at checkpoints). Join and cancel
take deadlines; past a deadline the owner escalates: processes are terminated, then killed, and
the report says so. Threads cannot be killed; their owner (the GUI) replaces the whole lab process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from demos import workloads
from demos.context import (
    CONTROL_SIZE,
    Cancelled,
    Control,
    WorkerContext,
    WorkerFn,
    lower_priority,
    run_worker,
)
from demos.events import Kind, Lane, State, now_ns
from demos.transport import Sink, SocketSink

SPAWN = multiprocessing.get_context("spawn")
TERMINATE_GRACE_S = 1.0


@dataclass(frozen=True)
class WorkerSpec:
    """What to run: a module-level function (picklable, for processes) and its parameters."""

    name: str
    fn: WorkerFn
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """How a worker ended."""

    state: State = State.NEW
    message: str = ""
    end_ns: int = 0
    work_s: float = 0.0  # see WorkerContext.work_s


class Worker:
    """The interface every kind shares."""

    kind: Kind

    def __init__(self, spec: WorkerSpec, lane_id: int, sink: Sink, control: Control) -> None:
        self.spec = spec
        self.lane_id = lane_id
        self.sink = sink
        self.control = control
        self.outcome = Outcome()
        sink.announce(Lane(lane_id, self.kind, spec.name, 0))
        sink.emit((now_ns(), lane_id, int(State.NEW), "created"))

    def start(self) -> None:
        """Begin running."""
        raise NotImplementedError

    def is_alive(self) -> bool:
        """True until the worker has ended."""
        raise NotImplementedError

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; True if it ended."""
        raise NotImplementedError

    def escalate(self) -> str | None:
        """Force the end after a missed deadline; returns what was done, if anything."""
        return None


class ThreadWorker(Worker):
    """A thread in this process."""

    kind = Kind.THREAD

    def __init__(self, spec: WorkerSpec, lane_id: int, sink: Sink, control: Control) -> None:
        super().__init__(spec, lane_id, sink, control)
        self._thread = threading.Thread(target=self._main, name=spec.name, daemon=True)

    def _main(self) -> None:
        ident = threading.get_native_id()
        self.sink.announce(Lane(self.lane_id, self.kind, self.spec.name, ident))
        ctx = WorkerContext(self.lane_id, self.sink, self.control)
        state, message = run_worker(ctx, self.spec.fn, self.spec.params)
        self.outcome = Outcome(state, message, now_ns(), ctx.work_s)

    def start(self) -> None:
        """Start the thread (emits READY: runnable, waiting for its first turn)."""
        self.sink.emit((now_ns(), self.lane_id, int(State.READY), "Thread.start()"))
        self._thread.start()

    def is_alive(self) -> bool:
        """``Thread.is_alive()``."""
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """``Thread.join(timeout)``."""
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()


RESULT_STATE, RESULT_WORK_S = 0, 1  # slots of the shared result a worker process fills


def _process_main(
    spec: WorkerSpec,
    lane_id: int,
    channel: tuple[Any, ...],
    flags: Any,
    result: Any,
    calibration: float,
) -> None:
    """Entry point of a worker process (module level so ``spawn`` can find it).

    ``channel`` is ``("socket", sock)`` (events and messages over a socket, for owners that
    read sockets) or ``("ring", buffer, start)`` (events into the lab's shared ring).
    """
    import os

    from demos.ring import RingSink, RingWriter

    lower_priority()
    workloads.set_calibration(calibration)
    if channel[0] == "ring":
        sink: Sink = RingSink(RingWriter(channel[1], channel[2]))
    else:
        sink = SocketSink(channel[1])
        sink.start_idle_flusher()  # covers quiet periods, such as a worker stuck in a long call
    sink.announce(Lane(lane_id, Kind.PROCESS, spec.name, os.getpid()))
    ctx = WorkerContext(lane_id, sink, Control(flags))
    state, message = run_worker(ctx, spec.fn, spec.params)
    result[RESULT_STATE] = int(state)
    result[RESULT_WORK_S] = ctx.work_s
    if isinstance(sink, SocketSink):
        sink.send("outcome", (lane_id, int(state), message, now_ns(), ctx.work_s))
        sink.close()


class ProcessWorker(Worker):
    """A spawned process. It writes the owner's shared ring when the owner's sink has one (the
    lab), otherwise its own socket, whose owner end is ``reader``."""

    kind = Kind.PROCESS

    def __init__(self, spec: WorkerSpec, lane_id: int, sink: Sink, control: Control) -> None:
        super().__init__(spec, lane_id, sink, control)
        self._ring = getattr(sink, "ring", None)
        self.reader: socket.socket | None = None
        self._child_end: socket.socket | None = None
        if self._ring is None:
            self.reader, self._child_end = socket.socketpair()
        self._result = SPAWN.RawArray("d", 2)  # state and work_s, written by the child
        self._process: multiprocessing.process.BaseProcess | None = None

    @property
    def pid(self) -> int | None:
        """The worker's pid once started."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Spawn the process."""
        self.sink.emit((now_ns(), self.lane_id, int(State.READY), "Process.start() (spawn)"))
        if self._ring is not None:
            channel: tuple[Any, ...] = (
                "ring",
                self._ring.buffer,
                self._ring.hand_over(self.lane_id),
            )
        else:
            channel = ("socket", self._child_end)
        self._process = SPAWN.Process(
            target=_process_main,
            args=(
                self.spec,
                self.lane_id,
                channel,
                self.control.flags,
                self._result,
                workloads.iterations_per_ms(),
            ),
            name=self.spec.name,
            daemon=True,
        )
        self._process.start()
        if self._child_end is not None:
            self._child_end.close()

    def is_alive(self) -> bool:
        """``Process.is_alive()``."""
        return self._process is not None and self._process.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """``Process.join(timeout)``."""
        if self._process is None or self._process.pid is None:
            return True  # never started
        self._process.join(timeout)
        ended = self._process.exitcode is not None
        if ended and self.outcome.state is State.NEW:
            self._note_exit()
        return ended

    def _note_exit(self) -> None:
        assert self._process is not None
        if self._ring is not None:
            self._ring.take_back(self.lane_id)  # this process writes the lane's region again
        code = self._process.exitcode
        work_s = float(self._result[RESULT_WORK_S])
        if code == 0:
            state = State(int(self._result[RESULT_STATE]) or int(State.DONE))
            self.outcome = Outcome(state, "", now_ns(), work_s)
        else:
            message = f"process exited with code {code}"
            self.outcome = Outcome(State.FAILED, message, now_ns(), work_s)
            if code < 0 or self._result[RESULT_STATE] == 0:
                # Killed or crashed before it could say so: the lane says it here.
                self.sink.emit((now_ns(), self.lane_id, int(State.FAILED), message))

    def escalate(self) -> str | None:
        """Terminate, then kill if it still lives."""
        if self._process is None or not self._process.is_alive():
            return None
        self._process.terminate()
        self._process.join(TERMINATE_GRACE_S)
        action = "terminated"
        if self._process.is_alive():
            self._process.kill()
            self._process.join(TERMINATE_GRACE_S)
            action = "killed"
        if self._ring is not None:
            self._ring.take_back(self.lane_id)
        detail = f"{action} after missing its deadline"
        self.outcome = Outcome(State.CANCELLED, detail, now_ns())
        self.sink.emit((now_ns(), self.lane_id, int(State.CANCELLED), detail))
        return f"{self.spec.name} (pid {self._process.pid}) {detail}"

    def close(self) -> None:
        """Release the process object and the owner's socket end."""
        if self.reader is not None:
            self.reader.close()
        process = self._process
        if process is not None and process.pid is not None and not process.is_alive():
            process.close()


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


_KINDS: dict[Kind, type[Worker]] = {
    Kind.THREAD: ThreadWorker,
    Kind.PROCESS: ProcessWorker,
    Kind.TASK: TaskWorker,
}


@dataclass
class StopReport:
    """What a join or cancel achieved before its deadline, and what had to be forced."""

    ended: bool
    waited_s: float
    escalations: list[str] = field(default_factory=list)


class Run:
    """A group of workers of one kind started together, with shared controls."""

    def __init__(
        self,
        kind: Kind,
        specs: list[WorkerSpec],
        sink: Sink,
        control: Control | None = None,
        first_lane_id: int = 0,
    ) -> None:
        if control is None:
            flags = SPAWN.RawArray("b", CONTROL_SIZE) if kind is Kind.PROCESS else None
            control = Control(flags)
        self.control = control
        self.sink = sink
        workloads.iterations_per_ms()  # calibrate now, alone, not inside racing workers
        cls = _KINDS[kind]
        self.workers = [cls(spec, first_lane_id + i, sink, control) for i, spec in enumerate(specs)]
        self.t_start_ns = 0

    def start(self) -> None:
        """Start every worker."""
        self.t_start_ns = now_ns()
        for worker in self.workers:
            worker.start()

    def pause(self) -> None:
        """Hold every worker at its next step boundary."""
        self.control.pause()

    def resume(self) -> None:
        """Let every worker go on."""
        self.control.resume()

    def alive(self) -> int:
        """How many workers have not ended."""
        return sum(w.is_alive() for w in self.workers)

    def join(self, timeout_s: float) -> StopReport:
        """Join all workers within one shared deadline; escalate those that miss it."""
        t0 = time.perf_counter()
        deadline = t0 + timeout_s
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.perf_counter()))
        escalations = [e for w in self.workers if w.is_alive() and (e := w.escalate())]
        for worker in self.workers:
            worker.join(0.0)
        return StopReport(self.alive() == 0, time.perf_counter() - t0, escalations)

    def cancel(self, timeout_s: float) -> StopReport:
        """Ask every worker to stop, then join with a deadline (escalating past it)."""
        self.control.cancel()
        return self.join(timeout_s)

    async def join_async(self, timeout_s: float) -> StopReport:
        """For task workers: await all within one deadline, then escalate."""
        t0 = time.perf_counter()
        tasks = [w.task for w in self.workers if isinstance(w, TaskWorker) and w.task]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)
        escalations = [e for w in self.workers if w.is_alive() and (e := w.escalate())]
        if escalations and tasks:
            await asyncio.wait(tasks, timeout=1.0)
        return StopReport(self.alive() == 0, time.perf_counter() - t0, escalations)

    def work_s(self) -> float:
        """Work done by all workers (see WorkerContext.work_s): the sequential time."""
        return sum(w.outcome.work_s for w in self.workers)

    def t_end_ns(self) -> int:
        """When the last worker ended (0 while any runs)."""
        ends = [w.outcome.end_ns for w in self.workers]
        return max(ends) if ends and all(ends) else 0

    def close(self) -> None:
        """Release OS resources held for process workers."""
        for worker in self.workers:
            if isinstance(worker, ProcessWorker):
                worker.close()
