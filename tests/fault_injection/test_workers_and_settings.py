"""Fault injection, points 4-7 of the issue: a settings value that reads as infinity; workers
killed while starting, running or paused; a stopped (SIGSTOP) worker; the side panel after a
lab kill; twins with a killed worker. Points 1-3 (saved runs) are in ``test_saved_runs.py`` and
``test_run_file_fuzz.py`` beside this module.

Real processes and real signals throughout. Workers are found from outside, as psutil children
of the lab (or of the twin), and signalled with ``os.kill``, as a user with ``kill -9`` or the
OS's OOM killer would.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from subprocess import PIPE
from typing import Any

import psutil
import pytest
from fault_tools import descendants, kill, send, still_there, wait_for_workers, workers_of
from PySide6.QtCore import Qt

from app.lab_client import LabClient
from demos.events import Kind, State
from demos.intervals import IntervalStore

pytestmark = pytest.mark.timeout(60)
NOTICE_S = 1.0  # the bound: a dead worker is on screen within a second
PARALLEL = "demos.parallelism"
TWIN_END_S = 15.0  # a twin with a killed worker ends within this (its own deadlines are 30 s+)
ROOT = Path(__file__).resolve().parents[2]


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


def tree_pids(pid: int) -> list[int]:
    """``pid`` and every process below it (workers and the resource tracker)."""
    return [pid, *(p.pid for p in descendants(pid))]


def test_a_stopped_worker_is_ended_by_cancel_and_nothing_outlives_close(lab, qtbot) -> None:  # noqa: ANN001
    start_processes(lab, total_ms=8000)
    qtbot.waitUntil(lambda: running_pid(lab) > 0, timeout=15_000)
    stopped = next(p for p in wait_for_workers(lab.pid or 0, 2, 10) if p.pid == running_pid(lab))
    workers = [p.pid for p in descendants(lab.pid or 0)]
    assert len(workers) >= 2, workers  # two workers (and the lab's resource tracker, if it has one)
    send(stopped, signal.SIGSTOP)
    t0 = time.perf_counter()
    cancel = asyncio.ensure_future(lab.cancel())
    qtbot.waitUntil(cancel.done, timeout=15_000)
    qtbot.waitUntil(lambda: not still_there(workers), timeout=5000)  # reaped or gone
    cancelled_s = time.perf_counter() - t0
    assert cancelled_s < 3, cancelled_s  # within the GUI's 2 s Cancel deadline, plus a margin
    qtbot.waitUntil(lambda: lab.is_alive(), timeout=20_000)  # the same lab, or a replacement
    # Close, as the window does: the new lab and everything below it end too.
    start_processes(lab, total_ms=8000)
    qtbot.waitUntil(lambda: running_pid(lab) > 0, timeout=15_000)
    send(next(iter(wait_for_workers(lab.pid or 0, 1, 10))), signal.SIGSTOP)
    after = tree_pids(lab.pid or 0)
    lab.stop_lab()
    qtbot.waitUntil(lambda: not still_there(after), timeout=5000)


def test_a_stopped_lab_with_a_stopped_worker_leaves_nothing_on_close(lab, qtbot) -> None:  # noqa: ANN001
    start_processes(lab, total_ms=8000)
    qtbot.waitUntil(lambda: running_pid(lab) > 0, timeout=15_000)
    workers = wait_for_workers(lab.pid or 0, 2, 10)
    everything = tree_pids(lab.pid or 0)
    send(workers[0], signal.SIGSTOP)
    send(psutil.Process(lab.pid or 0), signal.SIGSTOP)  # the lab cannot quit, nor end them
    t0 = time.perf_counter()
    lab.stop_lab()  # as closing the window does
    assert time.perf_counter() - t0 < 5
    qtbot.waitUntil(lambda: not still_there(everything), timeout=5000)


@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    win.tabs.setCurrentIndex([tab.title for tab in win.lessons].index("Multithreading"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    yield win
    win.close()


def test_the_side_panel_stops_saying_running_when_the_lab_is_killed(window, qtbot) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    tab.threads.setValue(3)
    tab.steps.setValue(50)
    tab.step_ms.setValue(500)
    tab.kind_io.setChecked(True)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.lab.running, timeout=5000)
    verdict = tab.result_box.verdict
    assert verdict.text() == "Running..."
    old_lab = window.lab.pid or 0
    kill(psutil.Process(old_lab))
    qtbot.waitUntil(lambda: window.lab.pid not in (None, old_lab), timeout=10_000)
    qtbot.waitUntil(lambda: verdict.text() != "Running...", timeout=2000)
    assert "lab process" in verdict.text(), verdict.text()  # why, not a speedup alone


TWIN_KILLS = {
    # module and small arguments, how many workers run when one is killed, and a line that
    # would be a figure made up from the broken run
    "processes": (["--workers", "2", "--total-ms", "2000"], 2, "2 processes: elapsed"),
    "parallelism": (["--workers", "2", "--total-ms", "2000"], 2, "processes:\n"),
    "process_thread": (["--workers", "2", "--increments", "1000"], 2, "processes  "),
    "when_to_use": (
        ["--io-jobs", "2", "--io-ms", "100", "--cpu-jobs", "2", "--cpu-ms", "100"],
        2,
        "recommendation",
    ),
}


@pytest.mark.parametrize("name", sorted(TWIN_KILLS))
def test_a_twin_with_a_killed_worker_exits_1_with_its_reason_and_no_figure(name: str) -> None:
    args, count, made_up = TWIN_KILLS[name]
    command = [sys.executable, "-m", f"demos.{name}", *args, "--json"]
    twin = subprocess.Popen(command, cwd=ROOT, stdout=PIPE, stderr=PIPE, text=True)
    try:
        victim = wait_for_workers(twin.pid, count, 30)[-1]
        t_kill = time.perf_counter()
        kill(victim)
        out, err = twin.communicate(timeout=TWIN_END_S)
    finally:
        if twin.poll() is None:  # it hangs: end it and its workers, which hold its pipes
            for proc in [*descendants(twin.pid), psutil.Process(twin.pid)]:
                kill(proc)
            twin.communicate()
    ended_s = time.perf_counter() - t_kill
    assert twin.returncode == 1, (twin.returncode, out, err)
    assert ended_s < TWIN_END_S, ended_s  # far inside each twin's own deadline (30 s or more)
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors, err
    assert "SIGKILL" in errors[0], err
    assert "Traceback" not in err, err
    assert made_up not in out, out
    assert json.loads(out.splitlines()[-1]) == {"exit_reason": errors[0].removeprefix("error: ")}


def test_a_cost_process_killed_while_it_starts_ends_the_round_at_once() -> None:
    from demos.exit_status import twin_main
    from demos.process_cost import CostRoundBroken, measure_processes

    outcome: list[object] = []

    @twin_main
    def measure(argv: list[str] | None = None) -> int:
        try:
            measure_processes(2, lambda: False)
        except CostRoundBroken as exc:
            outcome.append(exc)
            raise
        return 0

    ended: list[int] = []
    thread = threading.Thread(target=lambda: ended.append(measure([])), name="cost-round")
    thread.start()
    victim = wait_for_workers(os.getpid(), 1, 30)[0]  # still importing: no first line yet
    t_kill = time.perf_counter()
    kill(victim)
    thread.join(10)
    ended_s = time.perf_counter() - t_kill
    assert not thread.is_alive()
    assert ended_s < NOTICE_S + 2 * 0.5, ended_s  # not the 60 s a round waits for a first line
    assert ended == [1]  # the twin's exit status: failed, with the reason noted
    assert isinstance(outcome[0], CostRoundBroken)
    assert "SIGKILL" in str(outcome[0])


def qt_wait_for_workers(qtbot, pid: int, count: int) -> list[Any]:  # noqa: ANN001
    """:func:`wait_for_workers` with the window alive meanwhile (it chains a sweep's steps)."""
    qtbot.waitUntil(lambda: len(workers_of(pid)) >= count, timeout=30_000)
    return workers_of(pid)


def open_tab(win: Any, title: str) -> Any:
    win.tabs.setCurrentIndex([tab.title for tab in win.lessons].index(title))
    return win.current_lesson()


def open_lanes(store: IntervalStore) -> list[str]:
    """Names of lanes still drawn as live (not DONE, CANCELLED or FAILED)."""
    finals = store.final_states()
    return [
        lane.name
        for lane in store.lanes
        if lane.lane_id in finals
        and not finals[lane.lane_id][0].is_terminal
        and lane.name != "MainThread"
    ]


def test_program_process_thread_with_a_worker_killed_while_starting(window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(window, "Program, process and thread")
    tab.run_choice.set_value("processes")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.lab.running, timeout=5000)
    kill(qt_wait_for_workers(qtbot, window.lab.pid or 0, 1)[0])
    t_kill = time.perf_counter()
    qtbot.waitUntil(lambda: "SIGKILL" in tab.status_label.text(), timeout=10_000)
    assert time.perf_counter() - t_kill < 5  # not the 60 s wait of the issue
    assert "did not complete" in tab.status_label.text(), tab.status_label.text()
    assert not open_lanes(tab.store), open_lanes(tab.store)
    assert not window.lab.running


def test_a_sweep_with_a_killed_worker_stops_with_no_lane_left_running(window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(window, "Multiprocessing")
    tab.max_workers.setValue(2)
    tab.total_ms.setValue(2000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.lab.running, timeout=5000)
    kill(qt_wait_for_workers(qtbot, window.lab.pid or 0, 2)[-1])  # the two-process step
    qtbot.waitUntil(lambda: "sweep stopped" in tab.verdict_label.text(), timeout=10_000)
    assert "SIGKILL" in tab.verdict_label.text(), tab.verdict_label.text()
    qtbot.waitUntil(lambda: not open_lanes(tab.store), timeout=2000)
    assert not window.lab.running  # the sweep did not go on to its next step


# ----------------------------------------------------------------------- a settings file
INFINITY = r"@Variant(\0\0\0\x6\x7f\xf0\0\0\0\0\0\0)"  # a double, +inf, as QSettings writes it


def test_a_settings_file_holding_infinity_starts_the_app_and_is_mended(tmp_path: Path) -> None:
    """Issue 10 point 4, against the real app: a well-formed value that reads as infinity
    under the schema version, the last lesson and a slider once ended every start."""
    config = tmp_path / "config" / "Concurrency Lab"
    config.mkdir(parents=True)
    store = config / "Concurrency Lab.conf"
    store.write_text(
        f"[General]\nschema_version={INFINITY}\n\n[window]\nlast_lesson={INFINITY}\n\n"
        f"[multithreading]\nthreads={INFINITY}\nsteps=lots\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "CONCURRENCY_LAB_QUIT_AFTER_PAINT": "lesson",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--lesson", "multithreading"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=45,
    )
    log = (tmp_path / "state" / "concurrency-lab" / "log" / "concurrency-lab.log").read_text()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "uncaught exception" not in log
    for key in ("schema_version", "window/last_lesson", "multithreading/threads"):
        assert f"setting {key} = " in log, f"{key} not reported"
    assert "multithreading/steps" in log
    mended = store.read_text()
    assert INFINITY not in mended, "the bad values are removed, not written back"
    assert "lots" not in mended
