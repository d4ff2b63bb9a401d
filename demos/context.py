"""What a running worker sees: its lane, its sink, and the cooperative controls.

Pause and cancel are flags in a small byte buffer. For threads in the lab process and for worker
processes that buffer is shared memory written directly by the owner (the GUI), so a pause or a
cancel never waits for a command thread to win the GIL inside a busy lab.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, MutableSequence
from typing import TYPE_CHECKING, Any

from demos import gil_slices, workloads
from demos.events import Kind, Lane, State, now_ns
from demos.gate import Gate
from demos.protocol import Msg
from demos.transport import Sink

if TYPE_CHECKING:
    from demos.async_gate import AsyncGate

PAUSE_FLAG = 0
CANCEL_FLAG = 1
SLOW_MOTION_FLAG = 2  # time scale in percent (10-100); 0 means full speed
# A command for the lab's main thread gets a ticket (1-127, in turn); the main thread notes the
# last ticket it took. It needs the GIL to take a command, and queues for it behind every busy
# worker thread: measured with 64 CPU threads, Join showed on the lab's MainThread 87-468 ms
# after it was sent. So computing threads of the lab step aside (wait on the gate) while a
# ticket is not taken yet.
ASKED_FLAG = 3
TAKEN_FLAG = 4
CONTROL_SIZE = 5
WATCHED = (PAUSE_FLAG, CANCEL_FLAG, ASKED_FLAG, TAKEN_FLAG)  # a change ends a wait on the gate
ASIDE_MAX_S = 0.1  # a worker steps aside at most this long per ticket, whatever happens
POLL_S = 0.01  # how often the lessons' own wait loops look at the flags
# A computing worker looks at the flags this often. Measured through the lab, 64 CPU threads:
# Pause reached the last one after 64 chunk remainders, one thread after another (the GIL):
# 33-73 ms median with 2 ms chunks.
CPU_CHUNK_MS = 0.5


WORKER_NICENESS = 5  # lab and worker processes yield the CPU to the GUI when both want it


def lower_priority() -> None:
    """Run this process below the GUI's priority, so the window stays smooth under load.

    Measured: with 32 busy lab threads, 1 in 100 GUI ticks came 17-19 ms late at equal priority.
    Workers still get every idle core; they only wait while the GUI itself needs the CPU.
    """
    try:
        import psutil

        proc = psutil.Process()
        if hasattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS"):  # Windows
            proc.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            proc.nice(max(proc.nice(), WORKER_NICENESS))
    except (OSError, ImportError):
        pass  # not allowed here: run at normal priority


class Cancelled(Exception):
    """Raised inside a worker at a checkpoint once cancel was asked for."""


class Control:
    """Pause and cancel flags over any mutable byte buffer (bytearray or shared RawArray)."""

    def __init__(self, flags: MutableSequence[int] | None = None) -> None:
        self.flags: MutableSequence[int] = flags if flags is not None else bytearray(CONTROL_SIZE)
        # True in the lab only: its computing threads step aside for its main thread's commands.
        self.serves_commands = False
        # Where this process's workers wait for the flags to change (see demos.gate).
        self.gate = Gate(self.flags, WATCHED)
        self._async_gate: AsyncGate | None = None

    @property
    def async_gate(self) -> AsyncGate:
        """The gate coroutines await on; made on first use, so that processes running no
        coroutine never import asyncio."""
        if self._async_gate is None:
            from demos.async_gate import AsyncGate

            self._async_gate = AsyncGate(self.flags, WATCHED)
        return self._async_gate

    @property
    def paused(self) -> bool:
        """True while workers should hold at their next step boundary."""
        return bool(self.flags[PAUSE_FLAG])

    @property
    def cancelled(self) -> bool:
        """True once workers should stop at their next checkpoint."""
        return bool(self.flags[CANCEL_FLAG])

    def pause(self) -> None:
        """Ask workers to hold at their next step boundary."""
        self.flags[PAUSE_FLAG] = 1
        self.gate.wake_all()

    def resume(self) -> None:
        """Let paused workers go on."""
        self.flags[PAUSE_FLAG] = 0
        self.gate.wake_all()

    def cancel(self) -> None:
        """Ask workers to stop at their next checkpoint."""
        self.flags[CANCEL_FLAG] = 1
        self.gate.wake_all()

    def clear(self) -> None:
        """Back to running, for the next run (slow motion is a setting and stays)."""
        self.flags[PAUSE_FLAG] = 0
        self.flags[CANCEL_FLAG] = 0
        self.gate.wake_all()

    def call_attention(self) -> None:
        """A command is on its way to the lab's main thread: a new ticket asks its computing
        threads to let that thread have the GIL (the sender calls this just before sending)."""
        self.flags[ASKED_FLAG] = self.flags[ASKED_FLAG] % 127 + 1

    def attended(self) -> None:
        """The lab's main thread has taken the command: threads that stepped aside go on."""
        if self.flags[TAKEN_FLAG] != self.flags[ASKED_FLAG]:
            self.flags[TAKEN_FLAG] = self.flags[ASKED_FLAG]
            self.gate.wake_all()

    def set_time_scale(self, scale: float) -> None:
        """Slow motion for presenters: 0.1 runs ten times slower, 1.0 at full speed."""
        percent = round(min(1.0, max(0.1, scale)) * 100)
        self.flags[SLOW_MOTION_FLAG] = 0 if percent >= 100 else percent

    @property
    def stretch(self) -> float:
        """How many times longer sleeps and steps take (1.0 at full speed)."""
        percent = self.flags[SLOW_MOTION_FLAG]
        return 100.0 / percent if percent else 1.0


