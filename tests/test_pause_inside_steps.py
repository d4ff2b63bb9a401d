"""Pause and Cancel inside long steps, for every kind of worker: a step of many seconds is held
by Pause and ended by Cancel long before it would have finished. Bounds are generous (this
machine is shared); the figures themselves come from ``bench/pause_latency.py``."""

from __future__ import annotations

import time

import psutil
import pytest

from demos.context import WorkerContext
from demos.events import Kind, State
from demos.pump import SocketPump
from demos.runtime import ProcessWorker, Run, WorkerSpec
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(90)
LONG_S = 10.0  # one step this long: any wait for its end shows
REACT_S = 2.0  # generous: what a worker that waits for its step's end cannot meet


def wait_for(condition, timeout_s: float = 30.0) -> float:  # noqa: ANN001
    """Poll ``condition`` until it holds; seconds it took."""
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout_s, "condition not reached in time"
        time.sleep(0.01)
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


def test_paused_threads_cost_almost_no_cpu() -> None:
    # 64 threads held by Pause mid-step: one of them watches the flags for all. Measured here:
    # 0.5-1 % of a core; with each thread polling on its own every 10 ms, 3.5-4 %.
    sink = ListSink()
    specs = [WorkerSpec(f"T{i}", one_long_step, {"kind": "cpu"}) for i in range(64)]
    run = Run(Kind.THREAD, specs, sink)
    run.pause()  # held at their first step: 64 threads start without fighting for the GIL
    run.start()
    try:
        wait_for(lambda: last_states(sink, range(64)) == [State.PAUSED] * 64)
        run.resume()
        wait_for(lambda: last_states(sink, range(64)) == [State.RUNNING] * 64, 60)
        run.control.flags[0] = 1  # Pause as another process writes it: the flag only
        wait_for(lambda: last_states(sink, range(64)) == [State.PAUSED] * 64)
        me = psutil.Process()
        before, t0 = sum(me.cpu_times()[:2]), time.monotonic()
        wait_for(lambda: time.monotonic() - t0 >= 2.0)  # a measuring window, not a wait for work
        share = (sum(me.cpu_times()[:2]) - before) / (time.monotonic() - t0)
        assert share < 0.02, f"64 paused threads used {share:.1%} of a core"
    finally:
        report = run.cancel(10.0)
    assert report.ended
