"""Coroutines stepped await by await: the same moves as ThreadRun, for the levels on asyncio.

A coroutine can only be switched where it awaits something that suspends it, so one step here is
everything a coroutine does from one suspension to the next. The program's coroutines are driven
by hand (``send``): ``await asyncio.sleep(0)`` suspends without any event loop.
"""

from __future__ import annotations

import dis
from types import CoroutineType
from typing import Any

from demos.levels.level import DONE, READY, Level, StepRecord, View


class CoroutineRun:
    """One play of a coroutine level."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.ns: dict[str, Any] = {}
        exec(compile(level.source, level.filename, "exec"), self.ns)
        self._calls = [compile(call, "<coroutine>", "eval") for call in level.threads]
        self.threads = len(level.threads)
        self.history: list[StepRecord] = []
        self.errors: dict[int, str] = {}
        self._coros: list[CoroutineType[Any, Any, Any]] = []
        self._status = [READY] * self.threads
        self._line: list[int | None] = [None] * self.threads

    def start(self) -> None:
        self._coros = [eval(call, self.ns) for call in self._calls]
        self._line = [_first_line(c) for c in self._coros]

    def status(self, index: int) -> str:
        return self._status[index]

    def line_of(self, index: int) -> int | None:
        return self._line[index]

    def waking(self, index: int) -> bool:
        return False

    def steppable(self) -> list[int]:
        return [i for i, s in enumerate(self._status) if s == READY]

    def view(self) -> View:
        return View(self.ns, tuple(self._status), dict(self.errors))

    def step(self, index: int) -> StepRecord:
        """Run coroutine ``index`` up to its next suspension (or its end)."""
        if not 0 <= index < self.threads or self._status[index] != READY:
            state = self._status[index] if 0 <= index < self.threads else "no such coroutine"
            raise ValueError(f"coroutine {index + 1} is {state}: it cannot step now")
        line = self._line[index]
        coro = self._coros[index]
        try:
            coro.send(None)
        except StopIteration:
            self._status[index], outcome = DONE, "finished"
        except Exception as exc:  # the program's own failure is part of the game
            self.errors[index] = f"{type(exc).__name__}: {exc}"
            self._status[index], outcome = DONE, f"raised {self.errors[index]}"
        else:
            frame = coro.cr_frame
            self._line[index] = frame.f_lineno if frame is not None else None
            outcome = f"suspended at line {self._line[index]}"
        record = StepRecord(len(self.history) + 1, index, line, self.level.line_text(line), outcome)
        self.history.append(record)
        return record

    def stop(self, timeout_s: float = 0.0) -> bool:
        for coro in self._coros:
            coro.close()
        return True

    def alive_threads(self) -> int:
        return 0


def _first_line(coro: CoroutineType[Any, Any, Any]) -> int | None:
    """The first line of the coroutine's body: where it stands before its first step."""
    code = coro.cr_code
    lines = [line for _, line in dis.findlinestarts(code) if line and line > code.co_firstlineno]
    return min(lines, default=None)