class WorkerContext:
    """Handed to every worker function: emit states, sleep, compute, and honour the controls."""

    def __init__(self, lane_id: int, sink: Sink, control: Control) -> None:
        self.lane_id = lane_id
        self.sink = sink
        self.control = control
        self.state = State.NEW
        self._ticket = 0  # the last attention ticket this worker stepped aside for
        # Seconds of work actually done: slept time plus this thread's CPU time while computing.
        # Summed over workers it is the "one after another" time, measured, not assumed.
        self.work_s = 0.0
        self.slices = gil_slices.SliceTally()  # running / waiting / hand-offs of CPU steps

    def emit(self, state: State, detail: str = "") -> None:
        """Record a state transition (cheap: one tuple handed to the sink)."""
        self.state = state
        self.sink.emit((now_ns(), self.lane_id, int(state), detail))

    def report(self, name: str, value: Any, t_ns: int | None = None) -> None:
        """Send a figure as a typed value (JSON-able data), stamped now (or ``t_ns``) on this lane.

        A message, not an event: report on change, and at a modest rate (tens per second).
        """
        stamp = now_ns() if t_ns is None else t_ns
        self.sink.send(Msg.VALUE, (stamp, self.lane_id, name, value))

    def checkpoint(self) -> None:
        """Step boundary: stop here if cancelled, hold here while paused."""
        if self.control.cancelled:
            raise Cancelled
        self._hold_while_paused("paused at a step boundary")

    def _hold_while_paused(self, detail: str) -> float:
        """Hold while Pause is on (the lane shows PAUSED), then go back to the state it was in;
        seconds held. Raises Cancelled if Cancel comes meanwhile."""
        control = self.control
        if not control.paused:
            return 0.0
        previous, start = self.state, time.perf_counter()
        self.emit(State.PAUSED, detail)
        control.gate.wait_until(
            lambda: not control.paused or control.cancelled, tick=self.sink.flush_if_due
        )
        if control.cancelled:
            raise Cancelled
        self.emit(previous, "resumed")
        return time.perf_counter() - start

    def sleep(self, seconds: float, detail: str = "time.sleep") -> None:
        """Wait like I/O does (the GIL is released) on the gate, so Cancel ends it and Pause holds
        it at once (within the gate's poll); paused time does not count as time slept."""
        self.emit(State.WAITING, detail)
        control = self.control
        start = time.perf_counter()
        deadline = start + seconds * control.stretch
        held = 0.0
        while True:
            if control.cancelled:
                raise Cancelled
            if control.paused:
                paused = self._hold_while_paused("paused in the middle of a sleep")
                held += paused
                deadline += paused
                continue
            interrupted = control.gate.wait_until(
                lambda: control.paused or control.cancelled, deadline, self.sink.flush_if_due
            )
            if not interrupted:
                self.work_s += time.perf_counter() - start - held
                return

    def compute(self, milliseconds: float, detail: str = "pure-Python arithmetic") -> None:
        """Do a calibrated amount of pure-Python work, looking at Cancel and Pause every few ms
        (so a long step stops or holds at once, not at its end). After each chunk it notices
        when its thread did not run and shows that gap as READY (see demos.gil_slices)."""
        self.emit(State.RUNNING, detail)
        per_ms = workloads.iterations_per_ms()
        # Slow motion means more of the same work: the GIL story stays true, only longer.
        total = int(milliseconds * self.control.stretch * per_ms)
        chunk = max(1, int(CPU_CHUNK_MS * per_ms))
        done = 0
        flush_if_due = self.sink.flush_if_due
        control = self.control
        flags, aside = control.flags, control.serves_commands
        watch = gil_slices.watch(self.sink.emit, self.lane_id, detail, self.slices, 1e6 / per_ms)
        cpu_start = time.thread_time()
        try:
            while done < total:
                if control.cancelled:
                    raise Cancelled
                if control.paused:
                    self._hold_while_paused("paused in the middle of a computation")
                    watch.restart()
                if aside and flags[ASKED_FLAG] not in (flags[TAKEN_FLAG], self._ticket):
                    self._step_aside()
                    watch.restart()
                flush_if_due()  # the thread holding the GIL delivers what others emitted
                n = min(chunk, total - done)
                workloads.spin(n)
                done += n
                watch.check(n)
        finally:
            self.work_s += time.thread_time() - cpu_start

    def _step_aside(self) -> None:
        """Wait (GIL released) until the lab's main thread has taken its command, or Pause or
        Cancel comes, or ASIDE_MAX_S passed; once per ticket."""
        control = self.control
        flags = control.flags
        self._ticket, taken = flags[ASKED_FLAG], flags[TAKEN_FLAG]
        control.gate.wait_until(
            lambda: flags[TAKEN_FLAG] != taken or control.paused or control.cancelled,
            time.perf_counter() + ASIDE_MAX_S,
        )


