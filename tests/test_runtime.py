"""Event model, transport and worker runtime, without Qt."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from demos import transport
from demos.context import Control, WorkerContext
from demos.events import Kind, Lane, State
from demos.intervals import IntervalStore
from demos.pump import SocketPump
from demos.runtime import ProcessWorker, Run, WorkerSpec
from demos.transport import FrameReader, ListSink, SocketSink, encode_frame

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(60), pytest.mark.serial]


def wait_for(condition, timeout_s: float = 10.0) -> None:
    """Poll a condition (tests wait on conditions, not fixed sleeps)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def sleepy(ctx: WorkerContext, steps: int, step_s: float) -> None:
    """Steps of sleep with checkpoints."""
    for _ in range(steps):
        ctx.checkpoint()
        ctx.sleep(step_s)


def raiser(ctx: WorkerContext) -> None:
    """A worker that fails."""
    ctx.checkpoint()
    raise ValueError("bad input 42")


def stubborn(ctx: WorkerContext) -> None:
    """Ignores cancel: plain time.sleep without checkpoints, so only escalation ends it."""
    time.sleep(30)


def states_of(sink: ListSink, lane_id: int) -> list[State]:
    return [State(e[2]) for e in sink.events if e[1] == lane_id]


def test_lane_round_trip_and_terminal_states() -> None:
    lane = Lane(3, Kind.PROCESS, "P-3", 1234)
    assert Lane.from_tuple(lane.as_tuple()) == lane
    assert State.DONE.is_terminal
    assert State.FAILED.is_terminal
    assert not State.RUNNING.is_terminal


def test_frames_survive_arbitrary_splits() -> None:
    data = encode_frame("a", [1, 2, 3]) + encode_frame("b", "x" * 10_000)
    reader = FrameReader()
    got = []
    for i in range(0, len(data), 7):
        got.extend(reader.feed(data[i : i + 7]))
    assert got == [("a", [1, 2, 3]), ("b", "x" * 10_000)]


def test_socket_sink_never_blocks_on_a_reader_that_does_not_read(monkeypatch) -> None:
    # Smaller bounds than the app's, so the test reaches them quickly.
    monkeypatch.setattr(transport, "MAX_UNSENT_BYTES", 256 * 1024)
    monkeypatch.setattr(transport, "MAX_PENDING_EVENTS", 20_000)
    writer, reader = socket.socketpair()
    try:
        sink = SocketSink(writer)
        t0 = time.perf_counter()
        for i in range(250_000):
            sink.emit((time.perf_counter_ns(), 1, int(State.RUNNING), f"event {i}"))
        elapsed = time.perf_counter() - t0
        assert sink.dropped > 0, "the bound must drop old events when nobody reads"
        assert elapsed < 30
    finally:
        writer.close()
        reader.close()


def test_store_turns_events_into_intervals() -> None:
    store = IntervalStore(capacity=4)  # small, so it must grow
    store.add_lane(Lane(1, Kind.THREAD, "T1", 11))
    ms = 1_000_000
    events = [
        (0, 1, State.READY, ""),
        (10 * ms, 1, State.RUNNING, "go"),
        (30 * ms, 1, State.WAITING, "sleep"),
        (60 * ms, 1, State.RUNNING, ""),
        (70 * ms, 1, State.DONE, "returned"),
    ]
    store.add_events([(t, lane, int(s), d) for t, lane, s, d in events])
    times = store.time_in_states(now_ns=100 * ms)[1]
    assert times[State.RUNNING] == pytest.approx(0.030)
    assert times[State.WAITING] == pytest.approx(0.030)
    assert store.current_state(1) is State.DONE
    assert store.interval_at(0, 40 * ms, 100 * ms)[0] is State.WAITING
    assert store.interval_at(0, 40 * ms, 100 * ms)[3] == "sleep"


def test_threads_pause_resume_and_finish() -> None:
    sink = ListSink()
    run = Run(
        Kind.THREAD,
        [WorkerSpec(f"T{i}", sleepy, {"steps": 6, "step_s": 0.03}) for i in range(3)],
        sink,
    )
    run.pause()
    run.start()
    wait_for(lambda: all(State.PAUSED in states_of(sink, i) for i in range(3)))
    assert run.alive() == 3
    run.resume()
    report = run.join(10.0)
    assert report.ended
    assert all(states_of(sink, i)[-1] is State.DONE for i in range(3))


def long_steps(ctx: WorkerContext, kind: str, step_ms: int) -> None:
    """One long step of computing or sleeping: Pause must hold it in the middle."""
    ctx.checkpoint()
    if kind == "cpu":
        ctx.compute(step_ms)
    else:
        ctx.sleep(step_ms / 1000)


