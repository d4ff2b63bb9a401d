"""Condition: producers and consumers share a deque guarded by one ``threading.Condition``.

A producer appends an item and calls ``notify_all()``: every waiting consumer wakes, but only
the first to get the lock back finds the item. The right consumer waits with
``cond.wait_for(predicate)``, which checks the predicate again after every wake-up and waits
again when another consumer got there first. With ``if_not_while`` a consumer checks once
(``if not items: cond.wait()``) and, once woken, takes ``items.popleft()`` without checking
again: each time another consumer took the item first, that call raises IndexError. Those are
the "stolen wake-ups", counted from the run, never assumed.

Waits have a timeout (``WAIT_S``) so Pause and Cancel are felt; a timeout is not a wake-up.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from demos.context import WorkerContext
from demos.events import State, now_ns
from demos.primitives.results_more import ConditionResult
from demos.protocol import Msg
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives condition",
    "consumers wait on a Condition for items; wait_for re-checks, if does not",
    (
        Param("producers", int, 1, 1, 4, caption="&Producers", help="Threads that add items"),
        Param("consumers", int, 3, 1, 8, caption="C&onsumers", help="Threads that take items"),
        Param("items", int, 10, 1, 50, caption="&Items per producer", help="Items each one makes"),
        Param(
            "produce_ms",
            int,
            100,
            5,
            500,
            unit="ms",
            caption="Time to &make an item",
            help="Each producer's pace",
        ),
        Param(
            "consume_ms",
            int,
            20,
            0,
            500,
            unit="ms",
            caption="Time to &use an item",
            help="Each consumer's pace",
        ),
        Param(
            "if_not_while",
            bool,
            False,
            caption="the &bug: if not items: wait()",
            help="Check once with if instead of wait_for (a while loop)",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
KEY_FUNCTIONS = ("producer_worker", "take_with_wait_for", "take_with_if", "consumer_worker")
WAIT_S = 0.5  # longest single wait: how soon a waiting consumer notices Pause or Cancel
STOLEN = "stolen"  # what take_with_if returns when popleft() raised IndexError


@dataclass
class Tally:
    """One consumer's counts: wake-ups by a notify, and those that found nothing."""

    seen: int = 0  # the producers' notify count when this consumer last looked
    wakeups: int = 0
    rechecked: int = 0  # wait_for found nothing and waited again
    stolen: int = 0  # if: woke, took popleft() from an empty deque


class SharedCondition:
    """One run's deque, its Condition, and the counts the consumers keep."""

    def __init__(
        self,
        producers: int,
        consumers: int,
        items: int,
        produce_ms: int,
        consume_ms: int,
        if_not_while: bool,
    ) -> None:
        self.producers, self.consumers, self.items = producers, consumers, items
        self.produce_ms, self.consume_ms, self.if_not_while = produce_ms, consume_ms, if_not_while
        self.cond = threading.Condition()  # its own lock guards everything below
        self.queue: deque[tuple[int, int]] = deque()
        self.producing = producers  # producers not finished yet
        self.notifies = 0
        self.consumed = 0
        self.tallies: list[Tally] = []
        self.blocked_s = 0.0

    def available(self, ctx: WorkerContext, tally: Tally) -> bool:
        """The predicate (called with the lock held): an item, or nothing more will come."""
        ready = bool(self.queue) or not self.producing or ctx.control.cancelled
        if self.notifies != tally.seen:  # woken by a notify since this consumer last looked
            tally.seen = self.notifies
            tally.wakeups += 1
            tally.rechecked += not ready
        return ready

    def result(self) -> ConditionResult:
        """The counts of every consumer, summed."""
        with self.cond:
            return ConditionResult(
                producers=self.producers,
                consumers=self.consumers,
                items=self.producers * self.items,
                consumed=self.consumed,
                if_not_while=self.if_not_while,
                wakeups=sum(t.wakeups for t in self.tallies),
                rechecked=sum(t.rechecked for t in self.tallies),
                stolen=sum(t.stolen for t in self.tallies),
                consumer_blocked_s=round(self.blocked_s, 4),
            )


