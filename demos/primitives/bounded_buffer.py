"""Bounded buffer: P producers and C consumers share a ``queue.Queue(capacity)``.

``queue.Queue`` is a ``collections.deque`` guarded by one lock (``mutex``) and three
``threading.Condition`` objects on it, ``not_empty``, ``not_full`` and ``all_tasks_done``:
``put()`` waits on ``not_full`` while the queue holds ``capacity`` items, ``get()`` waits on
``not_empty`` while it holds none, and ``join()`` waits on ``all_tasks_done`` until every item
got its ``task_done()``. A ``threading.Event`` set by the last
producer tells the consumers that no more items will come.

Producers make an item every ``produce_ms`` and consumers use one for ``consume_ms`` (sleeps):
when consumers are slower the queue fills and producers show BLOCKED; when they are faster it
empties and consumers show BLOCKED. The depth is sampled after every put and get.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from typing import Any

from demos.context import WorkerContext
from demos.events import State, now_ns
from demos.primitives.common import POLL_S, emit_at, wait_for
from demos.primitives.results import QueueResult
from demos.scenario import Param, Scenario
from demos.worker import WorkerSpec

SCENARIO = Scenario(
    "demos.primitives queue",
    "producers and consumers share a bounded queue.Queue(capacity)",
    (
        Param(
            "capacity",
            int,
            5,
            1,
            20,
            caption="&Capacity",
            help="queue.Queue(capacity): the most items it holds",
        ),
        Param("producers", int, 2, 1, 8, caption="&Producers", help="Threads that put items"),
        Param("consumers", int, 2, 1, 8, caption="C&onsumers", help="Threads that get items"),
        Param(
            "produce_ms",
            int,
            50,
            5,
            1000,
            unit="ms",
            caption="Time to &make an item",
            help="Each producer's pace",
        ),
        Param(
            "consume_ms",
            int,
            150,
            5,
            1000,
            unit="ms",
            caption="Time to &use an item",
            help="Each consumer's pace",
        ),
        Param(
            "items",
            int,
            15,
            1,
            100,
            caption="&Items per producer",
            help="How many items each producer makes",
        ),
    ),
)
LIMITS = SCENARIO.limits()
DEFAULTS: dict[str, Any] = SCENARIO.defaults()
DEPTH = "depth"  # value after every put and get: items in the queue (an int)


class SharedBuffer:
    """One run's queue, the producers-done Event, and the depth samples."""

    def __init__(
        self,
        capacity: int,
        producers: int,
        consumers: int,
        produce_ms: int,
        consume_ms: int,
        items: int,
    ) -> None:
        self.capacity, self.producers, self.consumers = capacity, producers, consumers
        self.produce_ms, self.consume_ms, self.items = produce_ms, consume_ms, items
        self.queue: queue.Queue[tuple[int, int]] = queue.Queue(capacity)
        self.producers_done = threading.Event()
        self._stats = threading.Lock()
        self._finished_producers = 0
        self.samples: list[tuple[int, int]] = []  # (t_ns, depth)
        self.max_depth = 0
        self.consumed = 0
        self.blocked_s = {"producer": 0.0, "consumer": 0.0}
        self.blocks = {"producer": 0, "consumer": 0}

    def sample(self) -> tuple[int, int]:
        """(time, depth) now; taken under the bookkeeping lock so samples are in time order."""
        with self._stats:
            depth = self.queue.qsize()
            t_ns = now_ns()
            self.samples.append((t_ns, depth))
            self.max_depth = max(self.max_depth, depth)
            return t_ns, depth

    def note_block(self, role: str, waited_s: float) -> None:
        """Count one wait of a producer (queue full) or a consumer (queue empty)."""
        with self._stats:
            self.blocked_s[role] += waited_s
            self.blocks[role] += 1

    def producer_finished(self) -> None:
        """The last producer to finish sets the Event the consumers watch."""
        with self._stats:
            self._finished_producers += 1
            last = self._finished_producers == self.producers
        if last:
            self.producers_done.set()

    def result(self) -> QueueResult:
        """Capacity against the deepest the queue got, and who waited how long."""
        depths = [d for _, d in self.samples]
        return QueueResult(
            capacity=self.capacity,
            producers=self.producers,
            consumers=self.consumers,
            produce_ms=self.produce_ms,
            consume_ms=self.consume_ms,
            items=self.producers * self.items,
            consumed=self.consumed,
            max_depth=self.max_depth,
            mean_depth=round(sum(depths) / len(depths), 3) if depths else 0.0,
            producer_blocks=self.blocks["producer"],
            consumer_blocks=self.blocks["consumer"],
            producer_blocked_s=round(self.blocked_s["producer"], 4),
            consumer_blocked_s=round(self.blocked_s["consumer"], 4),
        )


