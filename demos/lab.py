"""The lab process: where thread lessons run, away from the GUI's GIL.

The GUI starts it with the ``spawn`` context and talks to it three ways:
- commands over a pipe (start, join, reset, quit), read by the lab's main thread;
- pause and cancel as flags in shared memory, read by the workers themselves, so they work even
  when the lab's main thread cannot get the GIL;
- events back through a shared-memory ring (``demos.ring``), replies and announcements over
  one non-blocking socket (``demos.transport``); message kinds are ``demos.protocol.Msg``.

The lab's main thread has a lane of its own ("MainThread") so a join shows as the main thread
blocked until its workers end, as in the deck's example.
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from demos import workloads
from demos.context import Control, lower_priority
from demos.events import MAIN_LANE_ID, Kind, Lane, Mark, State, now_ns
from demos.protocol import Msg
from demos.ring import RingSink, RingWriter
from demos.runtime import Run
from demos.transport import SocketSink

FIRST_WORKER_LANE_ID = 1
WATCH_S = 0.1  # the watcher looks at the workers at least this often
CANCEL_GRACE_S = 0.8  # then it ends the process workers that did not stop (the GUI waits 2 s)
QUIT_JOIN_S = 1.0


class LabSink(RingSink):
    """Events into the shared-memory ring (no lock, no GIL hand-off); messages over the socket.

    A thread announces its OS identity through the ring too, so 32 threads starting at once do
    not queue on the socket's lock. Worker processes write the same ring (see ProcessWorker).
    """

    def __init__(self, ring: RingWriter, messages: SocketSink) -> None:
        super().__init__(ring)
        self.messages = messages

    def send(self, kind: str, payload: Any) -> None:
        """One message over the socket."""
        self.messages.send(kind, payload)

    def announce(self, lane: Lane) -> None:
        """Name and kind by message when created (no ident yet); the ident through the ring."""
        if lane.ident:
            super().announce(lane)
        else:
            self.messages.send(Msg.LANE, lane.as_tuple())


class Lab:
    """Runs one scenario at a time; every reply goes through the sink."""

    def __init__(self, sink: LabSink, control: Control) -> None:
        self.sink = sink
        self.control = control
        self.run: Run | None = None
        self.run_id = -1
        self._watcher: threading.Thread | None = None

    def handle(self, command: tuple[str, dict[str, Any]]) -> bool:
        """Carry out one command; False means quit."""
        op, args = command
        if op == Msg.START:
            self._start(args)
        elif op == Msg.JOIN:
            self._join(args)
        elif op == Msg.RESET:
            self._reset()
        elif op == Msg.QUIT:
            self._stop_run(QUIT_JOIN_S)
            return False
        else:
            self.sink.send(Msg.ERROR, f"unknown command {op!r}")
        return True

    def _main_lane(self, state: State, detail: str) -> None:
        self.sink.emit((now_ns(), MAIN_LANE_ID, int(state), detail))

    def _start(self, args: dict[str, Any]) -> None:
        if self.run is not None and self.run.alive():
            self.sink.send(Msg.ERROR, "a run is still going: cancel or reset it first")
            return
        self.run_id = int(args["run_id"])
        try:
            module = importlib.import_module(args["scenario"])
            specs = module.build_workers(**args["params"])
            # A lesson may run threads or processes; it says which (threads by default).
            kind = Kind(getattr(module, "worker_kind", lambda **_: Kind.THREAD)(**args["params"]))
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, the lab carries on
            self.sink.send(Msg.ERROR, f"could not build the scenario: {type(exc).__name__}: {exc}")
            return
        self.sink.send(
            Msg.LANE,
            Lane(MAIN_LANE_ID, Kind.THREAD, "MainThread", threading.get_native_id()).as_tuple(),
        )
        self._main_lane(State.RUNNING, f"starting {len(specs)} {kind.value}s")
        self.run = Run(kind, specs, self.sink, self.control, FIRST_WORKER_LANE_ID)
        try:
            self.run.start()
        except Exception as exc:  # noqa: BLE001 - e.g. no more processes: say so, stay up
            self.control.cancel()
            self.run.join(QUIT_JOIN_S)
            self.sink.send(Msg.ERROR, f"could not start the workers: {type(exc).__name__}: {exc}")
            self._main_lane(State.WAITING, "waiting for the next command")
            return
        self.sink.send(Msg.STARTED, {"run_id": self.run_id, "t_start_ns": self.run.t_start_ns})
        self._main_lane(State.WAITING, "waiting for the next command")
        self._watcher = threading.Thread(
            target=self._watch,
            args=(self.run, self.run_id, getattr(module, "result", None), specs),
            name="lab-watcher",
            daemon=True,
        )
        self._watcher.start()

    def _watch(
        self, run: Run, run_id: int, result: Callable[..., Any] | None, specs: list[Any]
    ) -> None:
        """Report when every worker of a run has ended (polling join: never blocks forever).

        A scenario module may define ``result(specs) -> dict``: its figures (the counter of a
        race, say) then travel with the "finished" message under the key "result". A worker
        that dies (killed, say) is seen at once and the others are cancelled; the message then
        carries no figures and names the dead worker under "failed", as for a lab that died.
        """
        marked = False
        cancelled_at: float | None = None
        while run.alive():
            run.wait_any(WATCH_S)
            dead = run.stop_if_one_died()  # the others may be waiting for it: stop them
            if dead is not None and not marked:
                marked = True
                self.sink.send(Msg.MARK, (now_ns(), f"{dead.spec.name} died: run cancelled"))
            if run.control.cancelled and cancelled_at is None:
                cancelled_at = time.monotonic()
            elif cancelled_at is not None and time.monotonic() - cancelled_at > CANCEL_GRACE_S:
                # Deaf to Cancel (stopped by SIGSTOP, stuck in a call): processes are ended
                # here, before the GUI's deadline would replace the whole lab.
                for worker in run.workers:
                    if worker.is_alive():
                        worker.escalate()
                cancelled_at = float("inf")  # once
        for worker in run.workers:
            worker.join(0)  # one that ended while another was being joined: record its outcome
        died = died_reason(run)
        outcomes = {w.lane_id: (int(w.outcome.state), w.outcome.message) for w in run.workers}
        figures: dict[str, Any] = {}
        if result is not None:
            try:
                figures = dict(result(specs))
            except Exception as exc:  # noqa: BLE001 - reported, the lab carries on
                figures = {"error": f"{type(exc).__name__}: {exc}"}
        self.sink.send(
            Msg.FINISHED,
            {
                "run_id": run_id,
                "t_start_ns": run.t_start_ns,
                "t_end_ns": run.t_end_ns() or now_ns(),
                "outcomes": outcomes,
                "work_s": run.work_s(),
                # A run that lost a worker has no figures: the reason replaces them.
                **({"result": {}, "failed": died} if died else {"result": figures}),
            },
        )

    def _join(self, args: dict[str, Any]) -> None:
        if self.run is None:
            self.sink.send(Msg.JOINED, {"run_id": self.run_id, "ended": True, "waited_s": 0.0})
            return
        t0 = now_ns()
        self._main_lane(State.BLOCKED, "Thread.join() on every worker")
        report = self.run.join(float(args.get("timeout_s", 30.0)))
        waited_s = (now_ns() - t0) / 1e9
        self._main_lane(State.WAITING, "waiting for the next command")
        label = f"join returned after {waited_s:.2f} s" if report.ended else "join timed out"
        self.sink.send(Msg.MARK, (now_ns(), label))
        self.sink.send(
            "joined", {"run_id": self.run_id, "ended": report.ended, "waited_s": waited_s}
        )

    def _stop_run(self, timeout_s: float) -> bool:
        if self.run is None:
            return True
        report = self.run.cancel(timeout_s)
        return report.ended

    def _reset(self) -> None:
        clean = self._stop_run(QUIT_JOIN_S)
        if self._watcher is not None:
            self._watcher.join(QUIT_JOIN_S)
        self.run = None
        self.control.clear()
        self.sink.send(Msg.RESET_DONE, {"clean": clean})


def died_reason(run: Run) -> str:
    """One line naming the workers that died, e.g. "Process-2 died: process exited with
    code -9 (SIGKILL)"."""
    dead = [w for w in run.workers if w.died()]
    text = f"{dead[0].spec.name} died: {dead[0].outcome.message}" if dead else ""
    return text + (f" (and {len(dead) - 1} more)" if len(dead) > 1 else "")


def lab_main(commands: Connection, event_sock: socket.socket, flags: Any, ring: Any) -> None:
    """Entry point of the lab process."""
    lower_priority()
    messages = SocketSink(event_sock)
    messages.start_idle_flusher()
    sink = LabSink(RingWriter(ring), messages)
    calibration = workloads.iterations_per_ms()
    hello = {"pid": os.getpid(), "calibration": calibration, "t_ns": now_ns()}
    sink.send(Msg.HELLO, {**hello, "python": sys.version.split()[0]})  # the GUI shows it
    control = Control(flags)
    control.serves_commands = True  # busy worker threads let this thread take commands
    lab = Lab(sink, control)
    while True:
        try:
            command = commands.recv()
        except (EOFError, OSError):
            lab.control.cancel()  # the GUI is gone: stop the workers and leave
            lab.handle((Msg.QUIT, {}))
            break
        control.attended()
        if not lab.handle(command):
            break
    sink.send(Msg.BYE, {"pid": os.getpid()})
    messages.close()


__all__ = ["Lab", "lab_main", "MAIN_LANE_ID", "FIRST_WORKER_LANE_ID", "Mark"]