WorkerFn = Callable[..., Any]


def run_worker(ctx: WorkerContext, fn: WorkerFn, params: dict[str, Any]) -> tuple[State, str]:
    """Run ``fn(ctx, **params)`` and turn its ending into DONE, CANCELLED or FAILED."""
    try:
        ctx.checkpoint()
        ctx.emit(State.RUNNING, "started")
        fn(ctx, **params)
    except Cancelled:
        ctx.emit(State.CANCELLED, "cancelled at a checkpoint")
        return State.CANCELLED, ""
    except Exception as exc:  # noqa: BLE001 - a worker that raises is a lesson, not a crash
        message = f"{type(exc).__name__}: {exc}"
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" (line {last[0].lineno} of {last[0].name})" if last else ""
        ctx.emit(State.FAILED, message + where)
        return State.FAILED, message
    ctx.emit(State.DONE, "returned")
    return State.DONE, ""


def run_helper_thread(
    sink: Sink, control: Control, lane_id: int, name: str, fn: WorkerFn, params: dict[str, Any]
) -> State:
    """Body of a thread that a worker starts itself: announce the lane's OS id, then run ``fn``."""
    sink.announce(Lane(lane_id, Kind.THREAD, name, threading.get_native_id()))
    ctx = WorkerContext(lane_id, sink, control)
    state, _ = run_worker(ctx, fn, params)
    return state