def depth_detail(what: str, depth: int, capacity: int) -> str:
    """The lane's detail after a put or a get (a tooltip; the figure is the DEPTH value)."""
    return f"{what}: depth={depth}/{capacity}"


def _put(q: queue.Queue[tuple[int, int]], item: tuple[int, int], timeout: float) -> bool:
    try:
        q.put(item, timeout=timeout)
    except queue.Full:
        return False
    return True


def producer(ctx: WorkerContext, shared: SharedBuffer, index: int) -> None:
    """Make ``items`` items; ``put()`` each, BLOCKED while the queue is full."""
    q, capacity = shared.queue, shared.capacity
    try:
        for n in range(shared.items):
            ctx.checkpoint()
            ctx.sleep(shared.produce_ms / 1000, f"making item {n + 1}")
            item = (index, n)
            try:
                q.put_nowait(item)
            except queue.Full:
                detail = f"queue full ({capacity}/{capacity}): put() waits on not_full"
                waited = wait_for(ctx, functools.partial(_put, q, item), detail)
                shared.note_block("producer", waited)
            t_ns, depth = shared.sample()
            emit_at(ctx, t_ns, State.RUNNING, depth_detail(f"put item {n + 1}", depth, capacity))
            ctx.report(DEPTH, depth, t_ns)
    finally:
        shared.producer_finished()  # even when cancelled: consumers must never wait forever


def consumer(ctx: WorkerContext, shared: SharedBuffer, index: int) -> None:
    """``get()`` items until the producers are done and the queue is empty; BLOCKED while empty."""
    q, capacity = shared.queue, shared.capacity
    while True:
        ctx.checkpoint()
        try:
            q.get_nowait()
        except queue.Empty:
            ctx.emit(State.BLOCKED, "queue empty: get() waits on not_empty")
            start = time.perf_counter()
            got = False
            while not got:
                # Set only after the last put, so "set and empty" means every item was taken.
                if shared.producers_done.is_set() and q.empty():
                    shared.note_block("consumer", time.perf_counter() - start)
                    return
                ctx.checkpoint()
                ctx.sink.flush_if_due()
                try:
                    q.get(timeout=POLL_S)
                    got = True
                except queue.Empty:
                    pass
            shared.note_block("consumer", time.perf_counter() - start)
        t_ns, depth = shared.sample()
        with shared._stats:
            shared.consumed += 1
        emit_at(ctx, t_ns, State.RUNNING, depth_detail("got an item", depth, capacity))
        ctx.report(DEPTH, depth, t_ns)
        ctx.sleep(shared.consume_ms / 1000, "using the item")


def build(
    capacity: int, producers: int, consumers: int, produce_ms: int, consume_ms: int, items: int
) -> list[WorkerSpec]:
    """One run's producers and consumers, all sharing one new :class:`SharedBuffer`."""
    shared = SharedBuffer(capacity, producers, consumers, produce_ms, consume_ms, items)
    specs = [
        WorkerSpec(f"Producer-{i + 1}", producer, {"shared": shared, "index": i})
        for i in range(producers)
    ]
    specs += [
        WorkerSpec(f"Consumer-{i + 1}", consumer, {"shared": shared, "index": i})
        for i in range(consumers)
    ]
    return specs


def deadline_s(
    capacity: int, producers: int, consumers: int, produce_ms: int, consume_ms: int, items: int
) -> float:
    """A generous bound: the slower side working alone, twice."""
    total = producers * items
    return 2 * total * max(produce_ms, consume_ms) / 1000 + 10.0
