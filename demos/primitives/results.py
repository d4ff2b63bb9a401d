"""Each primitive's result: the figures one run measured and the verdict they support.

A scenario's shared object builds its result when the run ends; :func:`result_from_json` reads
back what ``as_json`` wrote (the lab sends it between processes; saved runs keep it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from demos import json_fields as jf
from demos.primitives.results_more import (
    MORE_RESULT_TYPES,
    ConditionResult,
    EventResult,
    RLockResult,
)

# A bounded buffer whose one side waited less than this many seconds in all did not wait
# noticeably: below it, timer and scheduling noise decide which side "waited more".
NOTICEABLE_WAIT_S = 0.01


def _times(data: Mapping[str, Any], key: str) -> dict[str, float]:
    return {str(n): jf.check(s, float, f"{key}.{n}") for n, s in jf.member(data, key).items()}


def _hold(value: object) -> tuple[str, int, int]:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise TypeError(f"a hold is (thread, acquired_ns, released_ns), not {value!r}")
    name, t0, t1 = value
    return jf.check(name, str, "hold"), jf.check(t0, int, "hold"), jf.check(t1, int, "hold")


@dataclass(frozen=True)
class ThreadTimes:
    """How long one thread held the lock and waited for it, in all."""

    name: str
    held_s: float
    waited_s: float


@dataclass(frozen=True)
class LockResult:
    """Mutual exclusion measured: ``holds`` are (thread, acquired_ns, released_ns) in order."""

    primitive: ClassVar[str] = "lock"
    workers: int
    rounds: int
    hold_ms: int
    work_ms: int
    per_thread: tuple[ThreadTimes, ...]
    total_hold_s: float
    locked_span_s: float
    busy_share: float
    max_waiters: int
    overlaps: int  # holds that began before the previous one ended: 0 if the lock works
    holds: tuple[tuple[str, int, int], ...]

    @property
    def acquisitions(self) -> int:
        """Holds recorded, one per acquire."""
        return len(self.holds)

    def verdict(self) -> str:
        """Mutual exclusion held or not, from the recorded holds."""
        if not self.holds:
            return "No thread got the lock before the run ended."
        if self.overlaps:
            return (
                f"Mutual exclusion FAILED: {self.overlaps} holds began before the previous "
                "one ended."
            )
        return (
            "Mutual exclusion held: no two threads held the lock at once, and the holds fill "
            f"{self.busy_share:.0%} of the time between the first acquire and the last release."
        )

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {
            "primitive": self.primitive,
            "workers": self.workers,
            "rounds": self.rounds,
            "hold_ms": self.hold_ms,
            "work_ms": self.work_ms,
            "acquisitions": self.acquisitions,
            "hold_s": {t.name: t.held_s for t in self.per_thread},
            "wait_s": {t.name: t.waited_s for t in self.per_thread},
            "total_hold_s": self.total_hold_s,
            "locked_span_s": self.locked_span_s,
            "busy_share": self.busy_share,
            "max_waiters": self.max_waiters,
            "overlaps": self.overlaps,
            "holds": [list(h) for h in self.holds],
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockResult:
        """Inverse of :meth:`as_json`; a twin's line (no ``holds``) reads with none."""
        held, waited = _times(data, "hold_s"), _times(data, "wait_s")
        if held.keys() != waited.keys():
            raise ValueError(f"hold_s and wait_s name different threads: {held}, {waited}")
        return cls(
            workers=jf.need(data, "workers", int),
            rounds=jf.need(data, "rounds", int),
            hold_ms=jf.need(data, "hold_ms", int),
            work_ms=jf.need(data, "work_ms", int),
            per_thread=tuple(ThreadTimes(n, s, waited[n]) for n, s in held.items()),
            total_hold_s=jf.need(data, "total_hold_s", float),
            locked_span_s=jf.need(data, "locked_span_s", float),
            busy_share=jf.need(data, "busy_share", float),
            max_waiters=jf.need(data, "max_waiters", int),
            overlaps=jf.need(data, "overlaps", int),
            holds=tuple(_hold(h) for h in data.get("holds", [])),
        )


