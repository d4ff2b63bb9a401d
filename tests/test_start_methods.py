"""Start methods: start-up cost per method, the default said for this version, a child forked
while another thread held a lock (stuck, then stopped), and the tab's view running it in the lab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from demos import platform_support, start_methods
from demos.events import Kind, State
from demos.start_methods_result import StartMethodsResult, default_note, summarize

pytestmark = [pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parent.parent
HAS_FORK = "fork" in platform_support.start_methods()


def run(**params: object) -> tuple[StartMethodsResult, object, float]:
    """The scenario in this process, as the twin runs it: (figures, store, seconds taken)."""
    from demos.twin import run_locally

    values = {**start_methods.DEFAULTS, **params}
    specs = start_methods.build_workers(**values)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    _, store = run_locally(Kind.THREAD, specs, timeout_s=start_methods.deadline_s(values))
    return summarize(start_methods.result(specs)), store, time.perf_counter() - t0


def descendants(grace_s: float = 2.0) -> list[int]:
    """Living processes below this one (grandchildren too) still there after ``grace_s``, the
    shared resource tracker aside (conftest allows it); zombies have ended, only unreaped."""
    deadline = time.monotonic() + grace_s
    while (left := _living_below()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _living_below() -> list[int]:
    left = []
    for proc in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                proc.cmdline()
            ):
                left.append(proc.pid)
        except psutil.Error:
            continue  # gone meanwhile
    return left


@pytest.mark.serial  # timing: alone, not beside another test
def test_each_method_start_up_cost_is_measured_and_fork_is_cheapest() -> None:
    figures, _store, _ = run(repeats=3, skip_trap=True)
    assert [c.method for c in figures.costs] == start_methods.chosen_methods("all")
    for cost in figures.costs:
        assert cost.samples == 3
        assert 0 < cost.start_ms <= cost.join_ms, cost
    fork = figures.cost("fork")
    if fork is not None and sys.platform.startswith("linux"):
        # Measured here: fork a few ms, forkserver and spawn tens to hundreds (an interpreter
        # starts, or a module is imported afresh). Linux only: macOS's fork is another matter.
        for other in ("spawn", "forkserver"):
            cost = figures.cost(other)
            assert cost is not None
            assert fork.start_ms < cost.start_ms, figures.costs
    assert figures.trap == ()
    assert descendants() == []  # the forkserver's server went with the run


@pytest.mark.skipif(not HAS_FORK, reason="no fork on this platform")
def test_fork_after_threads_child_is_stuck_and_stopped_within_its_deadline() -> None:
    figures, store, took_s = run(repeats=1, methods="fork", deadline_s=1)
    forked, spawned = figures.child("fork"), figures.child("spawn")
    assert forked is not None
    assert spawned is not None
    # It said "about to acquire", then nothing: its copy of the lock was held by a thread it
    # does not have. Stopped at the deadline, by terminate or kill.
    assert forked.reached_acquire
    assert not forked.took_lock
    assert 1.0 <= forked.waited_s < 2.5, forked
    assert forked.stopped in ("terminated", "killed")
    # Spawned (and forkserver) children import the module afresh: a free lock, taken at once.
    assert spawned.took_lock
    assert spawned.waited_s < 0.5, spawned
    fresh = figures.child("forkserver")
    assert fresh is None or fresh.took_lock
    assert took_s < start_methods.deadline_s(dict(start_methods.DEFAULTS, deadline_s=1))
    lanes = {lane.name: lane for lane in store.lanes}
    stuck = lanes["fork child (lock)"]
    assert stuck.kind is Kind.PROCESS
    assert stuck.ident > 0
    assert store.current_state(stuck.lane_id) is State.CANCELLED
    spent = store.time_in_states(store.t_last_ns)[stuck.lane_id]
    assert spent.get(State.BLOCKED, 0.0) >= 1.0  # blocked on the lock, drawn so
    assert store.current_state(lanes["spawn child (lock)"].lane_id) is State.DONE
    if sys.version_info >= (3, 12):
        assert "fork" in figures.fork_warning  # Python 3.12+ says fork() with threads may hang
    assert descendants() == []
    assert "froze on a lock copied while held" in figures.verdict()


@pytest.mark.skipif(not HAS_FORK, reason="no fork on this platform")
def test_cancel_while_the_fork_child_is_stuck_ends_the_run_at_once() -> None:
    from demos.runtime import Run
    from demos.transport import ListSink

    values = {**start_methods.DEFAULTS, "repeats": 1, "methods": "fork", "deadline_s": 10}
    sink = ListSink()
    run = Run(Kind.THREAD, start_methods.build_workers(**values), sink, None)  # type: ignore[arg-type]
    run.start()
    try:
        deadline = time.monotonic() + 30
        while not any(e[3] == "LOCK.acquire()" for e in list(sink.events)):
            assert time.monotonic() < deadline, "the fork child never reached acquire()"
            time.sleep(0.02)
        t0 = time.perf_counter()
        stopped = run.cancel(5.0)
        took_s = time.perf_counter() - t0
    finally:
        run.close()
    assert stopped.ended
    assert stopped.escalations == []  # the thread heard Cancel; no one had to be forced
    assert took_s < 1.5, took_s  # not the 10 s deadline
    assert descendants() == []  # the stuck child went with the run


def test_without_fork_the_demonstration_is_skipped_and_said(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(platform_support, "start_methods", lambda: ["spawn"])
    figures, _store, _ = run(repeats=1, deadline_s=1)
    assert [c.method for c in figures.costs] == ["spawn"]
    assert figures.trap == ()
    assert "has no fork" in figures.trap_skipped
    assert figures.trap_skipped in figures.verdict()


def test_the_default_is_said_for_the_running_version() -> None:
    old = default_note("fork", (3, 13), "linux")
    assert old == "this Python's default is fork; Python 3.14 changes it to forkserver"
    new = default_note("forkserver", (3, 14), "linux")
    assert new == "this Python's default is forkserver; Python 3.14 changed it from fork"
    assert "no fork" in default_note("spawn", (3, 14), "win32")
    assert "macOS" in default_note("spawn", (3, 12), "darwin")
    here = summarize({"python": "3.11.7", "platform": "linux", "default_method": "fork"})
    assert here.default_note.endswith("changes it to forkserver")


def test_the_twin_prints_figures_and_one_json_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "demos.start_methods", "--repeats", "1", "--deadline-s", "1"]
        + ["--methods", "spawn", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert [c["method"] for c in result["costs"]] == ["spawn"]
    assert result["costs"][0]["start_ms"] > 0
    assert result["default_method"] == platform_support.default_start_method()
    assert "3.14" in result["default_note"]
    if HAS_FORK:
        fork = next(c for c in result["trap"] if c["method"] == "fork")
        assert not fork["took_lock"]
        assert fork["stopped"]
    assert StartMethodsResult.from_json(result).verdict() == result["verdict"]
    assert descendants() == []  # the twin's children (our grandchildren) all ended


# ------------------------------------------------------------------- the tab
@pytest.mark.gui
def test_the_tab_measures_start_methods_in_the_lab(qtbot, qloop, tmp_path) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    win.tabs.setCurrentIndex(win.lessons.titles.index("Multiprocessing"))
    tab = win.current_lesson()
    view = tab.start_methods
    try:
        # Before a run the axis reads 0 up, in ms: not a made-up -400..400 "(x0.001)".
        low, high = view.plot.getViewBox().viewRange()[1]
        assert (low, high) == (0, 100)
        assert view.plot.getAxis("left").autoSIPrefixScale == 1.0
        view.repeats.setValue(1)
        view.deadline.setValue(1)
        view.button.click()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        assert tab.scenario == "demos.start_methods"
        qtbot.waitUntil(lambda: view.figures is not None and not win.lab.running, timeout=60_000)
        figures = view.figures
        assert figures is not None
        for cost in figures.costs:
            assert view.bars[cost.method].opts["height"][0] == cost.start_ms > 0
            assert view.result_box.values[cost.method].text().endswith("(median of 1)"), cost
        assert view.result_box.verdict.text() == figures.verdict()
        assert f"Python {figures.python}: {figures.default_note}" in view.default_label.text()
        if HAS_FORK:
            text = view.result_box.values["trap_fork"].text()
            assert text.startswith("stuck on a lock copied while held: stopped after 1."), text
            assert view.result_box.values["trap_spawn"].text() == "took a fresh lock at once"
            lanes = {lane.name: lane for lane in win.store.lanes}
            stuck = lanes["fork child (lock)"].lane_id
            assert win.store.current_state(stuck) is State.CANCELLED
        # The sweep's Start is the sweep again, its figures untouched.
        assert tab.params().get("phase") == "sweep"
        assert tab.verdict_label.text().startswith("Press Start")
        # Saved and opened again, the run comes back to this view with its figures.
        path = tmp_path / "start_methods.clrun"
        assert win.save_run_to(str(path))
        view.clear("-")
        assert win.open_run_from(str(path))
        assert view.result_box.verdict.text() == figures.verdict()
        assert tab.scenario == "demos.start_methods"
        # A saved sweep opened now must not gain these settings (and open in this view).
        assert "repeats" not in tab.param_defaults()
    finally:
        win.close()
