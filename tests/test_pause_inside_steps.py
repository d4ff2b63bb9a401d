"""Pause and Cancel inside long steps, for every kind of worker: a step of many seconds is held
by Pause and ended by Cancel long before it would have finished. Bounds are generous (this
machine is shared); the figures themselves come from ``bench/pause_latency.py``."""

from __future__ import annotations

import asyncio
import os
import time

import psutil
import pytest

from demos import coroutines
from demos.context import Control, WorkerContext
from demos.events import Kind, Lane, State
from demos.intervals import IntervalStore
from demos.pump import SocketPump
from demos.runtime import ProcessWorker, Run, WorkerSpec
from demos.schedstat import SchedstatReader
from demos.task_worker import TaskContext
from demos.transport import ListSink

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(90), pytest.mark.serial]
LONG_S = 10.0  # one step this long: any wait for its end shows
REACT_S = 2.0  # generous: what a worker that waits for its step's end cannot meet


def wait_for(condition, timeout_s: float = 30.0) -> float:  # noqa: ANN001
    """Poll ``condition`` until it holds; seconds it took."""
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout_s, "condition not reached in time"
        time.sleep(0.01)
    return time.monotonic() - t0


async def until(condition, timeout_s: float = 30.0) -> float:  # noqa: ANN001
    """Await until ``condition`` holds (checked every 10 ms); seconds it took."""
    t0 = time.monotonic()
    while not condition():  # noqa: ASYNC110 - states the tasks write: there is no event to await
        assert time.monotonic() - t0 < timeout_s, "condition not reached in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - t0


def last_states(sink: ListSink, lanes: range) -> list[State | None]:
    last: dict[int, State] = {}
    for event in list(sink.events):
        last[event[1]] = State(event[2])
    return [last.get(lane) for lane in lanes]


def one_long_step(ctx: WorkerContext, kind: str) -> None:
    """A single step of LONG_S, computing or sleeping."""
    ctx.checkpoint()
    if kind == "cpu":
        ctx.compute(LONG_S * 1000)
    else:
        ctx.sleep(LONG_S)


@pytest.mark.parametrize("kind", ["cpu", "io"])
def test_a_process_worker_is_held_and_cancelled_inside_a_long_step(kind: str) -> None:
    sink = ListSink()
    specs = [WorkerSpec(f"P{i}", one_long_step, {"kind": kind}) for i in range(2)]
    run = Run(Kind.PROCESS, specs, sink)
    pump = SocketPump([w.reader for w in run.workers if isinstance(w, ProcessWorker)], sink)
    busy = State.RUNNING if kind == "cpu" else State.WAITING
    run.start()
    pump.start()
    try:
        wait_for(lambda: last_states(sink, range(2)) == [busy, busy], 60)
        run.pause()
        held_s = wait_for(lambda: last_states(sink, range(2)) == [State.PAUSED] * 2)
        assert held_s < REACT_S, f"paused after {held_s:.2f} s: the step ran on"
        run.resume()
        wait_for(lambda: last_states(sink, range(2)) == [busy, busy])
        report = run.cancel(5.0)
        assert report.ended
        assert not report.escalations, report.escalations
        assert report.waited_s < REACT_S, f"cancel took {report.waited_s:.2f} s"
    finally:
        run.cancel(5.0)
        pump.stop()
        run.close()
    wait_for(lambda: last_states(sink, range(2)) == [State.CANCELLED] * 2, 5)


async def one_long_await(ctx: TaskContext) -> None:
    """A single await of LONG_S."""
    await ctx.acheckpoint()
    await ctx.asleep(LONG_S)


def test_a_task_worker_is_held_and_cancelled_inside_a_long_await() -> None:
    sink = ListSink()

    async def scenario() -> tuple[float, float, bool]:
        run = Run(Kind.TASK, [WorkerSpec(f"t{i}", one_long_await) for i in range(3)], sink)
        run.start()
        await until(lambda: last_states(sink, range(3)) == [State.WAITING] * 3)
        run.pause()
        held_s = await until(lambda: last_states(sink, range(3)) == [State.PAUSED] * 3)
        run.resume()
        await until(lambda: last_states(sink, range(3)) == [State.WAITING] * 3)
        t0 = time.monotonic()
        run.control.cancel()  # the flag only, as the GUI writes it: no Task.cancel() here
        report = await run.join_async(30.0)
        return held_s, time.monotonic() - t0, report.ended and not report.escalations

    held_s, cancel_s, clean = asyncio.run(scenario())
    assert held_s < REACT_S, f"paused after {held_s:.2f} s: the await ran on"
    assert cancel_s < REACT_S, f"cancel took {cancel_s:.2f} s"
    assert clean
    assert last_states(sink, range(3)) == [State.CANCELLED] * 3


