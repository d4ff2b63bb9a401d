"""Workers of three kinds behind one interface, and a Run that owns a group of them.

- ThreadWorker: a ``threading.Thread`` in the current process (in the app: the lab process).
- ProcessWorker: a ``spawn``-context process that reports over its own socket.
- TaskWorker: an asyncio task in the caller's running loop.

Each kind has its own module (``demos.worker`` holds the shared interface and the thread kind,
``demos.process_worker`` and ``demos.task_worker`` the others); this one holds the Run and
re-exports them, so ``from demos.runtime import WorkerSpec, SPAWN, Run`` keeps working.

All honour the same Control (pause at step boundaries, cancel at checkpoints). Join and cancel
take deadlines; past a deadline the owner escalates: processes are terminated, then killed, and
the report says so. Threads cannot be killed; their owner (the GUI) replaces the whole lab process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for_sentinels

from demos import workloads
from demos.context import CONTROL_SIZE, Control
from demos.events import Kind, now_ns

# Re-exported (the ``X as X`` form makes that explicit): importable from here as before.
from demos.process_worker import RESULT_STATE as RESULT_STATE
from demos.process_worker import RESULT_WORK_S as RESULT_WORK_S
from demos.process_worker import SPAWN as SPAWN
from demos.process_worker import TERMINATE_GRACE_S as TERMINATE_GRACE_S
from demos.process_worker import ProcessWorker as ProcessWorker
from demos.task_worker import TaskContext as TaskContext
from demos.task_worker import TaskWorker as TaskWorker
from demos.transport import Sink
from demos.worker import Outcome as Outcome
from demos.worker import ThreadWorker as ThreadWorker
from demos.worker import Worker as Worker
from demos.worker import WorkerSpec as WorkerSpec

WATCH_S = 0.1  # a join looks at the workers at least this often (deaths, its deadline)
THREAD_SLICE_S = 0.02  # threads have no sentinel: one is joined for this long at a time

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
        # Threads wait at a gate until all exist: a new thread must get the GIL back from the
        # ones already computing, and 64 CPU-bound threads took about 23 s to start one by one.
        gate = threading.Event()
        for worker in self.workers:
            if isinstance(worker, ThreadWorker):
                worker.start_gate = gate
        try:
            for worker in self.workers:
                worker.start()
        finally:
            gate.set()

    def pause(self) -> None:
        """Hold every worker at its next step boundary."""
        self.control.pause()

    def resume(self) -> None:
        """Let every worker go on."""
        self.control.resume()

    def alive(self) -> int:
        """How many workers have not ended."""
        return sum(w.is_alive() for w in self.workers)

    def wait_any(self, timeout_s: float) -> None:
        """Return once any worker ends, or after ``timeout_s``, recording how they ended.

        Process workers are awaited on their sentinels, so a death is seen at once, whichever
        worker it is; threads are joined in turn, in short slices.
        """
        alive = [w for w in self.workers if w.is_alive()]
        sentinels = [s for w in alive if (s := w.sentinel()) is not None]
        if sentinels and len(sentinels) == len(alive):
            wait_for_sentinels(sentinels, timeout_s)
        elif alive:
            alive[0].join(min(timeout_s, THREAD_SLICE_S))
        for worker in self.workers:
            if not worker.is_alive():
                worker.join(0.0)  # records the outcome (and a killed process's FAILED lane)

    def stop_if_one_died(self) -> Worker | None:
        """If a worker died (killed, or exited with an error code), cancel the others: they may
        be waiting for it (a start gate, a board of results) and would wait for nothing.

        Returns the first dead worker, if any.
        """
        dead = next((w for w in self.workers if w.died()), None)
        if dead is not None and not self.control.cancelled:
            self.control.cancel()
        return dead

    def join(self, timeout_s: float) -> StopReport:
        """Join all workers within one shared deadline; escalate those that miss it.

        A worker that dies on the way cancels the others (see :meth:`stop_if_one_died`).
        """
        t0 = time.perf_counter()
        deadline = t0 + timeout_s
        while self.alive() and time.perf_counter() < deadline:
            self.wait_any(max(0.0, min(WATCH_S, deadline - time.perf_counter())))
            self.stop_if_one_died()
        for worker in self.workers:
            worker.join(0.0)
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
