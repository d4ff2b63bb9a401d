"""Event delivery from workers to whoever draws them, without depending on one thread's luck.

Measured (see ARCHITECTURE.md): a separate flusher thread inside a lab full of busy threads can go
seconds without the GIL. So the thread that emits an event also flushes the batch once it is due,
and the idle flusher only covers quiet periods. The socket is non-blocking: a worker never waits on
a slow reader; unsent bytes stay queued (bounded), and beyond the bound the oldest events are
dropped and counted, so the reader can say how much it missed.

Frames are a 4-byte big-endian length followed by a pickle of ``(kind, payload)``.
"""

from __future__ import annotations

import collections
import pickle
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from demos.events import Event, Lane, now_ns
from demos.protocol import Msg

FLUSH_PERIOD_NS = 16_000_000  # about one frame at 60 Hz
IDLE_FLUSH_PERIOD_S = 0.016
MAX_PENDING_EVENTS = 200_000
MAX_UNSENT_BYTES = 8 * 1024 * 1024
_HEADER = struct.Struct(">I")


class Sink(Protocol):
    """Where a worker's events and messages go."""

    def emit(self, event: Event) -> None:
        """Record one event."""

    def send(self, kind: str, payload: Any) -> None:
        """Send one control message (never dropped, kept in order with events)."""

    def flush_if_due(self) -> None:
        """Deliver queued events if they have waited a frame; cheap when there is nothing to do."""

    def announce(self, lane: Lane) -> None:
        """Tell the reader a lane's name, kind and OS identity."""


def encode_frame(kind: str, payload: Any) -> bytes:
    """Serialise one message into a length-prefixed frame."""
    # str(): a Msg member goes on the wire as its plain value, readable without our classes.
    body = pickle.dumps((str(kind), payload), protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Reassembles frames from a byte stream that may arrive in arbitrary pieces."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[str, Any]]:
        """Add bytes and yield every complete message."""
        self._buffer += data
        offset = 0
        while len(self._buffer) - offset >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer, offset)
            end = offset + _HEADER.size + length
            if len(self._buffer) < end:
                break
            yield pickle.loads(self._buffer[offset + _HEADER.size : end])
            offset = end
        del self._buffer[:offset]


class ListSink:
    """Keeps everything in memory: for terminal twins, coroutine lessons and tests."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.messages: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        """Append one event (list.append is atomic under the GIL; the lock keeps it so without)."""
        with self._lock:
            self.events.append(event)

    def send(self, kind: str, payload: Any) -> None:
        """Append one message."""
        with self._lock:
            self.messages.append((kind, payload))

    def flush_if_due(self) -> None:
        """Nothing to deliver: everything is in memory already."""

    def announce(self, lane: Lane) -> None:
        """Record a lane announcement."""
        self.send(Msg.LANE, lane.as_tuple())


class SocketSink:
    """Batches events and writes them to a non-blocking socket; flushes from the emitting thread."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self._sock = sock
        # Emitting never takes a lock: deque.append is atomic under the GIL. Only flushing takes
        # the lock, and workers only try it: a thread that blocked on it while the holder waits
        # for the GIL among 32 busy threads would turn a 16 ms flush into hundreds of ms.
        self._lock = threading.Lock()
        self._pending: collections.deque[Event] = collections.deque()
        self._unsent = bytearray()
        self._last_flush_ns = now_ns()
        self._dropped = 0
        self._closed = False
        self._idle_stop = threading.Event()
        self._idle_thread: threading.Thread | None = None

    @property
    def dropped(self) -> int:
        """Events dropped so far because the reader lagged."""
        return self._dropped

    def emit(self, event: Event) -> None:
        """Queue one event; flush here if the batch is due and nobody else is flushing."""
        self._pending.append(event)
        if event[0] - self._last_flush_ns >= FLUSH_PERIOD_NS or (
            len(self._pending) > MAX_PENDING_EVENTS
        ):
            self._try_flush()

    def send(self, kind: str, payload: Any) -> None:
        """Send a control message after the events queued before it."""
        with self._lock:
            self._pack_pending_locked(force=True)
            self._unsent += encode_frame(kind, payload)
            self._write_locked()

    def flush_if_due(self) -> None:
        """Called by workers at their checkpoints: events emitted just after a flush would
        otherwise wait for the next event or for the idle flusher, which may not get the GIL."""
        if (self._pending or self._unsent) and now_ns() - self._last_flush_ns >= FLUSH_PERIOD_NS:
            self._try_flush()

    def _try_flush(self) -> None:
        if self._lock.acquire(blocking=False):  # busy means another thread is flushing now
            try:
                self._flush_locked()
            finally:
                self._lock.release()

    def announce(self, lane: Lane) -> None:
        """Send a lane announcement."""
        self.send(Msg.LANE, lane.as_tuple())

    def flush_blocking(self, timeout_s: float = 2.0) -> bool:
        """Before exit: keep writing until everything left or the deadline passed."""
        deadline = now_ns() + int(timeout_s * 1e9)
        while now_ns() < deadline:
            with self._lock:
                self._flush_locked()
                if not self._unsent and not self._pending:
                    return True
            threading.Event().wait(0.005)
        return False

    def start_idle_flusher(self) -> None:
        """Cover quiet periods, when no emitting thread comes by to flush."""
        if self._idle_thread is None:
            self._idle_thread = threading.Thread(
                target=self._idle_loop, name="lab-idle-flusher", daemon=True
            )
            self._idle_thread.start()

    def close(self) -> None:
        """Flush what can go now, stop the idle flusher, close the socket."""
        self._idle_stop.set()
        if self._idle_thread is not None:
            self._idle_thread.join(timeout=1.0)
        self.flush_blocking(timeout_s=1.0)
        with self._lock:
            self._closed = True
            self._sock.close()

    def _idle_loop(self) -> None:
        while not self._idle_stop.wait(IDLE_FLUSH_PERIOD_S):
            with self._lock:
                if self._pending or self._unsent:
                    self._flush_locked()

    def _flush_locked(self) -> None:
        self._pack_pending_locked(force=False)
        self._write_locked()
        self._last_flush_ns = now_ns()

    def _pack_pending_locked(self, force: bool) -> None:
        pending = self._pending
        excess = len(pending) - MAX_PENDING_EVENTS
        if excess > 0:  # the reader is far behind: drop the oldest events and count them
            for _ in range(excess):
                pending.popleft()
            self._dropped += excess
        if not pending and not (force and self._dropped):
            return
        if len(self._unsent) > MAX_UNSENT_BYTES and not force:
            return  # the reader is behind: keep events (bounded above) rather than bytes
        # popleft is atomic: events appended meanwhile stay queued for the next batch.
        batch = [pending.popleft() for _ in range(len(pending))]
        self._unsent += encode_frame(Msg.EVENTS, (batch, self._dropped))

    def _write_locked(self) -> None:
        if self._closed:
            return
        while self._unsent:
            try:
                sent = self._sock.send(self._unsent)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # The reader is gone; nothing will ever read this, so stop trying.
                self._unsent.clear()
                self._pending.clear()
                self._closed = True
                return
            del self._unsent[:sent]