def test_the_coroutines_lesson_holds_and_cancels_its_tasks_mid_await() -> None:
    # 200 tasks each awaiting 2 s: Pause and Cancel (the flags) must not wait for those awaits.
    store = IntervalStore()
    params = {**coroutines.DEFAULTS, "tasks": 200, "io_ms": 2000, "steps": 3}

    def lanes_in(state: State) -> bool:
        finals = store.final_states()
        return len(finals) == len(store.lanes) > 0 and all(s is state for s, _ in finals.values())

    async def scenario() -> tuple[float, float, int]:
        run = coroutines.CoroutineRun(params, coroutines.StoreSink(store))
        run.start()
        try:
            await until(lambda: lanes_in(State.WAITING))
            run.pause()
            held_s = await until(lambda: lanes_in(State.PAUSED))
            run.resume()
            await until(lambda: lanes_in(State.WAITING))
            run.control.cancel()  # the flag only: CoroutineRun.cancel() would Task.cancel() them
            cancel_s = await until(lambda: not run.running)
            return held_s, cancel_s, run.figures().cancelled
        finally:
            await run.cancel()
            await run.finished()

    held_s, cancel_s, cancelled = asyncio.run(scenario())
    # The awaits started just before Pause: waiting for their end would take about 2 s.
    assert held_s < 1.0, f"paused after {held_s:.2f} s: the awaits ran on"
    assert cancel_s < 1.0, f"cancel took {cancel_s:.2f} s"
    assert cancelled == len(store.lanes)


def test_paused_threads_cost_almost_no_cpu() -> None:
    # 64 threads held by Pause mid-step: one of them watches the flags for all. Measured here:
    # the run's threads 0.5-1 % of a core (psutil counts in 10 ms ticks); with each thread polling
    # on its own every 10 ms, 3.5-4 %.
    # Only the run's own threads are counted: the test's polling and whatever else this process
    # does (CI's first try counted the whole process and read 2.5 %) are not the run's cost.
    sink = ListSink()
    specs = [WorkerSpec(f"T{i}", one_long_step, {"kind": "cpu"}) for i in range(64)]
    run = Run(Kind.THREAD, specs, sink)
    me = psutil.Process()
    before_start = {t.id for t in me.threads()}
    run.pause()  # held at their first step: 64 threads start without fighting for the GIL
    run.start()
    try:
        wait_for(lambda: last_states(sink, range(64)) == [State.PAUSED] * 64)
        run.resume()
        wait_for(lambda: last_states(sink, range(64)) == [State.RUNNING] * 64, 60)
        run.control.flags[0] = 1  # Pause as another process writes it: the flag only
        wait_for(lambda: last_states(sink, range(64)) == [State.PAUSED] * 64)
        run_threads = {t.id for t in me.threads()} - before_start
        assert len(run_threads) >= 64, f"only {len(run_threads)} threads of the run found"

        def run_cpu_s() -> float:
            return sum(t.user_time + t.system_time for t in me.threads() if t.id in run_threads)

        before, t0 = run_cpu_s(), time.monotonic()
        time.sleep(2.0)  # a measuring window, not a wait for work
        share = (run_cpu_s() - before) / (time.monotonic() - t0)
        assert share < 0.02, f"64 paused threads used {share:.1%} of a core"
    finally:
        report = run.cancel(10.0)
    assert report.ended


@pytest.mark.skipif(not SchedstatReader.available(os.getpid()), reason="needs Linux schedstat")
def test_lab_threads_step_aside_while_a_command_waits_for_the_main_thread() -> None:
    # In the lab, a command's ticket makes computing threads wait (GIL released) until the main
    # thread has taken it, so that thread does not queue for the GIL behind every busy worker.
    sink = ListSink()
    control = Control()
    control.serves_commands = True
    run = Run(Kind.THREAD, [WorkerSpec("T", one_long_step, {"kind": "cpu"})], sink, control)
    reader = SchedstatReader(os.getpid())
    run.start()
    try:
        wait_for(lambda: last_states(sink, range(1)) == [State.RUNNING])
        lanes = [Lane.from_tuple(payload) for kind, payload in sink.messages if kind == "lane"]
        tid = next(lane.ident for lane in lanes if lane.ident)
        control.call_attention()  # the worker sees it at its next 0.5 ms chunk
        cpu0, t0 = reader.read([tid])[tid], time.perf_counter()
        wait_for(lambda: time.perf_counter() - t0 >= 0.06)  # a measuring window, within its 0.1 s
        aside = (reader.read([tid])[tid] - cpu0) / (time.perf_counter() - t0)
        control.attended()
        assert aside < 0.2, f"the worker computed {aside:.0%} of the time a command waited"
    finally:
        reader.close()
        report = run.cancel(10.0)
    assert report.ended
