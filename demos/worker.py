"""What a worker is: the spec of what to run, how it ended, the interface every kind of worker
shares, and the simplest kind, a thread in this process.

The other kinds live in ``demos.process_worker`` and ``demos.task_worker``; ``demos.runtime``'s
Run starts a group of one kind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from demos.context import Control, WorkerContext, WorkerFn, run_worker
from demos.events import Kind, Lane, State, now_ns
from demos.transport import Sink


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

    def sentinel(self) -> int | None:
        """A handle that becomes ready when the worker ends (processes only)."""
        return None

    def died(self) -> bool:
        """True if the worker ended abnormally, outside its own code (killed, say)."""
        return False


class ThreadWorker(Worker):
    """A thread in this process."""

    kind = Kind.THREAD

    def __init__(self, spec: WorkerSpec, lane_id: int, sink: Sink, control: Control) -> None:
        super().__init__(spec, lane_id, sink, control)
        self._thread = threading.Thread(target=self._main, name=spec.name, daemon=True)
        self.start_gate: threading.Event | None = None  # set by a Run starting many at once

    def _main(self) -> None:
        ident = threading.get_native_id()
        self.sink.announce(Lane(self.lane_id, self.kind, self.spec.name, ident))
        if self.start_gate is not None:
            self.start_gate.wait()  # READY until every thread of the run exists
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
