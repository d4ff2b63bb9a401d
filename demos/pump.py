"""Reads worker-process sockets in the owning process and hands their messages to a sink.

Used by terminal twins and tests; the GUI reads the same sockets from its own timer instead.
"""

from __future__ import annotations

import selectors
import socket
import threading
from typing import cast

from demos.events import Event
from demos.protocol import Msg
from demos.transport import FrameReader, Sink


def dispatch(kind: str, payload: object, sink: Sink) -> None:
    """Route one decoded message: event batches become events, anything else a message."""
    if kind == Msg.EVENTS:
        # SocketSink packs an "events" frame as (batch, dropped); unpickling leaves it untyped.
        batch, _dropped = cast("tuple[list[Event], int]", payload)
        for event in batch:
            sink.emit(event)
    else:
        sink.send(kind, payload)


class SocketPump:
    """A background thread that drains sockets into a sink until every peer has closed."""

    def __init__(self, sockets: list[socket.socket], sink: Sink) -> None:
        self._selector = selectors.DefaultSelector()
        self._sink = sink
        for sock in sockets:
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ, FrameReader())
        self._open = len(sockets)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="socket-pump", daemon=True)

    def start(self) -> None:
        """Begin draining."""
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Drain what is left for up to ``timeout_s`` (until all peers closed), then stop."""
        self._thread.join(timeout_s)
        self._stop.set()
        self._thread.join(1.0)
        self._selector.close()

    def _loop(self) -> None:
        while self._open and not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                # Only sockets are registered (__init__); selectors types fileobj as any file.
                sock = cast(socket.socket, key.fileobj)
                try:
                    data = sock.recv(1 << 16)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._selector.unregister(sock)
                    self._open -= 1
                    continue
                for kind, payload in key.data.feed(data):
                    dispatch(kind, payload, self._sink)
