"""The words of the modern-asyncio scenarios in the Coroutines tab: what each one shows, the
rows of its results box, and the text of each row from a measured result."""

from __future__ import annotations

import html

from demos.asyncio_results import (
    CancelResult,
    OverheadResult,
    QueueResult,
    Result,
    SocketsResult,
    TaskGroupResult,
    TimeoutResult,
)

TITLES = {
    "classic": "Many tasks, one thread (gather, semaphore, blocking call)",
    "taskgroup": "TaskGroup vs gather when a task fails",
    "timeout": "asyncio.timeout around a slow await",
    "cancel": "Cancellation: finally and shield",
    "queue": "asyncio.Queue(maxsize): producer and consumer",
    "sockets": "Real sockets: an echo server on 127.0.0.1",
    "overhead": "Cost of a task vs a thread (1,000 and 10,000)",
}

EXPLAIN = {
    "taskgroup": (
        "The same tasks twice, started together; task 1 raises after a moment. Inside "
        "<code>async with asyncio.TaskGroup() as tg</code> the group <b>cancels its other "
        "tasks</b> at once and raises an <b>ExceptionGroup</b> holding the error. "
        "<code>asyncio.gather</code> hands the first error to whoever awaited it, and the other "
        "tasks <b>run on</b>, unwatched: nobody awaits their results or their errors."
    ),
    "timeout": (
        "<code>async with asyncio.timeout(seconds):</code> cancels the await inside it when "
        "the deadline passes and turns that into <b>TimeoutError</b> at the <code>async "
        "with</code>. A second await inside its own timeout ends in time and is left alone. "
        "The figure is how late the error came: the loop's timer, measured."
    ),
    "cancel": (
        "<code>task.cancel()</code> raises <b>CancelledError</b> inside the task at the await "
        "it is in, so its <code>finally</code> runs: the place to close files and sockets "
        "(the cleanup may await). <code>await asyncio.shield(inner)</code>: cancelling the "
        "outer await leaves the inner task running to its end."
    ),
    "queue": (
        "A producer <code>await queue.put(item)</code>s into <code>asyncio.Queue(maxsize)"
        "</code>, a slower consumer <code>await queue.get()</code>s. When the queue is full, "
        "put() waits (<b>back-pressure</b>): the producer slows to the consumer's pace and the "
        "queue never holds more than maxsize. The plot shows its depth at every put and get."
    ),
    "sockets": (
        "The lesson starts an echo server with <code>asyncio.start_server</code> on "
        "127.0.0.1 (a free port); each client <code>open_connection</code>s, writes a line and "
        "awaits the echo, which the server sends after its latency. Real sockets, one thread: "
        "all the clients wait at the same time."
    ),
    "overhead": (
        "N tasks or N threads parked on an event, each count in a fresh child process: the "
        "process's resident memory (RSS) grows by this per worker, and this is the time to "
        "start one. tracemalloc sees only Python objects, not a thread's stack, so RSS is "
        "the fair comparison. Threads stop at the cap: 10,000 threads take seconds here."
    ),
}

FIGURES: dict[str, list[tuple[str, str]]] = {
    "taskgroup": [
        ("group", "TaskGroup, siblings cancelled:"),
        ("gather", "gather, siblings ran on:"),
        ("raised", ""),
    ],
    "timeout": [
        ("fired", "TimeoutError after:"),
        ("late", "Past the deadline:"),
        ("quick", "Quick await:"),
    ],
    "cancel": [
        ("finally", "finally ran:"),
        ("latency", "cancel() to finally:"),
        ("shield", "shield():"),
    ],
    "queue": [
        ("max_depth", "Deepest queue:"),
        ("maxsize", "maxsize:"),
        ("blocked", "Producer awaited put():"),
        ("consumed", "Consumed:"),
    ],
    "sockets": [
        ("echoed", "Echoes back:"),
        ("elapsed", "Elapsed:"),
        ("serial", "One at a time:"),
        ("server", "Server:"),
    ],
    "overhead": [
        ("task", "Per task:"),
        ("thread", "Per thread:"),
        ("start", "Start-up, tasks / threads:"),
        ("traced", ""),
    ],
}


def figure_texts(result: Result) -> dict[str, str]:
    """The text of each row of the scenario's results box."""
    if isinstance(result, TaskGroupResult):
        return {
            "group": f"{result.taskgroup_cancelled} of {result.tasks - 1}",
            "gather": f"{result.gather_done} of {result.tasks - 1}",
            "raised": f"<pre>{html.escape(result.exception_group)}\n\ngather raised: "
            f"{html.escape(result.gather_error)}</pre>",
        }
    if isinstance(result, TimeoutResult):
        return {
            "fired": f"{result.fired_ms:.1f} ms (deadline {result.deadline_ms:.0f} ms)",
            "late": f"{result.late_ms:+.1f} ms",
            "quick": "finished" if result.in_time_done else "did not finish",
        }
    if isinstance(result, CancelResult):
        return {
            "finally": f"{result.finally_ran} of {result.tasks}",
            "latency": f"{result.cancel_to_finally_ms:.1f} ms",
            "shield": "outer cancelled, inner completed"
            if result.outer_cancelled and result.inner_completed
            else "did not hold",
        }
    if isinstance(result, QueueResult):
        return {
            "max_depth": str(result.max_depth),
            "maxsize": str(result.maxsize),
            "blocked": f"{result.producer_blocked_s:.2f} s",
            "consumed": f"{result.consumed} of {result.items}",
        }
    if isinstance(result, SocketsResult):
        return {
            "echoed": f"{result.echoed} of {result.clients}",
            "elapsed": f"{result.elapsed_s:.2f} s",
            "serial": f"{result.one_at_a_time_s:.2f} s",
            "server": f"127.0.0.1:{result.port}",
        }
    if isinstance(result, OverheadResult):
        return overhead_texts(result)
    return {}


def overhead_texts(result: OverheadResult) -> dict[str, str]:
    """KiB per worker at each count, start-up per worker, and what tracemalloc saw."""

    def per(kind: str, field: str, scale: float, unit: str) -> str:
        cells = []
        for row in result.rows:
            if row.kind == kind:
                cells.append(f"{getattr(row, field) / scale:.1f} {unit} at {row.count:,}")
        return ", ".join(cells) or "not run"

    return {
        "task": per("task", "rss_bytes_each", 1024, "KiB"),
        "thread": per("thread", "rss_bytes_each", 1024, "KiB"),
        "start": f"{per('task', 'start_us_each', 1, 'us')} / "
        f"{per('thread', 'start_us_each', 1, 'us')}",
        "traced": "tracemalloc (Python objects only): "
        + "; ".join(
            f"{r.kind} {r.traced_bytes_each / 1024:.1f} KiB at {r.count:,}" for r in result.rows
        ),
    }
