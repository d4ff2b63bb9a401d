"""Event: N waiters block on one ``threading.Event``; one ``set()`` releases them all.

Each round every waiter calls ``event.wait()`` and shows BLOCKED. When the last one is waiting,
the setter thread waits ``delay_ms`` more, stamps the moment and calls ``set()`` (a dashed line
on the timeline). Each waiter stamps the moment its ``wait()`` returned: the spread of those
moments, and how long after ``set()`` the last one woke, are the figures. Each round uses a new
Event, so nobody has to ``clear()`` one that others may still be reading.
"""

from __future__ import annotations

import threading
from typing import Any

from demos.context import WorkerContext
from demos.events import State, now_ns
from demos.primitives.common import emit_at, wait_for
from demos.primitives.results_more import EventResult
from demos.protocol import Msg
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives event",
    "waiters block on one threading.Event; set() releases them all at once",
    (
        Param("waiters", int, 8, 1, 16, caption="&Waiters", help="Threads that wait on the Event"),
        Param("rounds", int, 3, 1, 5, caption="Rou&nds", help="How many times the Event is set"),
        Param(
            "delay_ms",
            int,
            300,
            20,
            2000,
            unit="ms",
            caption="&Delay before set()",
            help="How long every waiter waits before the setter calls set()",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
KEY_FUNCTIONS = ("setter_worker", "waiter_worker")
WORK_S = 0.1  # a waiter's work after each release, before it waits again


class SharedEvent:
    """One Event per round, who is waiting on it, and the measured moments."""

    def __init__(self, waiters: int, rounds: int, delay_ms: int) -> None:
        self.waiters, self.rounds, self.delay_ms = waiters, rounds, delay_ms
        self.events = [threading.Event() for _ in range(rounds)]
        self.all_waiting = [threading.Event() for _ in range(rounds)]  # tells the setter
        self.arrived = [0] * rounds
        self.set_ns = [0] * rounds
        self.woke_ns: list[list[int]] = [[] for _ in range(rounds)]
        self._stats = threading.Lock()

    def arrive(self, round_no: int) -> None:
        """Count one waiter at the Event; the last one tells the setter."""
        with self._stats:
            self.arrived[round_no] += 1
            last = self.arrived[round_no] == self.waiters
        if last:
            self.all_waiting[round_no].set()

    def result(self) -> EventResult:
        """Per round that was set: how many woke, their spread, and the last one's delay."""
        released, spread, latency = [], [], []
        with self._stats:
            for set_ns, woke in zip(self.set_ns, self.woke_ns, strict=True):
                if set_ns and woke:
                    released.append(len(woke))
                    spread.append(round((max(woke) - min(woke)) / 1e6, 3))
                    latency.append(round((max(woke) - set_ns) / 1e6, 3))
        return EventResult(
            waiters=self.waiters,
            rounds=self.rounds,
            released=tuple(released),
            spread_ms_per_round=tuple(spread),
            latency_ms_per_round=tuple(latency),
        )


def setter_worker(ctx: WorkerContext, shared: SharedEvent) -> None:
    """Each round: wait until everyone waits, wait ``delay_ms`` more, then ``set()``."""
    for round_no, event in enumerate(shared.events):
        ready = shared.all_waiting[round_no]
        wait_for(ctx, ready.wait, f"round {round_no + 1}: until all wait")
        ctx.sleep(shared.delay_ms / 1000, f"round {round_no + 1}: set() soon")
        t_set = now_ns()
        shared.set_ns[round_no] = t_set  # stamped first: no waiter can wake before it
        event.set()
        ctx.sink.send(Msg.MARK, (t_set, f"Event.set() (round {round_no + 1})"))
        emit_at(ctx, t_set, State.RUNNING, f"round {round_no + 1}: set()")


def waiter_worker(ctx: WorkerContext, shared: SharedEvent, index: int) -> None:
    """Each round: ``event.wait()`` (BLOCKED), stamp the wake-up, work a little."""
    for round_no, event in enumerate(shared.events):
        ctx.checkpoint()
        shared.arrive(round_no)
        wait_for(ctx, event.wait, f"round {round_no + 1}: event.wait()")
        woke = now_ns()
        with shared._stats:
            shared.woke_ns[round_no].append(woke)
        emit_at(ctx, woke, State.RUNNING, f"round {round_no + 1}: released by set()")
        ctx.sleep(WORK_S, "working")


def build(waiters: int, rounds: int, delay_ms: int) -> list[WorkerSpec]:
    """The setter and the waiters, all sharing one new :class:`SharedEvent`."""
    shared = SharedEvent(waiters, rounds, delay_ms)
    specs = [WorkerSpec("Setter", setter_worker, {"shared": shared})]
    specs += [
        WorkerSpec(f"Waiter-{i + 1}", waiter_worker, {"shared": shared, "index": i})
        for i in range(waiters)
    ]
    return specs


def deadline_s(waiters: int, rounds: int, delay_ms: int) -> float:
    """A generous bound: every round's delay and work, twice."""
    return 2 * rounds * (delay_ms / 1000 + WORK_S) + 10.0
