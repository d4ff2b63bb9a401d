"""Concurrency vs parallelism: the twin's figures, the scenario's rules, and the tab in the lab."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from capacity import measured_with_load, require

from demos import parallelism
from demos.events import Kind, State
from demos.parallelism_result import ModelRun, ParallelismResult, summarize

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(180), pytest.mark.serial]
ROOT = Path(__file__).resolve().parent.parent
MULTI_CORE = parallelism.usable_cores() >= 2
needs_cores = pytest.mark.skipif(not MULTI_CORE, reason="parallelism needs two usable cores")
needs_pinning = pytest.mark.skipif(
    not parallelism.one_core_supported(), reason="os.sched_setaffinity is not available"
)
ATTEMPTS = 3


def twin(*args: str) -> tuple[str, dict]:
    out = subprocess.run(
        [sys.executable, "-m", "demos.parallelism", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return out, json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------ the twin
def test_twin_reports_both_models_and_processes_alone_run_in_parallel() -> None:
    seen = []
    for _ in range(ATTEMPTS):  # best of three: load elsewhere can only hide a speedup
        (out, result), others = measured_with_load(
            lambda: twin("--workers", "2", "--total-ms", "1200")
        )
        for model in ("threads", "processes"):
            assert {"elapsed_s", "sequential_s", "speedup"} <= result[model].keys()
            # CPU time measured in the workers: there was some, and never more than the
            # cores could give in the elapsed time (a figure assumed from the settings could).
            cpu_s, wall_s = result[model]["sequential_s"], result[model]["elapsed_s"]
            assert 0 < cpu_s <= wall_s * result["cores"] * 1.05 + 0.02, (model, result[model])
        assert result["cores"] >= 1
        assert result["one_core"] is False
        assert result["work"] == "cpu"
        assert "Process-2" in out
        assert "Thread-2" in out
        assert result["threads"]["speedup"] < 1.3, "one GIL: busy threads take turns"
        seen.append((result["processes"]["speedup"], round(others, 2)))
        # The bar: more than 1.5x for two processes on a 2-core machine.
        if not MULTI_CORE or result["processes"]["speedup"] > 1.5:
            return
    require(False, [o for _, o in seen], "two processes above 1.5x", f"(speedup, others) {seen}")


@needs_pinning
def test_one_core_takes_the_parallelism_away_from_processes() -> None:
    _, result = twin("--workers", "2", "--total-ms", "1200", "--one-core")
    assert result["one_core"] is True
    assert result["processes"]["speedup"] < 1.3, result
    assert result["threads"]["speedup"] < 1.3, result


def test_io_work_overlaps_even_in_threads() -> None:
    _, result = twin("--workers", "4", "--total-ms", "1200", "--work", "io")
    assert result["work"] == "io"
    assert result["threads"]["speedup"] > 1.5, result
    assert result["threads"]["sequential_s"] == pytest.approx(1.2, rel=0.1)


def test_twin_writes_one_trace_per_model(tmp_path: Path) -> None:
    trace = tmp_path / "run.json"
    subprocess.run(
        [sys.executable, "-m", "demos.parallelism", "--total-ms", "200", "--trace", str(trace)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    for model in ("threads", "processes"):
        data = json.loads((tmp_path / f"run.{model}.json").read_text())
        names = [e for e in data["traceEvents"] if e["name"] == "thread_name"]
        assert len(names) == 2, model


# -------------------------------------------------------------- the scenario
def test_the_job_is_split_evenly_and_the_model_picks_the_worker_kind() -> None:
    specs = parallelism.build_workers(4, 1000, "processes", "cpu")
    assert [s.name for s in specs] == ["Process-1", "Process-2", "Process-3", "Process-4"]
    assert {s.params["share_ms"] for s in specs} == {250.0}
    assert parallelism.worker_kind(model="processes") is Kind.PROCESS
    assert parallelism.worker_kind(model="threads") is Kind.THREAD
    with pytest.raises(ValueError, match="model must be one of"):
        parallelism.build_workers(2, 1000, "fibers", "cpu")


def test_one_core_is_refused_where_it_cannot_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallelism, "one_core_supported", lambda: False)
    with pytest.raises(ValueError, match="sched_setaffinity"):
        parallelism.build_workers(2, 1000, "threads", "cpu", one_core=True)


def compared(
    threads: float | None, processes: float | None, work: str = "cpu", one_core: bool = False
) -> ParallelismResult:
    """A comparison whose models measured these speedups (None: not run)."""

    def run(speedup: float | None) -> ModelRun | None:
        return None if speedup is None else summarize(1.0, speedup, 0.2)

    return ParallelismResult(2, work, one_core, 4, 4, run(threads), run(processes))


def test_verdicts_name_what_the_figures_show() -> None:
    assert "processes ran in parallel" in compared(1.0, 1.9).verdict()
    assert "concurrency without parallelism" in compared(1.0, 1.0, one_core=True).verdict()
    assert "waited at the same time" in compared(1.9, None, "io").verdict()
    assert "Now run processes" in compared(1.0, None).verdict()


def test_verdicts_follow_the_speedups_not_the_settings() -> None:
    # One core asked for, yet the processes measured 1.9x: not "only take turns".
    pinned = compared(1.0, 1.9, one_core=True).verdict()
    assert "take turns" not in pinned
    assert "did not hold" in pinned
    # Threads of CPU work that gained (a free-threaded build): not blamed on a GIL.
    free = compared(1.9, 1.9).verdict()
    assert "Both ran in parallel" in free
    assert "interleaved under the GIL" not in free
    # I/O that did not overlap is not told it did.
    assert "No overlap measured" in compared(1.0, 1.0, "io").verdict()


def test_the_result_round_trips_through_json_and_refuses_nonsense() -> None:
    result = compared(1.0, None)
    data = json.loads(json.dumps(result.as_json()))
    assert data["processes"] is None
    assert data["threads"]["speedup"] == 1.0
    assert ParallelismResult.from_json(data) == result
    with pytest.raises(TypeError):
        ParallelismResult.from_json({**data, "threads": {**data["threads"], "speedup": True}})
    with pytest.raises(KeyError):
        ParallelismResult.from_json({**data, "threads": {"speedup": 1.0}})
    with pytest.raises(ValueError, match="finite"):
        ParallelismResult.from_json({**data, "threads": {**data["threads"], "speedup": 1e999}})


# ------------------------------------------------------------------- the tab
@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    yield win
    win.tabs.setCurrentIndex(0)  # the window remembers its tab: leave the first for other tests
    win.close()


def select_tab(win, title: str):  # noqa: ANN001, ANN201
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    return win.current_lesson()


def figure(label) -> float:  # noqa: ANN001
    return float(label.text().split("x")[0])


@pytest.mark.gui
def test_compare_both_in_the_lab_shows_two_speedups_and_pid_lanes(window, qtbot) -> None:  # noqa: ANN001
    tab = select_tab(window, "Concurrency vs parallelism")
    tab.workers.setValue(2)
    tab.total_ms.setValue(1200)
    tab.work_cpu.setChecked(True)
    tab.one_core.setChecked(False)

    def compare() -> None:
        tab.compare_button.click()
        qtbot.waitUntil(lambda: window.lab.running, timeout=5000)
        qtbot.waitUntil(
            lambda: "processes" in tab.figures and not window.lab.running, timeout=60_000
        )

    _, others = measured_with_load(compare)
    assert "threads" in tab.figures
    assert tab.threads_speedup.text().endswith("(ideal 2x)")
    assert figure(tab.threads_speedup) < 1.3, tab.threads_detail.text()
    assert "start-up" in tab.processes_detail.text()
    # The last run was the processes: their lanes carry real pids, not the lab's.
    workers = [lane for lane in window.store.lanes if lane.kind is Kind.PROCESS]
    assert [lane.name for lane in workers] == ["Process-1", "Process-2"]
    pids = {lane.ident for lane in workers}
    assert len(pids) == 2
    assert 0 not in pids
    assert window.lab.pid not in pids
    assert {window.store.current_state(lane.lane_id) for lane in workers} == {State.DONE}
    # Last, as it may skip: more than 1.3x in one of three tries, or a skip naming the load
    # that hid it (the window's own drawing shares the two cores with the workers).
    if MULTI_CORE:
        loads, seen = [others], [tab.processes_detail.text()]
        parallel = figure(tab.processes_speedup) > 1.3
        while not parallel and len(loads) < 3:
            _, others = measured_with_load(compare)
            loads.append(others)
            seen.append(tab.processes_detail.text())
            parallel = figure(tab.processes_speedup) > 1.3
        require(parallel, loads, "processes above 1.3x", seen)
        assert "parallel on separate cores" in tab.verdict_label.text()


@pytest.mark.gui
def test_io_threads_through_start_and_settings_are_remembered(window, qtbot) -> None:  # noqa: ANN001
    tab = select_tab(window, "Concurrency vs parallelism")
    tab.workers.setValue(4)
    tab.total_ms.setValue(800)
    tab.model_threads.setChecked(True)
    tab.work_io.setChecked(True)
    window.start()
    qtbot.waitUntil(lambda: "threads" in tab.figures and not window.lab.running, timeout=30_000)
    assert figure(tab.threads_speedup) > 1.5, tab.threads_detail.text()
    assert "waited at the same time" in tab.verdict_label.text()
    assert tab.settings.value("parallelism/work") == "io"
    assert int(tab.settings.value("parallelism/workers")) == 4
    tab.work_cpu.setChecked(True)  # leave the defaults for the other tests
    tab.workers.setValue(2)


@pytest.mark.gui
def test_one_core_switch_is_hidden_with_a_note_where_unsupported(
    qtbot,  # noqa: ANN001
    qloop,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.main_window import MainWindow

    monkeypatch.setattr(parallelism, "one_core_supported", lambda: False)
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    tab = select_tab(win, "Concurrency vs parallelism")
    assert tab.one_core.isHidden()
    assert not tab.one_core_note.isHidden()
    assert "sched_setaffinity" in tab.one_core_note.text()
    assert tab.params()["one_core"] is False
    win.tabs.setCurrentIndex(0)
    win.close()
