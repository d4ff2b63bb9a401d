"""The process kind of worker: a ``spawn``-context process that reports over the lab's shared
ring or its own socket, and is terminated, then killed, when it misses a deadline.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from typing import Any

from demos import workloads
from demos.context import Control, WorkerContext, lower_priority, run_worker
from demos.escalate import end_tree
from demos.events import Kind, Lane, State, now_ns
from demos.protocol import Msg
from demos.transport import Sink, SocketSink
from demos.worker import Outcome, Worker, WorkerSpec

SPAWN = multiprocessing.get_context("spawn")
TERMINATE_GRACE_S = 1.0

EXITED = "process exited with code"
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
        sink.send(Msg.OUTCOME, (lane_id, int(state), message, now_ns(), ctx.work_s))
        sink.close()
    _leave_now()


def _leave_now() -> None:
    """End this worker process without the interpreter's teardown, as multiprocessing's fork
    children do: its own exit work first (finalizers, children), then ``os._exit``.

    Measured: a spawned worker spends about 12 ms of CPU tearing the interpreter down, 1 ms this
    way; after Cancel, four workers' teardown kept the lab's CPU up for 100-200 ms.
    """
    import os
    import sys
    from multiprocessing import util

    exit_work = getattr(util, "_exit_function", None)  # what Process._bootstrap runs last
    if not callable(exit_work):
        return  # another Python: leave the ordinary way
    exit_work()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(0)


def signal_name(code: int) -> str:
    """`` (SIGKILL)`` for an exit code of -9; empty for an ordinary exit code."""
    if code >= 0:
        return ""
    try:
        return f" ({signal.Signals(-code).name})"
    except ValueError:
        return ""


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
        code = self._process.exitcode
        ended = code is not None
        if code is not None and self.outcome.state is State.NEW:
            self._note_exit(code)
        return ended

    def _note_exit(self, code: int) -> None:
        """Record the outcome of the process, which has exited with ``code``."""
        if self._ring is not None:
            self._ring.take_back(self.lane_id)  # this process writes the lane's region again
        work_s = float(self._result[RESULT_WORK_S])
        if code == 0:
            state = State(int(self._result[RESULT_STATE]) or int(State.DONE))
            self.outcome = Outcome(state, "", now_ns(), work_s)
        else:
            message = f"{EXITED} {code}{signal_name(code)}"
            self.outcome = Outcome(State.FAILED, message, now_ns(), work_s)
            if code < 0 or self._result[RESULT_STATE] == 0:
                # Killed or crashed before it could say so: the lane says it here.
                self.sink.emit((now_ns(), self.lane_id, int(State.FAILED), message))

    def sentinel(self) -> int | None:
        """``Process.sentinel``: readable once the process has ended."""
        process = self._process
        if process is None or process.pid is None:
            return None
        return process.sentinel

    def died(self) -> bool:
        """Killed by a signal or exited with an error code before its own code said how it
        ended (a worker whose function raised exits 0 and reports FAILED itself)."""
        return self.outcome.state is State.FAILED and self.outcome.message.startswith(EXITED)

    def escalate(self) -> str | None:
        """Terminate, then kill if it still lives (stopped or not), and whatever it started."""
        if self._process is None or not self._process.is_alive():
            return None
        action = end_tree(self._process, 0.0, TERMINATE_GRACE_S) or "ended"
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
