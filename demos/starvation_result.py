"""The Starvation lesson's result: turns per worker, waits, Jain's index, and the verdict from them.

Fairness is measured with Jain's index over acquisitions, ``J = (sum x)^2 / (n * sum x^2)``:
1 when every worker got the same share, ``1/n`` when one worker got everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from demos.json_fields import (
    as_float,
    mapping,
    read_bool,
    read_float,
    read_int,
    read_int_list,
    read_list,
)

ROLES = ("greedy", "polite")
# Wait-time histogram bin edges in ms, one decade each: waits range from microseconds (the
# greedy re-acquiring its own lock) to the whole run (a starved polite worker).
WAIT_EDGES_MS = (0.0, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, float("inf"))
WAIT_BIN_LABELS = ("<10us", "<0.1ms", "<1ms", "<10ms", "<0.1s", "<1s", ">=1s")
# Jain's index from this on reads as "fair": with four workers it allows one to get about half
# as many turns as the others, as timer jitter alone does in a run of a few seconds.
FAIR_INDEX = 0.9


def jain_index(shares: Sequence[int] | Sequence[float]) -> float:
    """Jain's fairness index: 1 for equal shares, 1/n when one takes all (0 if none took any)."""
    total = sum(shares)
    squares = sum(x * x for x in shares)
    return total * total / (len(shares) * squares) if squares else 0.0


def wait_histogram(waits_s: Sequence[float]) -> list[int]:
    """How many waits fell into each bin of :data:`WAIT_EDGES_MS`."""
    counts = [0] * (len(WAIT_EDGES_MS) - 1)
    for wait in waits_s:
        ms = wait * 1000
        for b in range(len(counts)):
            if ms < WAIT_EDGES_MS[b + 1]:
                counts[b] += 1
                break
    return counts


@dataclass(frozen=True)
class WorkerTurns:
    """One worker's share: ``greedy-1`` or ``polite-2``, its turns, its mean wait for the lock."""

    name: str
    acquisitions: int
    mean_wait_ms: float | None  # None: it never got the lock

    @property
    def role(self) -> str:
        """``greedy`` or ``polite``."""
        return self.name.split("-")[0]


@dataclass(frozen=True)
class StarvationResult:
    """One run: the lock, the settings, each worker's turns and the wait histogram per role."""

    fair: bool
    duration_s: float
    hold_ms: float
    workers: tuple[WorkerTurns, ...]
    max_wait_ms: float
    greedy_waits: tuple[int, ...]  # waits per bin of WAIT_BIN_LABELS, greedy workers
    polite_waits: tuple[int, ...]  # the same, polite workers

    @property
    def jain_index(self) -> float:
        """Jain's index over the workers' acquisitions."""
        return round(jain_index([w.acquisitions for w in self.workers]), 4)

    @property
    def total_acquisitions(self) -> int:
        """Turns of all workers together."""
        return sum(w.acquisitions for w in self.workers)

    def verdict(self) -> str:
        """Who got the lock how often, from the counts (a fair lock can still measure unfair,
        and threading.Lock can happen to share well)."""
        counts = [w.acquisitions for w in self.workers]
        lock = "the fair lock" if self.fair else "threading.Lock"
        jain = self.jain_index
        starved = [w.name for w in self.workers if w.acquisitions == 0]
        if not counts or max(counts) == 0:
            return f"No worker got the lock in {self.duration_s:g} s."
        if starved:
            verdict = (
                f"With {lock}, {', '.join(starved)} never got the lock in {self.duration_s:g} s."
            )
        elif jain >= FAIR_INDEX:
            verdict = f"Fair enough: with {lock} every worker got a similar share (J = {jain:.2f})."
        else:
            advice = " Try the fair lock." if not self.fair else ""
            verdict = (
                f"Unfair: with {lock} the busiest worker got {max(counts)} turns and the least "
                f"busy {min(counts)} (J = {jain:.2f}).{advice}"
            )
        return (
            f"{verdict} Longest wait {self.max_wait_ms:.1f} ms; "
            f"{self.total_acquisitions:,} acquisitions in all."
        )

    def as_json(self) -> dict[str, Any]:
        """The twin's JSON line and the lab's "result" (keys by worker name), and the verdict."""
        return {
            "fair": self.fair,
            "duration_s": self.duration_s,
            "hold_ms": self.hold_ms,
            "workers": [w.name for w in self.workers],
            "acquisitions": {w.name: w.acquisitions for w in self.workers},
            "jain_index": self.jain_index,
            "mean_wait_ms": {w.name: w.mean_wait_ms for w in self.workers},
            "max_wait_ms": self.max_wait_ms,
            "wait_bins": list(WAIT_BIN_LABELS),
            "wait_histogram": {
                "greedy": list(self.greedy_waits),
                "polite": list(self.polite_waits),
            },
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: object) -> StarvationResult:
        """The result :meth:`as_json` wrote (the index and the verdict are derived and ignored);
        KeyError, TypeError or ValueError for anything else."""
        fields = mapping(data)
        acquisitions = mapping(fields["acquisitions"], "acquisitions")
        mean_waits = mapping(fields["mean_wait_ms"], "mean_wait_ms")
        workers = []
        for name in read_list(fields, "workers"):
            if not isinstance(name, str) or name.split("-")[0] not in ROLES:
                raise ValueError(f"a worker is greedy-N or polite-N, not {name!r}")
            wait = mean_waits[name]
            workers.append(
                WorkerTurns(
                    name,
                    read_int(acquisitions, name),
                    None if wait is None else as_float(wait, f"mean_wait_ms of {name}"),
                )
            )
        histogram = mapping(fields["wait_histogram"], "wait_histogram")
        bins = {role: read_int_list(histogram, role, len(WAIT_BIN_LABELS)) for role in ROLES}
        return cls(
            fair=read_bool(fields, "fair"),
            duration_s=read_float(fields, "duration_s"),
            hold_ms=read_float(fields, "hold_ms"),
            workers=tuple(workers),
            max_wait_ms=read_float(fields, "max_wait_ms"),
            greedy_waits=bins["greedy"],
            polite_waits=bins["polite"],
        )
