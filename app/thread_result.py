"""Handing a worker thread's result to a widget on the GUI thread, safely if the widget is gone.

A thread that emits a signal of a widget races with the widget's deletion (a window closed while
the thread was still probing interpreters): the emit may touch a C++ object being freed. Here
the thread emits only on one relay object that lives as long as the application, and the relay,
on the GUI thread, calls back only if the widget still exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Relay(QObject):
    """Lives on the GUI thread for the application's lifetime; delivers queued results."""

    delivered = Signal(object, object, object)  # (widget, callback, value)

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self.delivered.connect(self._deliver)  # queued when emitted from another thread

    def _deliver(self, widget: QObject, callback: Callable[[Any], None], value: Any) -> None:
        if shiboken6.isValid(widget):
            callback(value)


_relay: _Relay | None = None


def prepare() -> None:
    """Create the relay; call on the GUI thread before starting the worker thread."""
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay()


def deliver(widget: QObject, callback: Callable[[Any], None], value: Any) -> None:
    """From any thread: run ``callback(value)`` on the GUI thread if ``widget`` still exists."""
    relay = _relay
    if relay is not None:
        relay.delivered.emit(widget, callback, value)