@pytest.mark.parametrize("kind", ["cpu", "io"])
def test_pause_holds_a_long_step_in_the_middle(kind: str) -> None:
    # Four 3 s steps: computing, they share one GIL and would end after about 12 s; a worker
    # that looked at Pause only between steps could not be PAUSED before then.
    sink = ListSink()
    specs = [WorkerSpec(f"T{i}", long_steps, {"kind": kind, "step_ms": 3000}) for i in range(4)]
    run = Run(Kind.THREAD, specs, sink)
    busy = State.RUNNING if kind == "cpu" else State.WAITING
    run.start()
    try:
        wait_for(lambda: all(busy in states_of(sink, i) for i in range(4)))
        paused_at = time.monotonic()
        run.pause()
        wait_for(lambda: all(states_of(sink, i)[-1] is State.PAUSED for i in range(4)))
        held_after_s = time.monotonic() - paused_at
        assert held_after_s < 1.5, f"paused after {held_after_s:.2f} s, not mid-step"
        details = [e[3] for e in sink.events if e[2] == int(State.PAUSED)]
        assert all("in the middle" in d for d in details), details
        run.resume()
        wait_for(lambda: all(states_of(sink, i)[-1] is busy for i in range(4)))
    finally:
        run.cancel(5.0)
        run.close()


def test_cancel_stops_threads_within_the_deadline() -> None:
    sink = ListSink()
    run = Run(Kind.THREAD, [WorkerSpec("T", sleepy, {"steps": 100, "step_s": 1.0})], sink)
    run.start()
    wait_for(lambda: State.WAITING in states_of(sink, 0))
    report = run.cancel(2.0)
    assert report.ended
    assert report.waited_s < 1.0
    assert states_of(sink, 0)[-1] is State.CANCELLED


def test_a_worker_that_raises_is_failed_with_its_message() -> None:
    sink = ListSink()
    run = Run(
        Kind.THREAD,
        [WorkerSpec("bad", raiser), WorkerSpec("ok", sleepy, {"steps": 2, "step_s": 0.01})],
        sink,
    )
    run.start()
    assert run.join(5.0).ended
    failed = [e for e in sink.events if e[1] == 0 and e[2] == State.FAILED]
    assert failed
    assert "ValueError: bad input 42" in failed[0][3]
    assert states_of(sink, 1)[-1] is State.DONE


def test_process_workers_report_and_cancel() -> None:
    sink = ListSink()
    run = Run(
        Kind.PROCESS,
        [WorkerSpec(f"P{i}", sleepy, {"steps": 200, "step_s": 0.05}) for i in range(2)],
        sink,
    )
    pump = SocketPump([w.reader for w in run.workers if isinstance(w, ProcessWorker)], sink)
    run.start()
    pump.start()
    try:
        wait_for(lambda: all(State.WAITING in states_of(sink, i) for i in range(2)), 30)
        lanes = [Lane.from_tuple(p) for k, p in sink.messages if k == "lane"]
        assert {lane.ident for lane in lanes if lane.ident} == {w.pid for w in run.workers}
        report = run.cancel(5.0)
        assert report.ended
        assert not report.escalations
    finally:
        pump.stop()
        run.close()
    assert all(states_of(sink, i)[-1] is State.CANCELLED for i in range(2))


def test_a_process_that_ignores_cancel_is_terminated_and_reported() -> None:
    sink = ListSink()
    run = Run(Kind.PROCESS, [WorkerSpec("stubborn", stubborn)], sink)
    pump = SocketPump([run.workers[0].reader], sink)
    run.start()
    pump.start()
    try:
        wait_for(lambda: State.RUNNING in states_of(sink, 0), 30)
        report = run.cancel(0.5)
    finally:
        pump.stop()
        run.close()
    assert report.ended
    assert report.escalations
    assert "terminated" in report.escalations[0]


async def _async_step(ctx, steps: int) -> None:  # noqa: ANN001
    for _ in range(steps):
        await ctx.acheckpoint()
        await ctx.asleep(0.05)


def test_task_workers_run_in_one_loop_and_cancel() -> None:
    sink = ListSink()

    async def scenario() -> tuple[bool, bool]:
        run = Run(
            Kind.TASK, [WorkerSpec(f"task{i}", _async_step, {"steps": 4}) for i in range(5)], sink
        )
        t0 = time.perf_counter()
        run.start()
        finished = (await run.join_async(5.0)).ended
        overlapped = time.perf_counter() - t0 < 0.6  # 5 x 4 x 50 ms would be 1 s in sequence
        run2 = Run(Kind.TASK, [WorkerSpec("long", _async_step, {"steps": 1000})], sink, None, 10)
        run2.start()
        await asyncio.sleep(0.1)
        run2.control.cancel()
        cancelled = (await run2.join_async(2.0)).ended
        return finished and overlapped, cancelled

    ok, cancelled = asyncio.run(scenario())
    assert ok
    assert cancelled
    assert states_of(sink, 10)[-1] is State.CANCELLED


def test_control_flags_work_over_any_buffer() -> None:
    control = Control()
    control.pause()
    control.cancel()
    assert control.paused
    assert control.cancelled
    control.clear()
    assert not control.paused
    assert not control.cancelled


def test_two_hundred_start_cancel_cycles_leave_nothing_behind() -> None:
    for _ in range(200):
        sink = ListSink()
        run = Run(
            Kind.THREAD,
            [WorkerSpec(f"T{i}", sleepy, {"steps": 50, "step_s": 0.2}) for i in range(4)],
            sink,
        )
        run.start()
        assert run.cancel(2.0).ended
    # The autouse leak check fails the test if any thread is left.
