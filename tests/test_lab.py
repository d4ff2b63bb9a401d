"""The real lab process through the LabClient, without a window."""

from __future__ import annotations

import time

import pytest
from capacity import measured_with_load, require

from app.lab_client import LabClient
from demos.cpu_sampler import CpuSampler
from demos.events import State
from demos.intervals import IntervalStore
from demos.lab import MAIN_LANE_ID

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(180), pytest.mark.serial]


def run_params(threads: int, steps: int, step_ms: int, kind: str) -> dict:
    return {"threads": threads, "steps": steps, "step_ms": step_ms, "kind": kind}


def test_cpu_threads_in_the_lab_share_about_one_core(lab, qtbot) -> None:  # noqa: ANN001
    sampler = CpuSampler()
    sampler.watch_process(lab.pid)
    assert lab.start_run("demos.multithreading", run_params(4, 50, 1000, "cpu"))
    qtbot.waitUntil(lambda: sum(1 for ln in lab.store.lanes if ln.ident) >= 5, timeout=10_000)
    sampler.set_lanes(lab.store.lanes)
    totals = []
    deadline = time.monotonic() + 20
    while len(totals) < 15 and time.monotonic() < deadline:
        qtbot.wait(150)  # the sampler measures CPU over real time; Qt keeps delivering events
        sampler.sample()
        if len(sampler) > 1:
            totals.append(sampler.latest()["workers_total"])
    busy = sorted(totals)[len(totals) // 2]
    # One GIL: four busy threads together use about one core, never four. (The lower bound is
    # loose: the lab runs below normal priority and this machine may be busy.)
    assert busy <= 135, totals
    assert max(totals) >= 50, totals
    qtbot.waitUntil(lambda: lab.running, timeout=1000)
    lab.control.cancel()
    qtbot.waitUntil(lambda: not lab.running, timeout=5000)


def test_two_hundred_start_cancel_cycles_through_the_lab(lab, qtbot) -> None:  # noqa: ANN001
    for cycle in range(200):
        assert lab.start_run("demos.multithreading", run_params(3, 50, 500, "io")), cycle
        qtbot.waitUntil(lambda: len(lab.store.lanes) >= 4, timeout=5000)
        lab.control.cancel()
        qtbot.waitUntil(lambda: not lab.running, timeout=5000)
        # Workers only: the lab's MainThread lane may arrive before or after them.
        workers = [ln for ln in lab.store.lanes if ln.lane_id != MAIN_LANE_ID]
        finals = {lab.store.current_state(ln.lane_id) for ln in workers}
        assert finals == {State.CANCELLED}, (cycle, finals)
    # Inside the lab, every worker thread has ended: only its main, flusher and watcher remain.
    import psutil

    qtbot.waitUntil(lambda: psutil.Process(lab.pid).num_threads() <= 4, timeout=5000)


def test_a_thread_ident_that_arrives_before_its_lane_message_is_kept(qtbot, qloop) -> None:  # noqa: ANN001
    # Events come through the shared ring, lane messages through the socket: either may win.
    client = LabClient(IntervalStore())
    client.store.add_events([(1, 1, int(State.NEW), "created")])  # creates an anonymous lane
    client._set_ident(1, 4242)
    client._handle("lane", (1, "thread", "Thread-1", 0))
    assert (client.store.lanes[0].name, client.store.lanes[0].ident) == ("Thread-1", 4242)
    client._set_ident(2, 777)  # ident first, lane message later
    client._handle("lane", (2, "thread", "Thread-2", 0))
    assert client.store.lanes[1].ident == 777


def test_worker_processes_report_through_the_ring_and_fill_cores(lab, qtbot) -> None:  # noqa: ANN001
    params = {"processes": 2, "steps": 3, "step_ms": 300, "kind": "cpu"}
    finished = []
    lab.runFinished.connect(finished.append)

    def run() -> None:
        assert lab.start_run("lab_scenarios", params)
        qtbot.waitUntil(lambda: bool(finished), timeout=30_000)

    _, others = measured_with_load(run)
    workers = [ln for ln in lab.store.lanes if ln.name.startswith("Process-")]
    assert len(workers) == 2
    assert all(ln.kind.value == "process" and ln.ident > 0 for ln in workers)
    assert {lab.store.current_state(ln.lane_id) for ln in workers} == {State.DONE}
    # No GIL between processes: their computing overlaps in time (on this 2-core machine).
    spans = []
    running_s = 0.0
    store = lab.store
    for lane in workers:
        row = store.lanes.index(lane)
        mine = (store.row[: store.count] == row) & (store.state[: store.count] == State.RUNNING)
        starts, ends = store.start_ns[: store.count][mine], store.end_ns[: store.count][mine]
        spans.append((starts.min(), ends.max()))
        running_s += float((ends - starts).sum()) / 1e9
    overlap = min(s[1] for s in spans) - max(s[0] for s in spans)
    shorter = min(s[1] - s[0] for s in spans)
    assert overlap > 0.5 * shorter
    # The CPU time the children measured (their compute loops' thread_time) fits inside the
    # time the timeline shows them RUNNING; and more than one core's worth of it over the run's
    # span means both were on a CPU at the same moment: parallel, not just interleaved.
    work_s = finished[0]["work_s"]
    assert 0 < work_s <= 1.05 * running_s + 0.02, (work_s, running_s)
    span_s = (max(s[1] for s in spans) - min(s[0] for s in spans)) / 1e9
    cores = work_s / span_s
    require(cores > 1.15, [others], "two lab processes on CPU at once", f"{cores:.2f} cores")


def test_a_worker_process_killed_from_outside_shows_failed(lab, qtbot) -> None:  # noqa: ANN001
    import os
    import signal

    assert lab.start_run(
        "lab_scenarios", {"processes": 2, "steps": 50, "step_ms": 200, "kind": "io"}
    )
    qtbot.waitUntil(
        lambda: sum(1 for ln in lab.store.lanes if ln.kind.value == "process" and ln.ident) == 2,
        timeout=20_000,
    )
    victim = next(ln for ln in lab.store.lanes if ln.kind.value == "process")
    os.kill(victim.ident, signal.SIGKILL)
    qtbot.waitUntil(lambda: lab.store.current_state(victim.lane_id) is State.FAILED, timeout=10_000)
    assert lab.is_alive(), "the lab carries on"
    lab.control.cancel()
    qtbot.waitUntil(lambda: not lab.running, timeout=10_000)
