"""Real threads stepped line by line: each one waits at its gate before every line of the program.

A tracer (``sys.settrace`` inside each level thread) turns every line event of the level's program
into a gate: the thread reports where it is and waits until the engine releases exactly one step.
A released thread runs its line for real and stops at the next one. If it does not arrive within
a short bound, it is stuck in a real primitive (lock, semaphore, barrier, queue): BLOCKED.

Two things keep replays exact. A thread sleeping in ``Condition.wait`` (the primitive under
Semaphore, Barrier and Queue too) is known to be blocked at once: its waiter is still queued on
the condition. And a thread woken by ``notify`` stops at one more gate before it takes the
condition's lock back, so who gets the lock first is a step the schedule chooses, not a race.
"""

from __future__ import annotations

import inspect
import queue
import re
import sys
import threading
import time
from types import CodeType, FrameType
from typing import Any

from demos.levels.level import (
    BLOCKED,
    DONE,
    LOCK_TYPE,
    READY,
    RUNNING,
    Level,
    LevelStopped,
    StepRecord,
    View,
)

BLOCK_BOUND_S = 0.05  # a released line that has not finished by then is stuck in a primitive
# Before the run is declared over with threads stuck (a deadlock: a win or a loss), they get at
# least this long to arrive: a busy machine can hold a thread that is not stuck for tens of ms.
CONFIRM_S = 0.25
START_TIMEOUT_S = 5.0  # threads reach their first line in microseconds: this guards a broken level
STOP_TIMEOUT_S = 2.0
POLL_S = 0.2  # a thread at its gate re-checks the stop flag this often (it never spins)


def _wait_lines() -> tuple[CodeType, frozenset[int], int]:
    """``Condition.wait``'s code, the lines where it sleeps and the line where it relocks."""
    lines, first = inspect.getsourcelines(threading.Condition.wait)
    queued = next(i for i, text in enumerate(lines) if "_waiters.append" in text)
    sleeping = frozenset(
        first + i for i, text in enumerate(lines) if i > queued and "waiter.acquire(" in text
    )
    relock = next(first + i for i, text in enumerate(lines) if "_acquire_restore(" in text)
    return threading.Condition.wait.__code__, sleeping, relock


WAIT_CODE, SLEEP_LINES, RELOCK_LINE = _wait_lines()
ENTER_CODE = threading.Condition.__enter__.__code__


