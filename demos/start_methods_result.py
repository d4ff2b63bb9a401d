"""The Start methods lesson's result: start-up cost per method, the default, and how each child
of the fork-after-threads demonstration ended."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from demos.result_json import from_json

NEW_DEFAULT_VERSION = (3, 14)  # the first Python whose default on Linux is forkserver
WARNING_VERSION = (3, 12)  # the first Python that warns on fork() with threads running


def default_note(default: str, version: tuple[int, int], platform: str) -> str:
    """This Python's default start method, and what 3.14 changed, said for the running
    version and platform."""
    if platform == "win32":
        return f"this Python's default is {default}: Windows has no fork"
    if platform == "darwin":
        return f"this Python's default is {default} (macOS left fork in 3.8: not safe there)"
    if version >= NEW_DEFAULT_VERSION:
        return f"this Python's default is {default}; Python 3.14 changed it from fork"
    return f"this Python's default is {default}; Python 3.14 changes it to forkserver"


@dataclass(frozen=True)
class MethodCost:
    """One start method: ms from ``Process.start()`` to the child's first report, and to its
    join, the median of ``samples`` starts (the first of which is kept apart: ``first_ms``)."""

    method: str
    start_ms: float
    join_ms: float
    first_ms: float
    samples: int


@dataclass(frozen=True)
class TrapChild:
    """One child of the fork-after-threads demonstration, started while another thread of the
    parent held the lock the child then takes."""

    method: str
    reached_acquire: bool  # it said "about to acquire"
    took_lock: bool  # and then "got it"
    waited_s: float  # from "about to acquire" to "got it", or to being given up on
    stopped: str  # "" if it ended by itself, else "terminated" or "killed"


@dataclass(frozen=True)
class StartMethodsResult:
    """One run: the methods measured, the default, and the demonstration's children."""

    python: str
    platform: str
    default_method: str
    chosen_method: str  # the method chosen for the measuring process by a call, "" if none
    available: tuple[str, ...]
    costs: tuple[MethodCost, ...]
    deadline_s: float
    trap: tuple[TrapChild, ...]
    trap_skipped: str  # why the demonstration did not run, "" if it did
    fork_warning: str  # what Python said on fork() with a thread running ("" if nothing)

    @property
    def default_note(self) -> str:
        """The default, said for this version."""
        major, minor = (int(part) for part in self.python.split(".")[:2])
        return default_note(self.default_method, (major, minor), self.platform)

    def cost(self, method: str) -> MethodCost | None:
        """The measured cost of ``method``, if it was measured."""
        return next((c for c in self.costs if c.method == method), None)

    def child(self, method: str) -> TrapChild | None:
        """The demonstration's child started with ``method``, if there was one."""
        return next((c for c in self.trap if c.method == method), None)

    def verdict(self) -> str:
        """What the figures show, from the figures alone."""
        parts = []
        if self.costs:
            cheapest = min(self.costs, key=lambda c: c.start_ms)
            dearest = max(self.costs, key=lambda c: c.start_ms)
            text = f"{cheapest.method} started a child in {cheapest.start_ms:.1f} ms"
            if dearest is not cheapest:
                ratio = dearest.start_ms / max(cheapest.start_ms, 1e-3)
                text += f", {dearest.method} in {dearest.start_ms:.1f} ms ({ratio:.0f}x)"
            parts.append(text + ".")
        forked = self.child("fork")
        if forked is not None and forked.reached_acquire and not forked.took_lock:
            how = f", {forked.stopped}" if forked.stopped else ""
            parts.append(
                f"The fork child froze on a lock copied while held: stopped after "
                f"{forked.waited_s:.1f} s{how}."
            )
        elif forked is not None and forked.took_lock:
            parts.append("The fork child took the lock: it was free when the child was forked.")
        fresh = [c for c in self.trap if c.method != "fork" and c.took_lock]
        if fresh:
            names = " and ".join(c.method for c in fresh)
            children = "child" if len(fresh) == 1 else "children"
            parts.append(f"The {names} {children} took a fresh lock at once.")
        if self.trap_skipped:
            parts.append(self.trap_skipped)
        parts.append(self.default_note[0].upper() + self.default_note[1:] + ".")
        return " ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The figures and the verdict, for ``--json`` and saved runs."""
        return {**asdict(self), "default_note": self.default_note, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: object) -> StartMethodsResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def method_cost(method: str, samples: Sequence[tuple[int, int, int]]) -> MethodCost:
    """The median cost of ``samples``: (start, first report, joined) in ns, one per child."""
    starts = [(first - t0) / 1e6 for t0, first, _ in samples]
    joins = [(joined - t0) / 1e6 for t0, _, joined in samples]
    return MethodCost(
        method=method,
        start_ms=round(statistics.median(starts), 2),
        join_ms=round(statistics.median(joins), 2),
        first_ms=round(starts[0], 2),
        samples=len(samples),
    )


def summarize(raw: dict[str, Any]) -> StartMethodsResult:
    """The result from the measuring thread's raw figures."""
    samples: dict[str, list[Any]] = raw.get("samples", {})
    return StartMethodsResult(
        python=str(raw.get("python", ".".join(map(str, sys.version_info[:3])))),
        platform=str(raw.get("platform", sys.platform)),
        default_method=str(raw.get("default_method", "")),
        chosen_method=str(raw.get("chosen_method") or ""),
        available=tuple(raw.get("available", ())),
        costs=tuple(method_cost(m, [tuple(s) for s in got]) for m, got in samples.items() if got),
        deadline_s=float(raw.get("deadline_s", 0.0)),
        trap=tuple(TrapChild(**child) for child in raw.get("trap", [])),
        trap_skipped=str(raw.get("trap_skipped", "")),
        fork_warning=str(raw.get("fork_warning", "")),
    )
