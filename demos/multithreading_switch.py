"""The GIL switch interval of one run: set while its threads run, restored after the last one.

``sys.setswitchinterval`` is process-wide. Every thread of a Multithreading run enters
:func:`held` with the run's value: the first one in keeps the previous value, the last one out
puts it back, so the lab (and the twin) go on with their usual interval whatever ended the run.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_previous_s = 0.0
applied_ms: float | None = None  # what the last run set (the lab reports it with the result)


@contextmanager
def held(milliseconds: float) -> Iterator[None]:
    """Run the body with the switch interval at ``milliseconds``."""
    global _holders, _previous_s, applied_ms
    with _lock:
        if _holders == 0:
            _previous_s = sys.getswitchinterval()
        _holders += 1
        sys.setswitchinterval(milliseconds / 1000.0)
        applied_ms = current_ms()
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                sys.setswitchinterval(_previous_s)


def current_ms() -> float:
    """The interval in force now, in ms."""
    return sys.getswitchinterval() * 1000.0
