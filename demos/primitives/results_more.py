"""The results of the Condition, Event and RLock scenarios: what one run measured, its verdict,
and the lines the twin prints (``lines``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from demos import json_fields as jf


@dataclass(frozen=True)
class ConditionResult:
    """Producer/consumer on one Condition: how often a woken consumer found nothing."""

    primitive: ClassVar[str] = "condition"
    producers: int
    consumers: int
    items: int  # made in all
    consumed: int
    if_not_while: bool  # the buggy ``if not items: wait()`` instead of ``wait_for``
    wakeups: int  # waits that ended by a notify (not by the poll's timeout)
    rechecked: int  # wait_for woke, found nothing, and waited again (the bug, absorbed)
    stolen: int  # wake-ups after which the queue was empty: the get failed (IndexError)
    consumer_blocked_s: float

    def verdict(self) -> str:
        """Zero stolen wake-ups with ``wait_for``; with ``if``, how many gets found nothing."""
        if self.stolen:
            return (
                f"{self.stolen} of {self.wakeups} wake-ups were stolen: the consumer checked "
                "with if, woke, and found the deque empty (IndexError). Use while or wait_for."
            )
        if self.if_not_while:
            how = "no other consumer ever got there first"
        else:
            how = f"wait_for re-checked {self.rechecked} wake-ups that found nothing"
        return (
            f"0 stolen wake-ups in {self.wakeups}: {how}, and "
            f"{self.consumed} of {self.items} items were consumed."
        )

    def lines(self) -> list[str]:
        """The twin's summary."""
        way = "if not items: wait()" if self.if_not_while else "wait_for(lambda: items)"
        return [
            f"{way}: {self.wakeups} wake-ups, {self.stolen} stolen (found the deque empty), "
            f"{self.rechecked} re-checked and waited again",
            f"{self.consumed} of {self.items} items consumed; consumers blocked "
            f"{self.consumer_blocked_s:.3f} s in all",
        ]

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {"primitive": self.primitive, **asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConditionResult:
        """Inverse of :meth:`as_json`."""
        ints = ("producers", "consumers", "items", "consumed", "wakeups", "rechecked", "stolen")
        return cls(
            **{n: jf.need(data, n, int) for n in ints},
            if_not_while=jf.need(data, "if_not_while", bool),
            consumer_blocked_s=jf.need(data, "consumer_blocked_s", float),
        )


@dataclass(frozen=True)
class EventResult:
    """How soon after ``set()`` each round's waiters woke, and how close together."""

    primitive: ClassVar[str] = "event"
    waiters: int
    rounds: int
    released: tuple[int, ...]  # waiters woken per round
    spread_ms_per_round: tuple[float, ...]  # last wake-up minus first, per round
    latency_ms_per_round: tuple[float, ...]  # last wake-up minus set(), per round

    @property
    def spread_ms(self) -> float | None:
        """The widest spread of any round; None when no round was set."""
        return max(self.spread_ms_per_round, default=None)

    @property
    def latency_ms(self) -> float | None:
        """The longest set()-to-last-wake-up of any round."""
        return max(self.latency_ms_per_round, default=None)

    def verdict(self) -> str:
        """All released at once, or who was missing."""
        if self.spread_ms is None or self.latency_ms is None:
            return "The Event was never set before the run ended."
        everyone = all(n == self.waiters for n in self.released)
        who = f"all {self.waiters} waiters" if everyone else f"{min(self.released)} waiters"
        return (
            f"One set() released {who}: they woke within {self.spread_ms:.2f} ms of each "
            f"other, the last {self.latency_ms:.2f} ms after set()."
        )

    def lines(self) -> list[str]:
        """The twin's summary."""
        return [
            f"released per round {list(self.released)} of {self.waiters}",
            f"spread_ms per round {list(self.spread_ms_per_round)}, "
            f"latency_ms per round {list(self.latency_ms_per_round)}",
        ]

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {
            "primitive": self.primitive,
            "waiters": self.waiters,
            "rounds": self.rounds,
            "released": list(self.released),
            "spread_ms": self.spread_ms,
            "latency_ms": self.latency_ms,
            "spread_ms_per_round": list(self.spread_ms_per_round),
            "latency_ms_per_round": list(self.latency_ms_per_round),
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventResult:
        """Inverse of :meth:`as_json`."""
        return cls(
            waiters=jf.need(data, "waiters", int),
            rounds=jf.need(data, "rounds", int),
            released=jf.items(data, "released", int),
            spread_ms_per_round=jf.items(data, "spread_ms_per_round", float),
            latency_ms_per_round=jf.items(data, "latency_ms_per_round", float),
        )


@dataclass(frozen=True)
class RLockResult:
    """The same recursion on an RLock and on a Lock: how deep each got, and what stopped it."""

    primitive: ClassVar[str] = "rlock"
    depth: int
    rlock_depth: int  # deepest level reached holding the RLock
    lock_depth: int  # deepest level whose acquire succeeded holding the Lock
    lock_stuck_at: int | None  # the level whose acquire of the Lock waited for itself
    detect_ms: int  # how long an acquire waits before it is called a self-deadlock
    recovered: bool  # the stuck thread unwound, then took the Lock again

    @property
    def rlock_ok(self) -> bool:
        """The RLock was re-entered all the way down."""
        return self.rlock_depth == self.depth

    def verdict(self) -> str:
        """The issue's sentence, from what happened."""
        rlock = "RLock fine" if self.rlock_ok else f"RLock stopped at depth {self.rlock_depth}"
        if self.lock_stuck_at is None:
            return f"Lock reached depth {self.lock_depth} without deadlocking, {rlock}."
        how = "detected and recovered" if self.recovered else "detected, NOT recovered"
        return (
            f"Lock deadlocked on itself at depth {self.lock_stuck_at}, {rlock} "
            f"(depth {self.rlock_depth} of {self.depth}); {how} after {self.detect_ms} ms."
        )

    def lines(self) -> list[str]:
        """The twin's summary."""
        stuck = "never" if self.lock_stuck_at is None else f"at depth {self.lock_stuck_at}"
        return [
            f"RLock: reached depth {self.rlock_depth} of {self.depth}",
            f"Lock: reached depth {self.lock_depth}, waited for itself {stuck}, "
            f"recovered {self.recovered}",
        ]

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {
            "primitive": self.primitive,
            **asdict(self),
            "rlock_ok": self.rlock_ok,
            "lock_deadlocked": self.lock_stuck_at is not None,
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RLockResult:
        """Inverse of :meth:`as_json`."""
        ints = ("depth", "rlock_depth", "lock_depth", "detect_ms")
        return cls(
            **{n: jf.need(data, n, int) for n in ints},
            lock_stuck_at=jf.maybe(data, "lock_stuck_at", int),
            recovered=jf.need(data, "recovered", bool),
        )


MORE_RESULT_TYPES = (ConditionResult, EventResult, RLockResult)
