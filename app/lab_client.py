"""The GUI's side of the lab process: start it, command it, read its events, replace it if it dies.

Every lifecycle step has a deadline. Pause and cancel are written straight into shared memory, so
they take effect even while the lab's own threads fight for the GIL. If the lab misses a deadline
or dies, the client terminates it (then kills it), says so, and starts a fresh one.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import multiprocessing
import socket
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.foreign_lab import lab_process
from app.lab_timers import DeathWatch, RingPoller
from app.replies import Replies
from demos.context import CONTROL_SIZE, Control
from demos.escalate import end_tree
from demos.events import IDENT_EVENT, Lane, Mark, State, now_ns
from demos.interpreters import Interpreter
from demos.intervals import IntervalStore
from demos.pause_log import PauseLog
from demos.protocol import Msg
from demos.ring import RingReader, ring_size
from demos.transport import FrameReader

log = logging.getLogger(__name__)
SPAWN = multiprocessing.get_context("spawn")
READ_CHUNK_BYTES = 1 << 18
CANCEL_DEADLINE_S = 2.0
REPLY_DEADLINE_S = 2.0
QUIT_DEADLINE_S = 1.5
KILL_GRACE_S = 0.5
LATENCY_SAMPLES = 4096
READY = int(State.READY)


class LabClient(QObject):
    """Owns the lab process and feeds its events into an IntervalStore."""

    labStarted = Signal(int)  # pid
    labLost = Signal(str)  # what happened, for the user
    runStarted = Signal(dict)
    runFinished = Signal(dict)
    lanesChanged = Signal()
    markAdded = Signal(str)
    eventsArrived = Signal()  # the store has new events (the window draws them)
    labError = Signal(str)
    labReady = Signal(str)  # the Python version the lab said it runs on

    def __init__(self, store: IntervalStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._process: multiprocessing.process.BaseProcess | None = None
        self._commands: Any = None
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._reader = FrameReader()
        self.control = Control()
        self.pid: int | None = None
        self.running = False
        self.run_id = 0
        self.run_t_start_ns = 0
        self.pauses = PauseLog()
        self.dropped = 0
        self.events_received = 0
        self.latencies_ns: collections.deque[int] = collections.deque(maxlen=LATENCY_SAMPLES)
        self._replies = Replies()
        self._stopping = False
        # Timers only while they have work (app.lab_timers): no ring polls between runs.
        self._liveness = DeathWatch(self, self._check_alive)
        self._ring: RingReader | None = None
        self.ring_poller = RingPoller(self, self.poll_events)  # reads our running and paused
        self._idents: dict[int, int] = {}  # lane_id -> OS ident announced before the lane
        self.python: Interpreter | None = None  # what the lab runs on; None: the app's own
        self.lab_python = ""  # the version the running lab reported

    # ------------------------------------------------------------ lifecycle
    def start_lab(self) -> None:
        """Spawn a lab process and start listening to it."""
        from demos.lab import lab_main  # here, not at import: keeps it off the cold start

        flags = SPAWN.RawArray("b", CONTROL_SIZE)
        self.control = Control(flags)
        ring = SPAWN.RawArray("B", ring_size())
        self._ring = RingReader(ring)
        ours, theirs = SPAWN.Pipe()
        gui_end, lab_end = socket.socketpair()
        process = lab_process(lab_main, (theirs, lab_end, flags, ring), self.python)
        process.start()
        theirs.close()
        lab_end.close()
        gui_end.setblocking(False)
        self._process, self._commands, self._sock = process, ours, gui_end
        self._reader = FrameReader()
        self.pid = process.pid
        self._stopping = False
        self._notifier = QSocketNotifier(gui_end.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_readable)
        self._liveness.watch(process)
        log.info("lab process started, pid %s", self.pid)
        self.labStarted.emit(self.pid or 0)

    def is_alive(self) -> bool:
        """True while the lab process runs."""
        return self._process is not None and self._process.is_alive()

    def stop_lab(self, deadline_s: float = QUIT_DEADLINE_S) -> str | None:
        """Stop the lab within a deadline, escalating; returns what had to be forced, if anything.

        Blocking but bounded (about ``deadline_s + 2 * KILL_GRACE_S`` at worst); used on close.
        """
        self._stopping = True
        self._liveness.stop()
        self.poll_events()
        self.ring_poller.stop()
        process = self._process
        forced = None
        if process is not None:
            self.control.cancel()
            self._send(Msg.QUIT, {})
            forced = end_tree(process, deadline_s, KILL_GRACE_S)  # its workers too, stopped or not
            if not process.is_alive():
                process.close()
        self._drop_connection()
        self._process = None
        self.pid = None
        self.running = False
        self._replies.cancel_all()
        if forced:
            log.warning("lab process had to be %s", forced)
        return forced

    async def restart_lab(self, reason: str) -> None:
        """Replace the lab (after a missed deadline or a death) and tell the user why."""
        running, forced = self.running, self.stop_lab(deadline_s=0.2)
        self.running = running  # stop_lab forgot the run: _fail_open_lanes ends it for its lesson
        self._fail_open_lanes(reason)
        message = reason + (f"; the old lab was {forced}" if forced else "")
        self.labLost.emit(message + ". A new lab process was started.")
        self.start_lab()

    def _drop_connection(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._commands is not None:
            self._commands.close()
            self._commands = None

    def _check_alive(self) -> None:
        if self._stopping or self._process is None or self._process.is_alive():
            return
        code = self._process.exitcode
        self._on_lab_died(f"The lab process (pid {self.pid}) ended unexpectedly (exit code {code})")

    def _on_lab_died(self, reason: str) -> None:
        if self._stopping:
            return
        log.error(reason)
        self._stopping = True
        asyncio.ensure_future(self._recover(reason))

    async def _recover(self, reason: str) -> None:
        await self.restart_lab(reason)

    def _fail_open_lanes(self, reason: str) -> None:
        t = now_ns()
        self.store.end_open_lanes(t, State.FAILED, reason)
        if self.running:
            self.running = False
            self.runFinished.emit(
                {
                    "run_id": self.run_id,
                    "t_start_ns": self.run_t_start_ns,
                    "t_end_ns": t,
                    "outcomes": {},
                    "failed": reason,
                }
            )

    # ------------------------------------------------------------- commands
    def _send(self, op: str, args: dict[str, Any]) -> bool:
        if self._commands is None:
            return False
        self.control.call_attention()  # the lab's busy threads let its main thread take it
        try:
            self._commands.send((op, args))
        except (BrokenPipeError, OSError, EOFError) as exc:
            log.warning("command %s not delivered: %s", op, exc)
            return False
        return True

    def start_run(
        self, scenario: str, params: dict[str, Any], store: IntervalStore | None = None
    ) -> bool:
        """Ask the lab to run a scenario into ``store`` (by default the last one), cleared first.

        Each lesson passes its own store, so a run is drawn only in the lesson that started it.
        """
        if self.running or not self.is_alive():
            return False
        self.poll_events()  # stragglers of the last run belong to it, not to this one
        if store is not None:
            self.store = store
        self.control.clear()
        self.store.clear()
        self._idents.clear()
        self.pauses.clear()
        self.run_id += 1
        self.running = True
        self.run_t_start_ns = now_ns()
        self.ring_poller.wake()
        return self._send(
            Msg.START, {"run_id": self.run_id, "scenario": scenario, "params": params}
        )

    def pause(self) -> None:
        """Hold every worker at its next step boundary (shared memory: immediate)."""
        if self.running and not self.control.paused:
            self.control.pause()
            self.pauses.paused_at(now_ns())
            self.ring_poller.wake()  # the workers still report PAUSED

    def resume(self) -> None:
        """Let paused workers go on."""
        if self.control.paused:
            self.control.resume()
            self.pauses.resumed_at(now_ns())
            self.ring_poller.wake()

    @property
    def paused(self) -> bool:
        """True while Pause holds the workers."""
        return self.control.paused

    def paused_ns_between(self, t0: int, t1: int) -> int:
        """Time spent paused within [t0, t1] (paused time does not count as elapsed)."""
        return self.pauses.paused_ns_between(t0, t1)

    async def join(self, timeout_s: float) -> dict[str, Any]:
        """``join()`` on every worker, awaited without freezing; escalates past the deadline."""
        if not self.running:
            return {"ended": True, "waited_s": 0.0}
        self._send(Msg.JOIN, {"timeout_s": timeout_s})
        try:
            return await self._replies.wait(Msg.JOINED, timeout_s + REPLY_DEADLINE_S)
        except (TimeoutError, asyncio.CancelledError):
            await self.cancel()
            return {"ended": False, "waited_s": timeout_s, "escalated": True}

    async def cancel(self, deadline_s: float = CANCEL_DEADLINE_S) -> bool:
        """Cancel the run; if workers miss the deadline, replace the lab. True if clean."""
        if not self.running:
            return True
        self.resume()
        self.control.cancel()
        self.store.add_mark(Mark(now_ns(), "cancel asked"))
        try:
            await self._replies.wait(Msg.FINISHED, deadline_s)
            return True
        except (TimeoutError, asyncio.CancelledError):
            await self.restart_lab(f"Workers did not stop within {deadline_s:.0f} s of Cancel")
            return False

    async def reset(self) -> bool:
        """Back to a clean state within about a second, whatever the lab was doing."""
        clean = True
        if self.running:
            clean = await self.cancel(deadline_s=1.0)
        if self.is_alive():
            self._send(Msg.RESET, {})
            try:
                reply = await self._replies.wait(Msg.RESET_DONE, 1.0)
                clean = clean and bool(reply.get("clean", True))
            except (TimeoutError, asyncio.CancelledError):
                await self.restart_lab("The lab did not answer Reset within 1 s")
                clean = False
        else:
            self.start_lab()
        self.control.clear()
        self.store.clear()
        self.pauses.clear()
        self.running = False
        return clean

    # --------------------------------------------------------------- events
    def _on_readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        while True:
            try:
                data = sock.recv(READ_CHUNK_BYTES)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                if self._notifier is not None:
                    self._notifier.setEnabled(False)
                if not self._stopping:
                    process = self._process  # this connection's lab, not a later one
                    QTimer.singleShot(100, lambda p=process: self._check_alive_after_eof(p))
                return
            for kind, payload in self._reader.feed(data):
                self._handle(kind, payload)

    def _check_alive_after_eof(self, process: multiprocessing.process.BaseProcess | None) -> None:
        if self._stopping or process is None or process is not self._process:
            return  # already handled, or a new lab has replaced the one that hung up
        process.join(0.2)
        code = process.exitcode
        self._on_lab_died(
            f"The lab process (pid {self.pid}) closed its connection (exit code {code})"
        )

    def poll_events(self) -> int:
        """Move new events from the shared ring into the store; returns how many."""
        if self._ring is None:
            return 0
        batch = self._ring.read()
        if not batch:
            return 0
        received = now_ns()
        states = [e for e in batch if e[2] != IDENT_EVENT]
        idents = [(e[1], int(e[3])) for e in batch if e[2] == IDENT_EVENT]
        for lane_id, ident in idents:
            self._set_ident(lane_id, ident)
        if idents:
            self.lanesChanged.emit()  # once per poll, not once per thread
        self.store.add_events(states)
        self.events_received += len(states)
        self.dropped = self._ring.dropped
        # READY slices (a thread that waited for the GIL) are stamped where the wait began and
        # can only be sent once the thread runs again: their age is the wait, not the delivery.
        self.latencies_ns.extend(received - e[0] for e in batch[-64:] if e[2] != READY)
        self.eventsArrived.emit()
        return len(states)

    def _set_ident(self, lane_id: int, ident: int) -> None:
        lane = next((ln for ln in self.store.lanes if ln.lane_id == lane_id), None)
        if lane is None:
            self._idents[lane_id] = ident  # the lane's message has not arrived yet
            return
        self.store.add_lane(Lane(lane_id, lane.kind, lane.name, ident))

    def _handle(self, kind: str, payload: Any) -> None:
        # Events published before this message was sent are in the ring: take them first.
        self.poll_events()
        if kind == Msg.LANE:
            lane = Lane.from_tuple(payload)
            if not lane.ident:
                # The thread may have announced its ident (through the ring) before this
                # message arrived, whether or not its events had already created the lane.
                known = next((ln for ln in self.store.lanes if ln.lane_id == lane.lane_id), None)
                ident = self._idents.pop(lane.lane_id, known.ident if known else 0)
                lane = Lane(lane.lane_id, lane.kind, lane.name, ident)
            self.store.add_lane(lane)
            self.lanesChanged.emit()
        elif kind == Msg.MARK:
            t_ns, label = payload
            self.store.add_mark(Mark(t_ns, label))
            self.markAdded.emit(label)
        elif kind == Msg.VALUE:
            self.store.add_value(*payload)  # (t_ns, lane_id, name, value): a typed figure
        elif kind == Msg.STARTED:
            self.run_t_start_ns = payload["t_start_ns"]
            self.runStarted.emit(payload)
        elif kind == Msg.FINISHED:
            if payload.get("run_id") == self.run_id and self.running:
                self.running = False
                self.resume()
                self.ring_poller.wake()  # a moment more, for anything written as it ended
                self.runFinished.emit(payload)
        elif kind == Msg.ERROR:
            self.running = False
            self.labError.emit(str(payload))
        elif kind == Msg.HELLO:
            self.lab_python = str(payload.get("python", ""))
            self.labReady.emit(self.lab_python)
            log.info(
                "lab %s ready (calibration %.0f iterations/ms)",
                payload["pid"],
                payload["calibration"],
            )
        self._replies.deliver(kind, payload)
