"""The wait-for graph of threads and locks: who holds what, who waits for what, and its cycles.

Each lock has at most one holder and each thread waits for at most one lock, so following
"thread waits for lock, lock is held by thread" from any thread is a walk with one way forward.
A walk that comes back to a thread it already visited has found a cycle: every thread on it waits
for a lock that the next one holds, and none of them can move. That is a deadlock, provided that
no one on the cycle gave up waiting (an ``acquire(timeout=...)`` ends by itself).

The graph travels to the GUI as a value (:meth:`WaitGraph.as_dict`, read back with
:meth:`WaitGraph.from_dict`). The detector's lane also shows it in a compact text form for
tooltips, within the ring's 44 bytes: ``wfg p 01.3/1.34`` reads "lock 0 held by thread 0, lock 1
by thread 1, lock 2 free, lock 3 by thread 3; thread 0 waits for lock 1, thread 1 for nothing,
...". One digit per node is enough for the lesson's limit of 10 threads and 10 locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_NODES = 10  # one digit per node in the compact form
FREE = "."

Slot = int | None


def find_cycle(holder: Sequence[Slot], waits: Sequence[Slot]) -> list[int]:
    """The threads of a wait-for cycle in waiting order (empty if there is none).

    ``holder[lock]`` is the thread holding that lock (or None); ``waits[thread]`` is the lock the
    thread waits for (or None). The first thread listed waits for a lock held by the second, and
    so on; the last waits for a lock held by the first.
    """

    def after(thread: int) -> int | None:
        lock = waits[thread]
        if lock is None or not 0 <= lock < len(holder):
            return None
        return holder[lock]

    finished: set[int] = set()  # threads whose walk is known to end without a cycle
    for start in range(len(waits)):
        path: list[int] = []
        on_path: set[int] = set()
        thread: int | None = start
        while thread is not None and thread not in finished and thread not in on_path:
            path.append(thread)
            on_path.add(thread)
            thread = after(thread)
        if thread is not None and thread in on_path:
            return path[path.index(thread) :]
        finished.update(path)
    return []


def node_names(mode: str, count: int) -> tuple[list[str], list[str]]:
    """Thread and lock names: T1, T2 and A, B for two locks; P1.. and F1.. for philosophers."""
    if mode == "two":
        return [f"T{i + 1}" for i in range(count)], [chr(ord("A") + i) for i in range(count)]
    return [f"P{i + 1}" for i in range(count)], [f"F{i + 1}" for i in range(count)]


@dataclass(frozen=True)
class WaitGraph:
    """One snapshot: ``holder[lock] -> thread`` and ``waits[thread] -> lock`` (None: nothing)."""

    mode: str  # "two" or "philosophers": only used to name the nodes
    holder: tuple[Slot, ...]
    waits: tuple[Slot, ...]

    @property
    def names(self) -> tuple[list[str], list[str]]:
        """Thread names and lock names."""
        return node_names(self.mode, max(len(self.waits), len(self.holder)))

    def cycle(self) -> list[int]:
        """The threads of a cycle, if any (see :func:`find_cycle`)."""
        return find_cycle(self.holder, self.waits)

    def cycle_locks(self) -> list[int]:
        """The locks the cycle's threads wait for, in the same order as :meth:`cycle`."""
        return [lock for t in self.cycle() if (lock := self.waits[t]) is not None]

    def edges(self) -> list[tuple[str, str, str]]:
        """``(from, to, kind)``: "holds" runs lock -> thread, "waits" runs thread -> lock."""
        threads, locks = self.names
        out = [(locks[j], threads[t], "holds") for j, t in enumerate(self.holder) if t is not None]
        out += [(threads[t], locks[j], "waits") for t, j in enumerate(self.waits) if j is not None]
        return out

    def path_text(self, arrow: str = "→") -> str:
        """The cycle as ``T1→B→T2→A→T1`` (empty if there is none)."""
        threads, locks = self.names
        cycle = self.cycle()
        if not cycle:
            return ""
        steps: list[str] = []
        for t, j in zip(cycle, self.cycle_locks(), strict=True):
            steps += [threads[t], locks[j]]
        return arrow.join([*steps, threads[cycle[0]]])

    def encode(self) -> str:
        """The compact detail form for tooltips, at most 27 bytes (see the module docstring)."""

        def digits(slots: Sequence[Slot]) -> str:
            return "".join(FREE if s is None else str(s) for s in slots)

        kind = "t" if self.mode == "two" else "p"
        return f"wfg {kind} {digits(self.holder)}/{digits(self.waits)}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: nodes, edges and the cycle by name, plus the raw slots."""
        threads, locks = self.names
        return {
            "mode": self.mode,
            "nodes": [{"id": n, "kind": "thread"} for n in threads]
            + [{"id": n, "kind": "lock"} for n in locks],
            "edges": [list(edge) for edge in self.edges()],
            "cycle": [threads[t] for t in self.cycle()],
            "holder": list(self.holder),
            "waits": list(self.waits),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WaitGraph:
        """Inverse of :meth:`as_dict` (reads the raw slots)."""
        return cls(str(data["mode"]), tuple(data["holder"]), tuple(data["waits"]))
