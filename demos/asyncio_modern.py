"""Modern asyncio, one scenario at a time: TaskGroup against gather when a task fails,
asyncio.timeout, cancellation reaching finally (and shield), a bounded asyncio.Queue, real
sockets on loopback, and the memory and start-up cost of a task against a thread.

The tab of the Coroutines lesson runs a :class:`ModernRun` in the window's own loop; this module
is also its terminal twin:

    python -m demos.asyncio_modern --scenario taskgroup --json
    python -m demos.asyncio_modern --scenario overhead --thread-cap 1000 --json
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

from demos import asyncio_io, asyncio_overhead, asyncio_structure
from demos.asyncio_board import Board
from demos.asyncio_results import OverheadResult, Result, StoppedResult, as_json
from demos.events import State, now_ns
from demos.exit_status import note_missed_deadline, twin_main
from demos.intervals import IntervalStore
from demos.scenario import Param, Scenario
from demos.twin import finish, print_lane_summary

SCENARIOS = ("taskgroup", "timeout", "cancel", "queue", "sockets", "overhead")
SCENARIO = Scenario(
    "demos.asyncio_modern",
    "TaskGroup, timeout, cancellation, Queue, sockets and the cost of a task, one at a time",
    (
        Param("scenario", str, "taskgroup", choices=SCENARIOS, help="Which scenario to run"),
        Param("group", int, 4, 2, 16, caption="T&asks", help="Tasks of TaskGroup/gather/cancel"),
        Param("slow_ms", int, 600, 50, 3000, unit="ms", caption="&Slow await", help="Its length"),
        Param(
            "at_ms",
            int,
            200,
            10,
            2000,
            unit="ms",
            caption="Fail / deadline / ca&ncel at",
            help="When a task fails (taskgroup), the timeout's deadline, when cancel() comes",
        ),
        Param("maxsize", int, 5, 1, 50, caption="Queue &maxsize", help="asyncio.Queue(maxsize)"),
        Param("items", int, 40, 1, 500, caption="&Items", help="Items the producer puts"),
        Param("produce_ms", int, 10, 0, 500, unit="ms", caption="&Produce", help="Per item"),
        Param("consume_ms", int, 30, 0, 500, unit="ms", caption="C&onsume", help="Per item"),
        Param("clients", int, 20, 1, 64, caption="&Clients", help="Echo clients at once"),
        Param("latency_ms", int, 200, 0, 2000, unit="ms", caption="Server &latency", help=""),
        Param(
            "thread_cap",
            int,
            1000,
            1000,
            10_000,
            caption="Threa&ds at most",
            help="Thread counts above this are not started (10,000 threads is heavy)",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
# Per scenario, the settings it reads (the tab shows only these).
USES: dict[str, tuple[str, ...]] = {
    "taskgroup": ("group", "slow_ms", "at_ms"),
    "timeout": ("slow_ms", "at_ms"),
    "cancel": ("group", "slow_ms", "at_ms"),
    "queue": ("maxsize", "items", "produce_ms", "consume_ms"),
    "sockets": ("clients", "latency_ms"),
    "overhead": ("thread_cap",),
}


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """The settings, typed and checked (ValueError says what)."""
    return SCENARIO.validate(params)


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command for a scenario, with only the settings it reads."""
    name = str(params.get("scenario", DEFAULTS["scenario"]))
    parts = [f"python -m {SCENARIO.module} --scenario {name}"]
    for key in USES[name]:
        parts.append(f"{SCENARIO.param(key).option} {params.get(key, DEFAULTS[key])}")
    return " ".join(parts)


def expected_s(params: dict[str, Any]) -> float:
    """About how long a scenario runs, for its deadline."""
    p = params
    seconds: float = {
        "taskgroup": p["slow_ms"] / 1000,
        "timeout": p["at_ms"] / 1000,
        "cancel": p["slow_ms"] / 1000,
        "queue": p["items"] * max(p["produce_ms"], p["consume_ms"]) / 1000,
        "sockets": p["latency_ms"] / 1000 + 1.0,
        "overhead": 20.0,
    }[str(p["scenario"])]
    return seconds


