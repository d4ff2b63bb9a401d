"""Pools, submit + as_completed: results in the order tasks end, each Future's states, cancel()
only while queued, and a process pool's early RUNNING; the twin, a run and the tab's view."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from demos import pool_futures
from demos.events import Kind, State
from demos.pool_futures_result import PoolFuturesResult, most_at_once, summarize
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent
FORWARD = ["PENDING", "RUNNING", "FINISHED"]


@functools.cache
def twin_run(*args: str) -> dict[str, Any]:
    """The twin's JSON figures for these options (each run once per test session)."""
    proc = subprocess.run(
        [sys.executable, "-m", "demos.pool_futures", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


THREADS_WAITING = ("--kind", "thread", "--work", "io")  # sleeps: the order holds on a busy machine
PROCESSES = ("--kind", "process", "--work", "cpu")


def test_the_default_lengths_end_far_from_the_submitted_order() -> None:
    lengths = pool_futures.task_lengths(12, 200)
    assert lengths == pool_futures.task_lengths(12, 200)  # the same settings, the same lengths
    assert all(40 <= ms <= 360 for ms in lengths)
    assert lengths != sorted(lengths)


def test_results_come_in_the_order_the_tasks_end_not_the_order_submitted() -> None:
    result = twin_run(*THREADS_WAITING)
    assert result["yield_order"] != result["submit_order"]
    # Each result came after every task that ended before it (a few ms for the wake-up).
    assert result["misordered_ms"] < 20.0, result["yield_order"]
    ends = {r["index"]: r["ended_s"] for r in result["records"] if r["worker"]}
    given = [i for i in result["yield_order"] if i in ends]
    assert [ends[i] for i in given] == pytest.approx(sorted(ends.values()), abs=0.02)
    assert "in the order they finished" in result["verdict"]


@pytest.mark.parametrize("args", [THREADS_WAITING, PROCESSES], ids=["threads", "processes"])
def test_every_future_moves_forward_and_cancel_works_only_while_queued(args: tuple) -> None:
    result = twin_run(*args)
    records = result["records"]
    assert len(records) == 12
    for record in records[:10]:  # ran: a forward path that ends FINISHED
        states = record["states"]
        assert states[-1] == "FINISHED", record
        assert [FORWARD.index(s) for s in states] == sorted(FORWARD.index(s) for s in states)
        assert record["worker"] in (1, 2)
        assert record["cancel_returned"] is None
    for record in records[10:]:  # cancel() while still queued: True, and it never ran
        assert record["cancel_returned"] is True
        assert record["states"] == ["PENDING", "CANCELLED"]
        assert record["worker"] == 0
    assert result["cancelled"] == [10, 11]
    assert sorted(result["yield_order"]) == list(range(12))  # as_completed gave every one


def test_a_process_pool_says_running_before_a_worker_takes_the_task() -> None:
    processes, threads = twin_run(*PROCESSES), twin_run(*THREADS_WAITING)
    # Its call queue holds futures already marked RUNNING beyond the two being worked on.
    assert processes["most_running"] > processes["workers"] == 2
    assert any(r["early_ms"] > 20 for r in processes["records"])
    assert "said RUNNING at once" in processes["verdict"]
    # A thread pool's worker marks a future running as it takes it.
    assert threads["most_running"] <= threads["workers"]
    assert all(r["early_ms"] <= 20 for r in threads["records"])


def test_cancel_mid_run_drops_the_queued_futures_and_stops_the_pool() -> None:
    # Twelve tasks of about 2 s on one process: Cancel must not wait for them.
    specs = pool_futures.build_workers("process", "cpu", 12, 2000, 1, 0)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    out = specs[0].params["out"]
    deadline = time.monotonic() + 60
    while "submitted_ns" not in out and run.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "submitted_ns" in out, "the pool did not start"
    run.pause()
    t0 = time.perf_counter()
    report = run.cancel(10.0)
    assert report.ended, report
    assert not report.escalations, report
    assert time.perf_counter() - t0 < 3.0
    assert run.workers[0].outcome.state is State.CANCELLED
    assert len(out["yields"]) < 12


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="cancel .5. can be at most the number of futures .4."):
        pool_futures.build_workers("thread", "io", 4, 100, 2, 5)
    with pytest.raises(ValueError, match="workers must be between 1 and 8"):
        pool_futures.build_workers("thread", "io", 4, 100, 0, 0)


def made_up(yields: list[int], cancelled: list[int]) -> PoolFuturesResult:
    """A run of four futures, 100 ms each, from figures typed here (ends 100 ms apart)."""
    ms = 1_000_000
    ran = {i: [7, i * 100 * ms, (i + 1) * 100 * ms] for i in range(4) if i not in cancelled}
    raw = {
        "submitted_ns": 0,
        "lengths_ms": [100] * 4,
        "workers": [7],
        "cancel_returned": [[i, True] for i in cancelled],
        "states": [
            [["PENDING", 0], ["CANCELLED", ms]]
            if i in cancelled
            else [["PENDING", 0], ["RUNNING", i * 100 * ms], ["FINISHED", (i + 1) * 100 * ms]]
            for i in range(4)
        ],
        "yields": [
            {"index": i, "t_ns": (n + 1) * 100 * ms, "ran": ran.get(i)}
            for n, i in enumerate(yields)
        ],
    }
    return summarize({"kind": "thread", "work": "io", "workers": 1, "task_ms": 100}, raw)


def test_the_verdict_follows_the_figures() -> None:
    in_order = made_up([0, 1, 2, 3], [])
    assert in_order.misordered_ms == 0.0
    assert "in the order submitted" in in_order.verdict()
    assert in_order.most_running == 1
    assert in_order.stretch == pytest.approx(1.0)
    assert in_order.at_once == pytest.approx(1.0)
    swapped = made_up([1, 0, 2, 3], [])
    assert swapped.misordered_ms == pytest.approx(100.0)  # 0 ended 100 ms before 1 was given
    first = made_up([3, 0, 1, 2], [3])
    assert "gave them first" in first.verdict()
    late = made_up([0, 3, 1, 2], [3])
    assert "at places 2" in late.verdict()
    assert late.cancelled == (3,)
    again = PoolFuturesResult.from_json(late.as_json())
    assert again == late


def test_most_at_once_counts_overlapping_running_spans() -> None:
    states = [
        [["RUNNING", 0], ["FINISHED", 10]],
        [["PENDING", 0], ["RUNNING", 5], ["FINISHED", 20]],
        [["PENDING", 0], ["RUNNING", 12], ["FINISHED", 30]],
    ]
    assert most_at_once(states) == 2
    assert most_at_once([[["PENDING", 0], ["CANCELLED", 3]]]) == 0


# ------------------------------------------------------------------- the tab
@pytest.mark.gui
def test_the_view_runs_through_the_lab_to_its_figures(qtbot, qloop, tmp_path) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    win.tabs.setCurrentIndex(win.lessons.titles.index("Pools"))
    tab = win.current_lesson()
    view = tab.futures_view
    try:
        view.kind.set_value("process")
        view.work.set_value("io")
        view.futures.setValue(6)
        view.task_ms.setValue(50)
        view.workers.setValue(2)
        view.cancel.setValue(1)
        tab.side_scroll.verticalScrollBar().setValue(0)
        view.button.click()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        # The panel scrolled down to the view's figures.
        assert tab.side_scroll.verticalScrollBar().value() > 0
        qtbot.waitUntil(lambda: view.figures is not None and not win.lab.running, timeout=60_000)
        figures = view.figures
        assert tab.scenario == "demos.pool_futures"
        assert view.result_box.values["yielded"].text() == " ".join(map(str, figures.yield_order))
        assert view.result_box.values["cancelled"].text() == "5: True"
        assert view.result_box.verdict.text() == figures.verdict()
        lengths = pool_futures.task_lengths(6, 50)
        # A lane per future, named with its length, and one per pool process, all ended.
        futures = [lane for lane in win.store.lanes if lane.kind is Kind.TASK]
        assert [lane.name for lane in futures] == [
            f"future {i} ({ms} ms)" for i, ms in enumerate(lengths)
        ]
        final = [win.store.current_state(lane.lane_id) for lane in futures]
        assert final == [State.DONE] * 5 + [State.CANCELLED]
        workers = [lane for lane in win.store.lanes if lane.kind is Kind.PROCESS]
        assert len(workers) == 2
        assert all(lane.ident for lane in workers)
        assert {win.store.current_state(lane.lane_id) for lane in workers} == {State.DONE}
        # The map() view's figures were left alone, and its next run is map() again.
        assert tab.figures is None
        assert "futures" not in tab.params()
        # Saved and opened in a fresh window, the run comes back to this view's figures.
        path = tmp_path / "futures.clrun"
        assert win.save_run_to(str(path)), win.banner.text()
        other = MainWindow()
        qtbot.addWidget(other)
        other.show()
        try:
            assert other.open_run_from(str(path)), other.banner.text()
            again = other.current_lesson()
            assert again.scenario == "demos.pool_futures"
            assert again.futures_view.figures == figures
            assert again.figures is None
        finally:
            other.leave_replay()
            other.tabs.setCurrentIndex(0)
            other.close()
    finally:
        win.tabs.setCurrentIndex(0)
        win.close()


@pytest.mark.skipif(
    not getattr(sys, "_is_gil_enabled", lambda: True)(), reason="a free-threaded build: no GIL"
)
def test_computing_threads_of_a_thread_pool_take_turns_on_the_gil() -> None:
    result = twin_run("--kind", "thread", "--work", "cpu")
    assert result["stretch"] > 1.3, result["stretch"]  # two threads, one GIL: about 2x
    assert "took turns on one GIL" in result["verdict"]


def test_each_result_is_drawn_on_its_worker_lane_as_it_arrives() -> None:
    # One thread worker, six waits of about 100 ms: after two results, two bars, not zero.
    specs = pool_futures.build_workers("thread", "io", 6, 100, 1, 0)
    sink = ListSink()
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    out = specs[0].params["out"]
    deadline = time.monotonic() + 30
    while len(out.get("yields", [])) < 2 and run.alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    worker_lane = run.workers[0].lane_id + 1 + 6  # after the submitter and six futures
    bars = [e for e in list(sink.events) if e[1] == worker_lane and e[2] == int(State.RUNNING)]
    given = len(out["yields"])
    assert 2 <= len(bars) <= given < 6, (len(bars), given)
    report = run.cancel(10.0)
    assert report.ended, report


def test_a_pool_process_killed_from_outside_fails_the_run_with_its_reason() -> None:
    specs = pool_futures.build_workers("process", "cpu", 12, 300, 2, 0)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    out = specs[0].params["out"]
    deadline = time.monotonic() + 60
    while "submitted_ns" not in out and run.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "submitted_ns" in out, "the pool did not start"
    os.kill(out["workers"][0], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while run.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    outcome = run.workers[0].outcome
    assert outcome.state is State.FAILED
    # Its words depend on whether a result or a submit met the broken pool first.
    assert outcome.message.startswith("BrokenProcessPool: "), outcome.message