def producer_worker(ctx: WorkerContext, shared: SharedCondition, index: int) -> None:
    """Make items; append each and wake every waiting consumer."""
    cond = shared.cond
    try:
        for n in range(shared.items):
            ctx.checkpoint()
            ctx.sleep(shared.produce_ms / 1000, f"making item {n + 1}")
            with cond:
                shared.queue.append((index, n))
                shared.notifies += 1
                cond.notify_all()
            ctx.emit(State.RUNNING, f"put item {n + 1}, notify_all()")
    finally:
        with cond:  # even when cancelled: no consumer may wait for items that never come
            shared.producing -= 1
            shared.notifies += 1
            cond.notify_all()


def take_with_wait_for(ctx: WorkerContext, shared: SharedCondition, tally: Tally) -> Any:
    """The right way: ``wait_for`` checks the predicate again after every wake-up."""
    with shared.cond:
        tally.seen = shared.notifies
        shared.cond.wait_for(lambda: shared.available(ctx, tally), timeout=WAIT_S)
        return shared.queue.popleft() if shared.queue else None


def take_with_if(ctx: WorkerContext, shared: SharedCondition, tally: Tally) -> Any:
    """The bug: ``if`` checks once; after a wake-up the item may be gone already."""
    with shared.cond:
        if not shared.queue:
            if not shared.producing:
                return None  # nothing more will come
            if not shared.cond.wait(timeout=WAIT_S):
                return None  # timed out: not woken, so not a stolen wake-up
            tally.wakeups += 1
            if not shared.producing and not shared.queue:
                return None  # woken by the last producer's "done"
        try:
            return shared.queue.popleft()
        except IndexError:  # another consumer took it between notify and our wake-up
            tally.stolen += 1
            return STOLEN


def consumer_worker(ctx: WorkerContext, shared: SharedCondition, index: int) -> None:
    """Take items until the producers are done and the deque is empty; BLOCKED while waiting."""
    take = take_with_if if shared.if_not_while else take_with_wait_for
    tally = Tally()
    with shared.cond:
        shared.tallies.append(tally)
    how = "if not items: wait()" if shared.if_not_while else "wait_for(items)"
    while True:
        ctx.checkpoint()
        ctx.emit(State.BLOCKED, f"Condition: {how}")
        start = time.perf_counter()
        item = take(ctx, shared, tally)
        waited = time.perf_counter() - start
        ctx.checkpoint()  # woken by a cancelled producer's last notify: end as cancelled
        with shared.cond:
            shared.blocked_s += waited
            finished = item is None and not shared.producing and not shared.queue
        if finished:
            return
        if item == STOLEN:
            with shared.cond:
                first = sum(t.stolen for t in shared.tallies) == 1
            if first:  # one mark: the run's first, so the timeline stays readable
                ctx.sink.send(Msg.MARK, (now_ns(), f"first stolen wake-up ({ctx_name(index)})"))
            ctx.emit(State.RUNNING, "woken, deque empty: IndexError")
            continue
        if item is None:
            continue  # a timeout: look at Pause and Cancel, then wait again
        with shared.cond:
            shared.consumed += 1
        ctx.sleep(shared.consume_ms / 1000, f"using item {item[1] + 1} of P{item[0] + 1}")


def ctx_name(index: int) -> str:
    """A consumer's lane name."""
    return f"Consumer-{index + 1}"


def build(
    producers: int,
    consumers: int,
    items: int,
    produce_ms: int,
    consume_ms: int,
    if_not_while: bool = False,
) -> list[WorkerSpec]:
    """One run's producers and consumers, all sharing one new :class:`SharedCondition`."""
    shared = SharedCondition(producers, consumers, items, produce_ms, consume_ms, if_not_while)
    specs = [
        WorkerSpec(f"Producer-{i + 1}", producer_worker, {"shared": shared, "index": i})
        for i in range(producers)
    ]
    specs += [
        WorkerSpec(ctx_name(i), consumer_worker, {"shared": shared, "index": i})
        for i in range(consumers)
    ]
    return specs


def deadline_s(producers: int, items: int, produce_ms: int, consume_ms: int, **_: Any) -> float:
    """A generous bound: every item made and used one after another, twice."""
    return 2 * producers * items * (produce_ms + consume_ms) / 1000 + 10.0
