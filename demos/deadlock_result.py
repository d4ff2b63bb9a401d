"""The deadlock lesson's result: what the detector and the lock table saw, and the verdict.

Built from the lock table when a run ends (:func:`demos.deadlock.result`); the twin adds how its
own Cancel went and the run time, the GUI adds the run time it measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from demos import json_fields as jf
from demos.waitgraph import Slot, WaitGraph

MODES = ("two", "philosophers")
FIXES = ("none", "ordering", "timeout")


def _slots(data: Mapping[str, Any], key: str) -> tuple[Slot, ...]:
    value = data[key]
    if not isinstance(value, list | tuple):
        raise TypeError(f"graph.{key}: expected a list, not {type(value).__name__}")
    for slot in value:
        if slot is not None and (not isinstance(slot, int) or isinstance(slot, bool)):
            raise TypeError(f"graph.{key}: {slot!r} is neither a number nor null")
        if slot is not None and not 0 <= slot < len(value):
            raise ValueError(f"graph.{key}: {slot} names no node")
    return tuple(value)


def graph_from_json(data: Mapping[str, Any]) -> WaitGraph:
    """A :class:`WaitGraph` from its ``as_dict()``, checked (TypeError/ValueError/KeyError)."""
    return WaitGraph(jf.one_of(data, "mode", MODES), _slots(data, "holder"), _slots(data, "waits"))


@dataclass(frozen=True)
class DeadlockResult:
    """One run's figures. ``graph`` is the deadlock's wait-for graph if one was detected, else
    the last one the detector saw. ``cancelled`` / ``stopped_after_cancel_s`` are the twin's own
    Cancel (None in the GUI, where Cancel is the user's); ``elapsed_s`` is the run time, when
    known."""

    mode: str
    fix: str
    threads: int
    rounds: int
    rounds_done: tuple[int, ...]
    detected_after_s: float | None  # None: no deadlock detected
    cycles_broken_by_timeout: int
    retries: int
    recovered: bool  # every thread ended (after Cancel, if there was one)
    graph: WaitGraph
    cancelled: bool | None = None
    stopped_after_cancel_s: float | None = None
    elapsed_s: float | None = None

    @property
    def deadlock_detected(self) -> bool:
        """The detector saw a ring no timeout would break."""
        return self.detected_after_s is not None

    @property
    def completed(self) -> bool:
        """Every thread finished every round."""
        return all(n == self.rounds for n in self.rounds_done)

    @property
    def cycle(self) -> str:
        """The deadlock's ring as ``T1→B→T2→A→T1``; empty without a deadlock."""
        return self.graph.path_text() if self.deadlock_detected else ""

    @property
    def rounds_planned(self) -> int:
        """Rounds asked for, all threads together."""
        return self.threads * self.rounds

    def verdict(self) -> str:
        """What the run showed, from the figures (a fix that was asked for proves nothing)."""
        took = "" if self.elapsed_s is None else f" in {self.elapsed_s:.2f} s"
        if self.deadlock_detected:
            if not self.recovered:
                return f"Deadlock: {self.cycle}. Some threads did NOT end, even after Cancel."
            return (
                f"Deadlock: {self.cycle}. Cancel ended all threads{took} of run time; "
                "none could have finished on its own."
            )
        if self.completed and self.cycles_broken_by_timeout:
            return (
                f"All rounds done{took}. A ring formed {self.cycles_broken_by_timeout} times "
                f"and a timeout broke it each time ({self.retries} retries after backing off)."
            )
        if self.completed and self.retries:
            return (
                f"All rounds done{took}. Timeouts gave up {self.retries} times and backed off, "
                "before the detector ever saw a whole ring."
            )
        if self.completed and self.fix == "ordering":
            return (
                f"All rounds done{took} and no ring ever formed: with a global lock order "
                "nobody waits for a lock while holding a higher one."
            )
        if self.completed:
            return f"All rounds done{took}: this time no ring formed."
        done = sum(self.rounds_done)
        how = "Cancelled" if self.cancelled else "Ended"
        after = "" if self.elapsed_s is None else f" after {self.elapsed_s:.2f} s"
        return f"{how}{after} with {done} of {self.rounds_planned} rounds done and no deadlock."

    def as_json(self) -> dict[str, Any]:
        """The figures (the derived ones too, as saved runs and tests read them) and verdict."""
        data: dict[str, Any] = {
            "mode": self.mode,
            "fix": self.fix,
            "threads": self.threads,
            "rounds": self.rounds,
            "rounds_done": list(self.rounds_done),
            "completed": self.completed,
            "deadlock_detected": self.deadlock_detected,
            "detected_after_s": self.detected_after_s,
            "cycle": self.cycle,
            "cycles_broken_by_timeout": self.cycles_broken_by_timeout,
            "retries": self.retries,
            "recovered": self.recovered,
            "graph": self.graph.as_dict(),
        }
        if self.cancelled is not None:
            data["cancelled"] = self.cancelled
            data["stopped_after_cancel_s"] = self.stopped_after_cancel_s
        if self.elapsed_s is not None:
            data["elapsed_s"] = self.elapsed_s
        return {**data, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeadlockResult:
        """Inverse of :meth:`as_json` (derived keys and the verdict are recomputed)."""
        threads, rounds = jf.need(data, "threads", int), jf.need(data, "rounds", int)
        rounds_done = jf.items(data, "rounds_done", int)
        if threads < 1 or rounds < 1 or len(rounds_done) != threads:
            raise ValueError(f"{threads} threads of {rounds} rounds, rounds done {rounds_done}")
        if any(not 0 <= n <= rounds for n in rounds_done):
            raise ValueError(f"rounds done {rounds_done} out of 0..{rounds}")
        return cls(
            mode=jf.one_of(data, "mode", MODES),
            fix=jf.one_of(data, "fix", FIXES),
            threads=threads,
            rounds=rounds,
            rounds_done=rounds_done,
            detected_after_s=jf.maybe(data, "detected_after_s", float),
            cycles_broken_by_timeout=jf.need(data, "cycles_broken_by_timeout", int),
            retries=jf.need(data, "retries", int),
            recovered=jf.need(data, "recovered", bool),
            graph=graph_from_json(jf.member(data, "graph")),
            cancelled=jf.maybe(data, "cancelled", bool) if "cancelled" in data else None,
            stopped_after_cancel_s=(
                jf.maybe(data, "stopped_after_cancel_s", float)
                if "stopped_after_cancel_s" in data
                else None
            ),
            elapsed_s=jf.maybe(data, "elapsed_s", float) if "elapsed_s" in data else None,
        )
