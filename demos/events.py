"""The event model shared by every lesson: small flat tuples on one monotonic clock.

An event is ``(t_ns, lane_id, state, detail)``. ``t_ns`` comes from ``time.perf_counter_ns()``,
which on Linux, Windows and macOS is the system-wide monotonic clock, so the GUI, the lab process
and worker processes all share one time axis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

Event = tuple[int, int, int, str]

# Not a state: an event with this "state" announces a lane's OS identity (detail = the native
# thread id). It lets a thread announce itself through the shared-memory ring, which needs no GIL
# hand-off, instead of a socket message that could wait behind busy threads.
IDENT_EVENT = 255

# The lab's own main thread has this lane in every run (it starts and joins the workers);
# worker lanes follow it. Lanes arrive in any order, so code tells them apart by this id.
MAIN_LANE_ID = 0


class State(IntEnum):
    """What a worker is doing. A transition closes the previous interval."""

    NEW = 0
    READY = 1
    RUNNING = 2  # executing Python code (for threads: holding or wanting the GIL)
    WAITING = 3  # sleeping or waiting on I/O
    BLOCKED = 4  # waiting on a lock, semaphore, barrier, queue or join
    PAUSED = 5  # held at a step boundary by the Pause control
    DONE = 6
    CANCELLED = 7
    FAILED = 8

    @property
    def is_terminal(self) -> bool:
        """True for states a worker never leaves."""
        return self in TERMINAL_STATES


TERMINAL_STATES = frozenset({State.DONE, State.CANCELLED, State.FAILED})


class Kind(StrEnum):
    """The three worker kinds behind one interface."""

    THREAD = "thread"
    PROCESS = "process"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class Lane:
    """One worker's row on the timeline.

    ``ident`` is the OS identity: a thread's native id, a process's pid, 0 for a task.
    """

    lane_id: int
    kind: Kind
    name: str
    ident: int = 0

    def as_tuple(self) -> tuple[int, str, str, int]:
        """A picklable, JSON-friendly form."""
        return (self.lane_id, self.kind.value, self.name, self.ident)

    @classmethod
    def from_tuple(cls, data: tuple[int, str, str, int] | list[Any]) -> Lane:
        """Inverse of :meth:`as_tuple`."""
        lane_id, kind, name, ident = data
        return cls(int(lane_id), Kind(kind), str(name), int(ident))


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment on the timeline, such as a join returning or a cancel being asked for."""

    t_ns: int
    label: str


def now_ns() -> int:
    """The shared clock."""
    return time.perf_counter_ns()
