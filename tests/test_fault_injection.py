"""Fault injection with real processes and real signals: a worker SIGKILLed while it starts,
runs or is paused; a worker SIGSTOPped and then cancelled; the twins with a killed worker.

Workers are found from outside, as psutil children of the lab (or of the twin), and signalled
with ``os.kill``, as a user with ``kill -9`` or the OS's OOM killer would.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fault_tools import kill, wait_for_workers

from app.lab_client import LabClient
from demos.events import Kind, State
from demos.intervals import IntervalStore

pytestmark = pytest.mark.timeout(60)
NOTICE_S = 1.0  # the bound: a dead worker is on screen within a second
PARALLEL = "demos.parallelism"


@pytest.fixture
def lab(qtbot, qloop):  # noqa: ANN001
    client = LabClient(IntervalStore())
    client.start_lab()
    qtbot.waitUntil(lambda: client.is_alive(), timeout=20_000)
    yield client
    client.stop_lab()


def finished_reports(lab: LabClient) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []
    lab.runFinished.connect(reports.append)
    return reports


def process_lanes(lab: LabClient) -> list[int]:
    return [ln.lane_id for ln in lab.store.lanes if ln.kind is Kind.PROCESS]


def failed_lane(lab: LabClient) -> tuple[int, str] | None:
    """The (lane id, detail) of a worker lane that ended FAILED, if any."""
    for lane_id, (state, detail) in lab.store.final_states().items():
        if state is State.FAILED and lane_id in process_lanes(lab):
            return lane_id, detail
    return None


def lane_of_pid(lab: LabClient, pid: int) -> int | None:
    return next((ln.lane_id for ln in lab.store.lanes if ln.ident == pid), None)


def wait_failed(qtbot, lab: LabClient, t_kill: float) -> tuple[int, str, float]:  # noqa: ANN001
    """Wait for the FAILED lane; returns it and the seconds from the kill to seeing it."""
    qtbot.waitUntil(lambda: failed_lane(lab) is not None, timeout=10_000)
    noticed_s = time.perf_counter() - t_kill
    lane_id, detail = failed_lane(lab) or (0, "")
    return lane_id, detail, noticed_s


def assert_no_figure(qtbot, lab: LabClient, reports: list[dict[str, Any]], lane: int) -> None:  # noqa: ANN001
    """The run ends by itself: the others stopped, the report has no figures, only the reason."""
    qtbot.waitUntil(lambda: bool(reports) and not lab.running, timeout=5000)
    report = reports[-1]
    assert "died" in report.get("failed", ""), report
    assert "-9" in report["failed"], report
    assert report["result"] == {}, report  # no elapsed, no speedup from a broken run
    states = {s for lid, (s, _) in lab.store.final_states().items() if lid in process_lanes(lab)}
    assert states <= {State.FAILED, State.CANCELLED, State.DONE}, states
    assert State(report["outcomes"][lane][0]) is State.FAILED


def start_processes(lab: LabClient, total_ms: int, workers: int = 2) -> None:
    params = {"workers": workers, "total_ms": total_ms, "model": "processes", "work": "cpu"}
    assert lab.start_run(PARALLEL, params)


def test_a_worker_killed_while_it_starts_fails_its_lane_and_stops_the_run(lab, qtbot) -> None:  # noqa: ANN001
    reports = finished_reports(lab)
    # process_thread's workers wait for one another: the 60 s wait.
    params = {"phase": "isolation", "model": "processes", "workers": 4, "increments": 10_000}
    assert lab.start_run("demos.process_thread", params)
    victim = wait_for_workers(lab.pid or 0, 1, 10)[0]  # the first spawned, still importing
    t_kill = time.perf_counter()
    kill(victim)
    lane, detail, noticed_s = wait_failed(qtbot, lab, t_kill)
    assert noticed_s < NOTICE_S, noticed_s
    assert "-9" in detail, detail
    assert_no_figure(qtbot, lab, reports, lane)
    assert time.perf_counter() - t_kill < 10  # not the 60 s the others would have waited


def test_a_worker_killed_while_it_runs_fails_its_lane_within_a_second(lab, qtbot) -> None:  # noqa: ANN001
    reports = finished_reports(lab)
    start_processes(lab, total_ms=8000)
    qtbot.waitUntil(lambda: running_pid(lab) > 0, timeout=15_000)
    pid = running_pid(lab)
    victim = next(p for p in wait_for_workers(lab.pid or 0, 2, 10) if p.pid == pid)
    t_kill = time.perf_counter()
    kill(victim)
    lane, detail, noticed_s = wait_failed(qtbot, lab, t_kill)
    assert noticed_s < NOTICE_S, noticed_s
    assert lane == lane_of_pid(lab, pid)
    assert "-9" in detail, detail
    assert_no_figure(qtbot, lab, reports, lane)


def test_a_worker_killed_while_paused_fails_its_lane_and_the_others_stop(lab, qtbot) -> None:  # noqa: ANN001
    reports = finished_reports(lab)
    start_processes(lab, total_ms=8000)
    qtbot.waitUntil(lambda: running_pid(lab) > 0, timeout=15_000)
    lab.pause()
    qtbot.waitUntil(lambda: len(lanes_in(lab, State.PAUSED)) == 2, timeout=5000)
    pid = running_pid(lab, State.PAUSED)
    victim = next(p for p in wait_for_workers(lab.pid or 0, 2, 10) if p.pid == pid)
    t_kill = time.perf_counter()
    kill(victim)
    lane, detail, noticed_s = wait_failed(qtbot, lab, t_kill)
    assert noticed_s < NOTICE_S, noticed_s
    assert "-9" in detail, detail
    assert_no_figure(qtbot, lab, reports, lane)  # the paused one was cancelled, not left held


def lanes_in(lab: LabClient, state: State) -> list[int]:
    return [
        lid
        for lid, (s, _) in lab.store.final_states().items()
        if s is state and lid in process_lanes(lab)
    ]


def running_pid(lab: LabClient, state: State = State.RUNNING) -> int:
    """The pid of a process worker whose lane is in ``state`` (0 if none is)."""
    for lane in lab.store.lanes:
        if lane.kind is Kind.PROCESS and lane.ident and lane.lane_id in lanes_in(lab, state):
            return lane.ident
    return 0