@dataclass(frozen=True)
class SemaphoreResult:
    """How many threads were inside at once against the permits, and how often they waited."""

    primitive: ClassVar[str] = "semaphore"
    permits: int
    workers: int
    rounds: int
    hold_ms: int
    max_occupancy: int
    entries: int
    times_blocked: int
    wait_s_total: float
    wait_s_max: float

    def verdict(self) -> str:
        """The limit kept or not, and whether it made anyone wait."""
        inside = f"At most {self.max_occupancy} of {self.workers} threads were inside at once"
        if self.max_occupancy > self.permits:
            return f"{inside}: more than Semaphore({self.permits}) allows. It did not hold!"
        if not self.times_blocked:
            return f"{inside}, so Semaphore({self.permits}) never had to make one wait."
        return (
            f"{inside}: Semaphore({self.permits}) made the others wait {self.times_blocked} times."
        )

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {
            "primitive": self.primitive,
            "permits": self.permits,
            "workers": self.workers,
            "rounds": self.rounds,
            "hold_ms": self.hold_ms,
            "max_occupancy": self.max_occupancy,
            "entries": self.entries,
            "times_blocked": self.times_blocked,
            "wait_s_total": self.wait_s_total,
            "wait_s_max": self.wait_s_max,
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SemaphoreResult:
        """Inverse of :meth:`as_json`."""
        ints = ("permits", "workers", "rounds", "hold_ms", "max_occupancy", "entries")
        return cls(
            **{k: jf.need(data, k, int) for k in ints},
            times_blocked=jf.need(data, "times_blocked", int),
            wait_s_total=jf.need(data, "wait_s_total", float),
            wait_s_max=jf.need(data, "wait_s_max", float),
        )


@dataclass(frozen=True)
class BarrierResult:
    """Spreads per released round (ms), and the threads that caught BrokenBarrierError."""

    primitive: ClassVar[str] = "barrier"
    parties: int
    rounds: int
    late: bool
    timeout_ms: int | None  # only when one thread was made late
    release_spread_ms_per_round: tuple[float, ...]
    arrival_spread_ms_per_round: tuple[float, ...]
    handled_by: tuple[str, ...]

    @property
    def rounds_released(self) -> int:
        """Rounds in which the barrier let everyone go."""
        return len(self.release_spread_ms_per_round)

    @property
    def release_spread_ms(self) -> float | None:
        """The widest release spread of any round; None if none was released."""
        return max(self.release_spread_ms_per_round, default=None)

    @property
    def broken(self) -> bool:
        """Some thread caught BrokenBarrierError."""
        return bool(self.handled_by)

    def verdict(self) -> str:
        """Released together, or broken (and why, when the figures say)."""
        if self.broken:
            why = (
                f"The late thread missed the {self.timeout_ms} ms timeout: the barrier broke"
                if self.late and self.timeout_ms is not None
                else "The barrier broke"
            )
            return f"{why} and {len(self.handled_by)} threads caught BrokenBarrierError and ended."
        spread = self.release_spread_ms
        if spread is None:
            return "No round was released before the run ended."
        arrived = max(self.arrival_spread_ms_per_round, default=0.0)
        return (
            f"Threads arrived up to {arrived:.0f} ms apart and left within {spread:.2f} ms "
            "of each other."
        )

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {
            "primitive": self.primitive,
            "parties": self.parties,
            "rounds": self.rounds,
            "rounds_released": self.rounds_released,
            "late": self.late,
            "timeout_ms": self.timeout_ms,
            "release_spread_ms": self.release_spread_ms,
            "release_spread_ms_per_round": list(self.release_spread_ms_per_round),
            "arrival_spread_ms_per_round": list(self.arrival_spread_ms_per_round),
            "broken": self.broken,
            "broken_barrier_errors": len(self.handled_by),
            "handled_by": list(self.handled_by),
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BarrierResult:
        """Inverse of :meth:`as_json`."""
        release = jf.items(data, "release_spread_ms_per_round", float)
        arrival = jf.items(data, "arrival_spread_ms_per_round", float)
        if len(release) != len(arrival):
            raise ValueError(f"{len(release)} release spreads but {len(arrival)} arrival spreads")
        return cls(
            parties=jf.need(data, "parties", int),
            rounds=jf.need(data, "rounds", int),
            late=jf.need(data, "late", bool),
            timeout_ms=jf.maybe(data, "timeout_ms", int),
            release_spread_ms_per_round=release,
            arrival_spread_ms_per_round=arrival,
            handled_by=jf.items(data, "handled_by", str),
        )


@dataclass(frozen=True)
class QueueResult:
    """A bounded buffer: depth against capacity, and how long each side waited."""

    primitive: ClassVar[str] = "queue"
    capacity: int
    producers: int
    consumers: int
    produce_ms: int
    consume_ms: int
    items: int
    consumed: int
    max_depth: int
    mean_depth: float
    producer_blocks: int
    consumer_blocks: int
    producer_blocked_s: float
    consumer_blocked_s: float

    def verdict(self) -> str:
        """The capacity kept or not, and which side was the bottleneck, from who waited."""
        if self.max_depth > self.capacity:
            kept = f"The depth reached {self.max_depth}, past the capacity of {self.capacity}!"
        else:
            kept = "The depth stayed within the capacity"
        producers, consumers = self.producer_blocked_s, self.consumer_blocked_s
        if max(producers, consumers) < NOTICEABLE_WAIT_S:
            side = "neither side waited noticeably: they kept pace"
        elif producers > consumers:
            side = "consumers were the bottleneck: the queue filled and producers waited"
        else:
            side = "producers were the bottleneck: the queue ran empty and consumers waited"
        short = (
            ""
            if self.consumed == self.items
            else f" Only {self.consumed} of {self.items} items were consumed."
        )
        return f"{kept}; the {side}.{short}"

    def as_json(self) -> dict[str, Any]:
        """The twin's and the lab's keys, and the verdict."""
        return {"primitive": self.primitive, **asdict(self), "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueResult:
        """Inverse of :meth:`as_json`."""
        ints = (
            "capacity",
            "producers",
            "consumers",
            "produce_ms",
            "consume_ms",
            "items",
            "consumed",
            "max_depth",
            "producer_blocks",
            "consumer_blocks",
        )
        return cls(
            **{n: jf.need(data, n, int) for n in ints},
            mean_depth=jf.need(data, "mean_depth", float),
            producer_blocked_s=jf.need(data, "producer_blocked_s", float),
            consumer_blocked_s=jf.need(data, "consumer_blocked_s", float),
        )


PrimitiveResult = (
    LockResult
    | SemaphoreResult
    | BarrierResult
    | QueueResult
    | ConditionResult
    | EventResult
    | RLockResult
)
RESULT_TYPES: dict[str, type[PrimitiveResult]] = {
    t.primitive: t
    for t in (LockResult, SemaphoreResult, BarrierResult, QueueResult, *MORE_RESULT_TYPES)
}


def result_from_json(data: Mapping[str, Any]) -> PrimitiveResult:
    """The result of whichever primitive ``data["primitive"]`` names."""
    kind = jf.one_of(data, "primitive", tuple(RESULT_TYPES))
    return RESULT_TYPES[kind].from_json(data)