class ThreadRun:
    """One play of a thread level: real threads, one released line at a time."""

    def __init__(self, level: Level, block_bound_s: float = BLOCK_BOUND_S) -> None:
        self.level = level
        self.block_bound_s = block_bound_s
        self.ns: dict[str, Any] = {"threading": threading, "queue": queue}
        exec(compile(level.source, level.filename, "exec"), self.ns)
        self._calls = [compile(call, "<thread>", "eval") for call in level.threads]
        self.threads = len(level.threads)
        self.history: list[StepRecord] = []
        self.errors: dict[int, str] = {}
        self._cv = threading.Condition()
        self._status = [RUNNING] * self.threads
        self._line: list[int | None] = [None] * self.threads
        self._waking = [False] * self.threads  # at the relock gate inside Condition.wait
        self._go = [False] * self.threads
        self._parked: list[Any] = [None] * self.threads  # the RLock a parked thread waits for
        self._stopping = False
        self._workers = [
            threading.Thread(
                target=self._body, args=(i,), name=f"level Thread-{i + 1}", daemon=True
            )
            for i in range(self.threads)
        ]

    # ------------------------------------------------------------ in the level threads
    def _body(self, index: int) -> None:
        sys.settrace(self._tracer(index))
        try:
            eval(self._calls[index], self.ns)
        except LevelStopped:
            pass
        except Exception as exc:  # the program's own failure is part of the game
            if not self._stopping:
                self.errors[index] = f"{type(exc).__name__}: {exc}"
        finally:
            sys.settrace(None)
            with self._cv:
                self._status[index] = DONE
                self._cv.notify_all()

    def _tracer(self, index: int) -> Any:
        filename = self.level.filename

        def program_line(frame: FrameType, event: str, _arg: Any) -> Any:
            if event == "line":
                self._gate(index, frame.f_lineno, waking=False)
            return program_line

        def relock(frame: FrameType, event: str, _arg: Any) -> Any:
            if event == "line" and frame.f_lineno == RELOCK_LINE:
                line = _program_line(frame, filename)
                self._gate(index, line, waking=True, lock=frame.f_locals["self"]._lock)
            return relock

        def on_call(frame: FrameType, event: str, _arg: Any) -> Any:
            if frame.f_code.co_filename == filename:
                return program_line
            if frame.f_code is WAIT_CODE:
                return relock
            if frame.f_code is ENTER_CODE:  # "with cond:" is about to take the lock
                lock = frame.f_locals["self"]._lock
                if _owner(lock) not in (0, threading.get_ident()):
                    self._gate(index, _program_line(frame, filename), waking=False, lock=lock)
            return None  # library code runs untraced, at full speed

        return on_call

    def _gate(self, index: int, line: int | None, waking: bool, lock: Any = None) -> None:
        """Wait here until released. With ``lock`` (a condition's RLock the next move takes),
        wait as BLOCKED while another thread owns it: parked here instead of in the lock, two
        waiting threads never race for it, so which one gets it is the schedule's choice."""
        me = threading.get_ident()
        with self._cv:
            self._line[index] = line
            self._waking[index] = waking
            while True:
                owned = lock is not None and _owner(lock) not in (0, me)
                self._parked[index] = lock if owned else None
                self._status[index] = BLOCKED if owned else READY
                self._cv.notify_all()
                while not self._go[index] and not self._stopping:
                    self._cv.wait(POLL_S)
                self._go[index] = False
                if self._stopping:
                    raise LevelStopped
                if lock is None or _owner(lock) in (0, me):
                    break
            self._parked[index] = None
            self._status[index] = RUNNING

    # ------------------------------------------------------------ the engine's side
    def start(self) -> None:
        """Start the threads; each stops at its first line (or ends, for an empty program)."""
        for worker in self._workers:
            worker.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        with self._cv:
            while RUNNING in self._status:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"level {self.level.id}: a thread never reached its first line"
                    )
                self._cv.wait(left)

    def status(self, index: int) -> str:
        return self._status[index]

    def line_of(self, index: int) -> int | None:
        """The program line thread ``index`` runs next (or is stuck on)."""
        return self._line[index]

    def waking(self, index: int) -> bool:
        """True if the thread's next step is taking a condition's lock back after a wake-up."""
        return self._waking[index] and self._status[index] == READY

    def steppable(self) -> list[int]:
        return [i for i, s in enumerate(self._status) if s == READY]

    def view(self) -> View:
        return View(self.ns, tuple(self._status), dict(self.errors))

    def step(self, index: int) -> StepRecord:
        """Release one line of thread ``index`` and wait until every thread has settled."""
        if self._status[index] == BLOCKED:
            self._settle(self.block_bound_s)  # a second look: a slow thread is not a stuck one
        if self._stopping or not 0 <= index < self.threads or self._status[index] != READY:
            raise ValueError(f"Thread-{index + 1} is {self._describe(index)}: it cannot step now")
        line, waking = self._line[index], self._waking[index]
        blocked_before = {i for i, s in enumerate(self._status) if s == BLOCKED}
        with self._cv:
            self._status[index] = RUNNING
            self._parked[index] = None  # it parks again itself if its lock is taken by then
            self._go[index] = True
            self._cv.notify_all()
        self._settle(self.block_bound_s)
        status = self._status[index]
        if status == DONE:
            outcome = f"raised {self.errors[index]}" if index in self.errors else "finished"
        elif status == BLOCKED:
            outcome = "blocked"
        else:
            outcome = "woke up and took the lock back" if waking else "ran"
        woke = tuple(i for i in sorted(blocked_before) if self._status[i] != BLOCKED)
        record = StepRecord(
            len(self.history) + 1, index, line, self.level.line_text(line), outcome, woke
        )
        self.history.append(record)
        return record

    def _describe(self, index: int) -> str:
        return self._status[index] if 0 <= index < self.threads else "no such thread"

    def _settle(self, bound_s: float) -> None:
        """Wait until each released thread is at a gate, ended, or surely stuck.

        A thread still out after ``bound_s`` is BLOCKED; when no thread could step, the bound is
        stretched before a deadlock is declared (a loaded machine is not a stuck program).
        """
        start = time.monotonic()
        with self._cv:
            while True:
                out = [i for i, s in enumerate(self._status) if s in (RUNNING, BLOCKED)]
                unsure = [
                    i for i in out if self._parked[i] is None and not self._sleeping_in_wait(i)
                ]
                waited = time.monotonic() - start
                limit = bound_s if READY in self._status else max(4 * bound_s, CONFIRM_S)
                if not unsure or waited >= limit:
                    break
                self._cv.wait(min(0.002, limit - waited))
            for i in out:
                if self._status[i] == RUNNING:
                    self._status[i] = BLOCKED
            for i, lock in enumerate(self._parked):  # may take its lock now, or no longer
                if lock is not None and self._status[i] in (READY, BLOCKED):
                    self._status[i] = READY if _owner(lock) == 0 else BLOCKED

    def _sleeping_in_wait(self, index: int) -> bool:
        """True if the thread sleeps in ``Condition.wait`` and nobody has notified it yet."""
        ident = self._workers[index].ident
        frame = sys._current_frames().get(ident) if ident is not None else None
        if frame is None:
            return False
        if frame.f_code is not WAIT_CODE or frame.f_lineno not in SLEEP_LINES:
            return False
        names = frame.f_locals
        cond, waiter = names.get("self"), names.get("waiter")
        return cond is not None and waiter is not None and waiter in cond._waiters

    # ------------------------------------------------------------ ending
    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> bool:
        """End every thread (gates raise LevelStopped, stuck ones are nudged); True if all ended."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        deadline = time.monotonic() + timeout_s
        while self.alive_threads() and time.monotonic() < deadline:
            unblock(self.ns)
            for worker in self._workers:
                worker.join(0.01)
        return not self.alive_threads()

    def alive_threads(self) -> int:
        return sum(worker.is_alive() for worker in self._workers)


def unblock(ns: dict[str, Any]) -> None:
    """Nudge every primitive in the program so a thread stuck in it moves (to its gate, then out).

    Plain locks may be released by any thread; conditions are notified; semaphores released;
    barriers aborted; a full queue loses an item and an empty one gets a None.
    """
    for value in list(ns.values()):
        name = type(value).__name__
        try:
            if isinstance(value, LOCK_TYPE):
                if value.locked():
                    value.release()
            elif name == "Condition":
                if value.acquire(False):
                    try:
                        value.notify_all()
                    finally:
                        value.release()
                else:
                    _free_if_orphaned(value._lock)
            elif name in ("Semaphore", "BoundedSemaphore"):
                value.release()
            elif name == "Barrier":
                value.abort()
            elif name == "Queue":
                if value.full():
                    value.get_nowait()
                else:
                    value.put_nowait(None)
        except (RuntimeError, ValueError, queue.Empty, queue.Full):
            continue  # another thread moved it first: the next round looks again


def _owner(lock: Any) -> int:
    """The thread id owning an RLock (0 when free or not an RLock): its repr says it."""
    match = re.search(r"owner=(\d+)", repr(lock))
    return int(match.group(1)) if match else 0


def _free_if_orphaned(lock: Any) -> None:
    """Release a condition's RLock whose owner has ended without releasing it.

    A thread stopped at the gate on a ``with cond:`` line that is about to *leave* the block
    unwinds from there without running ``__exit__`` (the line event comes before it), so it can
    end holding the lock. ``_release_save`` releases an RLock whoever holds it.
    """
    owner = _owner(lock)
    if owner and owner not in {t.ident for t in threading.enumerate()}:
        lock._release_save()


def _program_line(frame: FrameType | None, filename: str) -> int | None:
    """The line of the innermost program frame at or above ``frame`` (the call into a library)."""
    while frame is not None and frame.f_code.co_filename != filename:
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None