class ModernRun:
    """One scenario in the caller's running loop, drawn on ``store``."""

    def __init__(self, params: dict[str, Any], store: IntervalStore) -> None:
        self.params = validate(params)
        self.name = str(self.params["scenario"])
        self.store = store
        self.board = Board(store)
        self.task: asyncio.Task[Result] | None = None
        self._stop = threading.Event()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Create the scenario's task (call with the loop running)."""
        self.task = asyncio.get_running_loop().create_task(self._scenario(), name=self.name)

    @property
    def running(self) -> bool:
        """Until the scenario has ended."""
        return self.task is not None and not self.task.done()

    async def _scenario(self) -> Result:
        p, board = self.params, self.board
        ms = 1000.0
        if self.name == "taskgroup":
            return await asyncio_structure.taskgroup(
                board, p["group"], p["slow_ms"] / ms, p["at_ms"] / ms
            )
        if self.name == "timeout":
            return await asyncio_structure.timeout(board, p["slow_ms"] / ms, p["at_ms"] / ms)
        if self.name == "cancel":
            return await asyncio_structure.cancel(
                board, p["group"], p["slow_ms"] / ms, p["at_ms"] / ms
            )
        if self.name == "queue":
            return await asyncio_io.queue(
                board, p["maxsize"], p["items"], p["produce_ms"] / ms, p["consume_ms"] / ms
            )
        if self.name == "sockets":
            return await asyncio_io.sockets(board, p["clients"], p["latency_ms"] / ms)
        return await self._overhead()

    async def _overhead(self) -> OverheadResult:
        """Each measurement in its own child process, awaited from a worker thread (the loop
        stays free); the lanes show which one is running."""
        loop = asyncio.get_running_loop()
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="overhead")
        rows = []
        try:
            for kind, n in asyncio_overhead.plan(self.params["thread_cap"]):
                lane = self.board.lane(f"{n:,} {kind}s", State.RUNNING, "measuring in a child")
                future = loop.run_in_executor(
                    self._executor, asyncio_overhead.measure_in_child, kind, n, self._stop.is_set
                )
                try:
                    row = await asyncio.shield(future)  # a cancel stops the child, then we wait
                except asyncio.CancelledError:
                    self._stop.set()
                    await asyncio.wait([future], timeout=asyncio_overhead.CHILD_DEADLINE_S)
                    raise
                rows.append(row)
                kib = row.rss_bytes_each / 1024
                self.board.set(lane, State.DONE, f"{kib:.1f} KiB, {row.start_us_each:.0f} us each")
        finally:
            self._executor.shutdown(wait=False)
        return OverheadResult(thread_cap=self.params["thread_cap"], rows=tuple(rows))

    async def finished(self) -> dict[str, Any]:
        """Await the end (or a cancel); the figures as JSON."""
        assert self.task is not None
        await asyncio.wait([self.task])
        result: Result
        if self.task.cancelled():
            self.store.end_open_lanes(now_ns(), State.CANCELLED, "cancelled")
            result = StoppedResult("Task.cancel()")
        else:
            result = self.task.result()  # a scenario's own error propagates: a bug, not a lesson
        return as_json(self.name, result)

    async def cancel(self, timeout_s: float = 2.0) -> bool:  # noqa: ASYNC109 - a deadline
        """Task.cancel() the scenario; True if it ended within ``timeout_s``."""
        if self.task is None or self.task.done():
            return True
        self._stop.set()
        self.board.mark("Task.cancel()")
        self.task.cancel()
        done, _ = await asyncio.wait([self.task], timeout=timeout_s)
        return bool(done)


async def run_twin(params: dict[str, Any], store: IntervalStore) -> tuple[dict[str, Any], bool]:
    """Run once with a generous deadline; (figures, whether it ended by itself)."""
    run = ModernRun(params, store)
    run.start()
    assert run.task is not None
    deadline = expected_s(run.params) * 2 + 10
    done, _ = await asyncio.wait([run.task], timeout=deadline)
    if not done:
        await run.cancel()
    return await run.finished(), bool(done)


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    _parser, args, params = SCENARIO.parse(argv, __doc__)
    store = IntervalStore()
    result, ended = asyncio.run(run_twin(params, store))
    if not ended:
        note_missed_deadline("the scenario missed its deadline; Task.cancel() stopped it")
    print(f"scenario {args.scenario}:")
    if len(store.lanes) <= 16:
        print_lane_summary(store)
    for key in ("exception_group", "gather_error"):
        if result.get(key):
            print(f"{key}: {result[key]}")
    for row in result.get("rows", ()):
        print(
            f"  {row['count']:>6,} {row['kind']}s: {row['rss_bytes_each'] / 1024:7.1f} KiB "
            f"resident, {row['traced_bytes_each'] / 1024:6.1f} KiB traced, "
            f"{row['start_us_each']:7.1f} us to start, each"
        )
    print(result["verdict"])
    return finish(args, store, result)


if __name__ == "__main__":
    raise SystemExit(main())
