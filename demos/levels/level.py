"""What a level is (a program, its threads, a goal judged from real state) and what a step did."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

READY = "ready"  # at its gate: may take a step
RUNNING = "running"  # released, not yet back at a gate
BLOCKED = "blocked"  # released, but stuck in a real primitive (lock, condition, queue...)
DONE = "done"  # returned or raised

LOCK_TYPE = type(threading.Lock())


class LevelStopped(BaseException):
    """Raised inside a level thread at its gate when the run is stopped: it unwinds the thread."""


@dataclass(frozen=True)
class View:
    """What a goal is judged on: the program's real globals and the threads' fates."""

    ns: Mapping[str, Any]
    status: tuple[str, ...]
    errors: Mapping[int, str]

    @property
    def over(self) -> bool:
        """No thread can take a step."""
        return READY not in self.status

    @property
    def blocked(self) -> list[int]:
        return [i for i, s in enumerate(self.status) if s == BLOCKED]

    @property
    def stuck(self) -> bool:
        """Over with at least one thread blocked for good (every other one blocked or ended)."""
        return self.over and bool(self.blocked)

    @property
    def finished(self) -> bool:
        """Every thread returned or raised."""
        return all(s == DONE for s in self.status)

    def raised(self, name: str) -> bool:
        """True if some thread ended with the exception ``name`` (``"IndexError"``, say)."""
        return any(text.split(":")[0] == name for text in self.errors.values())


@dataclass(frozen=True)
class Level:
    """One level: a program (shown as is), the calls its threads run, and a goal."""

    id: str
    title: str
    goal: str
    source: str
    threads: tuple[str, ...]  # one call expression per thread, evaluated in the program
    won: Callable[[View], bool]
    hint: str
    watch: tuple[str, ...]  # globals shown as the program's state
    winning: tuple[int, ...] | None = None  # 1-based thread numbers; None for a fixed level
    kind: Literal["threads", "coroutines"] = "threads"
    lesson: str = ""  # said once the level is won (or proven unwinnable)
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fixed(self) -> bool:
        """A corrected program: no schedule reaches the goal."""
        return self.winning is None

    @property
    def filename(self) -> str:
        """The name the program is compiled under: how a tracer knows its lines."""
        return f"<level {self.id}>"

    def line_text(self, line: int | None) -> str:
        """The source text of 1-based ``line`` (stripped), or "" outside the program."""
        lines = self.source.splitlines()
        if line is None or not 1 <= line <= len(lines):
            return ""
        return lines[line - 1].strip()

    def summary(self) -> dict[str, Any]:
        """The level for ``--list --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "goal": self.goal,
            "kind": self.kind,
            "threads": list(self.threads),
            "fixed": self.fixed,
            "hint": self.hint,
            "winning": list(self.winning) if self.winning else None,
            "source": self.source,
        }


@dataclass(frozen=True)
class StepRecord:
    """One step: which thread ran which line, and what became of it."""

    number: int
    thread: int  # 0-based
    line: int | None  # the program line it ran (None: not in the program)
    code: str
    outcome: str  # "ran", "blocked", "finished", "raised ...", "woke up"
    woke: tuple[int, ...] = ()  # threads this step unblocked

    def describe(self) -> str:
        woke = "".join(f"; Thread-{t + 1} can go on" for t in self.woke)
        return f"Thread-{self.thread + 1} line {self.line}: {self.code}  [{self.outcome}]{woke}"

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.number,
            "thread": self.thread + 1,
            "line": self.line,
            "code": self.code,
            "outcome": self.outcome,
            "woke": [t + 1 for t in self.woke],
        }


def plain(value: Any) -> Any:
    """A JSON-safe picture of a program value (a lock says whether it is held)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, LOCK_TYPE):
        return "held" if value.locked() else "free"
    name = type(value).__name__
    if name == "Semaphore" or name == "BoundedSemaphore":
        return f"Semaphore(value={value._value})"
    if name == "Barrier":
        return f"Barrier(waiting={value.n_waiting} of {value.parties})"
    if name == "Queue":
        return f"Queue({list(value.queue)!r}, maxsize={value.maxsize})"
    return name
