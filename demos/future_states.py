"""The thread-states lesson's "futures" scenario: a ThreadPoolExecutor given more tasks than
workers, each Future's state (PENDING, RUNNING, CANCELLED, FINISHED) recorded live through its
public API, and what ``cancel()`` answers for a running and for a pending future.

``demos.thread_states`` builds the scenario's workers; the states belong to the Future (a unit
of work handed to a pool), not to a thread.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from demos.context import WorkerContext, run_helper_thread
from demos.events import Kind, Lane, State, now_ns

POLL_S = 0.02  # how often "main" looks at its futures (and at pause/cancel)

# More tasks than workers, so some wait in the pool's queue as PENDING
FUTURE_TASKS, FUTURE_WORKERS = 6, 2
FUTURE_WORK_MS, FUTURE_SLEEP_S = 100.0, 0.5
FUTURE_STATES = ("PENDING", "RUNNING", "CANCELLED", "FINISHED")
FUTURE_STATE = "future_state"  # value on every change: {"task": index, "state": a FUTURE_STATE}
FUTURE_CANCEL = "future_cancel"  # value of each cancel(): {"task": index, "returned": bool}


def future_state(future: Future[Any]) -> str:
    """PENDING, RUNNING, CANCELLED or FINISHED, from the public API only.

    Checked in this order because a future only moves forward: a done future also answers
    False to running(), a cancelled one True to done().
    """
    if future.cancelled():
        return "CANCELLED"
    if future.done():
        return "FINISHED"
    if future.running():
        return "RUNNING"
    return "PENDING"


class FutureBook:
    """Every future's states as "main" saw them, and what cancel() answered."""

    def __init__(self, tasks: int = FUTURE_TASKS, workers: int = FUTURE_WORKERS) -> None:
        self.tasks = tasks
        self.workers = workers
        self.states: list[list[str]] = [[] for _ in range(tasks)]
        self.cancel_returned: list[bool | None] = [None] * tasks

    def observe(self, ctx: WorkerContext, index: int, future: Future[Any]) -> None:
        """Record the future's state if it changed, and say so on main's lane."""
        state = future_state(future)
        seen = self.states[index]
        if not seen or seen[-1] != state:
            seen.append(state)
            ctx.emit(State.RUNNING, future_detail(index, state))
            ctx.report(FUTURE_STATE, {"task": index, "state": state})
            ctx.emit(State.WAITING, "polling the futures")

    def cancel(self, ctx: WorkerContext, index: int, future: Future[Any], lane_id: int) -> bool:
        """``future.cancel()``, recorded; a cancelled pending task's lane ends CANCELLED."""
        answer = future.cancel()
        self.cancel_returned[index] = answer
        ctx.emit(State.RUNNING, f"future {index} cancel() -> {answer}")
        ctx.report(FUTURE_CANCEL, {"task": index, "returned": answer})
        if answer:
            ctx.sink.emit((now_ns(), lane_id, int(State.CANCELLED), "Future.cancel() -> True"))
        self.observe(ctx, index, future)
        return answer

    def as_json(self) -> list[dict[str, Any]]:
        """``future_states`` for the twin's JSON."""
        return [
            {"task": i, "states": list(s), "cancel_returned": self.cancel_returned[i]}
            for i, s in enumerate(self.states)
        ]


def future_detail(index: int, state: str) -> str:
    """Main's event detail for a future's new state (a tooltip; the figure is FUTURE_STATE)."""
    return f"future {index} -> {state}"


def future_task_worker(ctx: WorkerContext, index: int) -> None:
    """One pool task: some arithmetic, then a wait, like fetching and parsing."""
    ctx.compute(FUTURE_WORK_MS, f"task {index}: arithmetic")
    ctx.sleep(FUTURE_SLEEP_S, f"task {index}: time.sleep({FUTURE_SLEEP_S:g})")


def futures_main_worker(ctx: WorkerContext, book: FutureBook) -> None:
    """Submit more tasks than the pool has threads, cancel one running and two pending futures,
    and watch every future's state until all are done."""
    lanes = [ctx.lane_id + 1 + i for i in range(book.tasks)]
    for i, lane_id in enumerate(lanes):
        ctx.sink.announce(Lane(lane_id, Kind.THREAD, f"future-{i}", 0))
    pool = ThreadPoolExecutor(max_workers=book.workers, thread_name_prefix="pool")
    futures: list[Future[State]] = []
    try:
        for i, lane_id in enumerate(lanes):
            ctx.sink.emit((now_ns(), lane_id, int(State.READY), "submitted: queued in the pool"))
            futures.append(
                pool.submit(
                    run_helper_thread,
                    ctx.sink,
                    ctx.control,
                    lane_id,
                    f"future-{i}",
                    future_task_worker,
                    {"index": i},
                )
            )
            book.observe(ctx, i, futures[i])
        asked = False
        while not all(f.done() for f in futures):
            ctx.checkpoint()
            for i, future in enumerate(futures):
                book.observe(ctx, i, future)
            if not asked and all(f.running() or f.done() for f in futures[: book.workers]):
                asked = True
                book.cancel(ctx, 0, futures[0], lanes[0])  # running: too late, False
                for i in range(max(book.workers, book.tasks - 2), book.tasks):
                    book.cancel(ctx, i, futures[i], lanes[i])  # still queued: True
                ctx.emit(State.WAITING, "polling the futures")
            ctx.sink.flush_if_due()
            time.sleep(POLL_S)
    finally:
        # On Cancel: drop what is still queued; running tasks see the flag at their next poll.
        pool.shutdown(wait=True, cancel_futures=True)
        for i, future in enumerate(futures):
            book.observe(ctx, i, future)
