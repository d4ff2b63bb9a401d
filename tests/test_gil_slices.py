"""GIL hand-offs measured by the CPU steps: READY slices that add up, and texts that follow them.

Serial: the figures are CPU shares and hand-off rates, which a test running beside would skew.
"""

from __future__ import annotations

import json
import sys

import pytest

from demos import gil_slices
from demos import multithreading as lesson
from demos.events import State
from demos.gil_slices import SWITCHES, gil_enabled
from demos.multithreading_gil import GilFigures, ThreadGil, measure
from demos.twin import run_locally

pytestmark = [pytest.mark.timeout(30), pytest.mark.serial]


def run_cpu(threads: int, step_ms: int, switch_interval_ms: int, steps: int = 1) -> GilFigures:
    """One short Multithreading run of CPU steps here, and its GIL figures."""
    params = {"threads": threads, "steps": steps, "step_ms": step_ms, "kind": "cpu"}
    specs = lesson.build_workers(**params, switch_interval_ms=switch_interval_ms)
    run, store = run_locally(lesson.KIND, specs, timeout_s=20)
    elapsed_s = (run.t_end_ns() - run.t_start_ns) / 1e9
    cpu_s = {w.lane_id: w.outcome.work_s for w in run.workers}
    return measure(
        store,
        cpu_s,
        enabled=gil_enabled(),
        switch_interval_ms=switch_interval_ms,
        elapsed_s=elapsed_s,
        cpu_s=cpu_s,
    )


def test_running_slices_add_up_to_each_threads_cpu_time() -> None:
    gil = run_cpu(threads=4, step_ms=125, switch_interval_ms=5)
    assert len(gil.threads) == 4
    for thread in gil.threads:
        assert thread.cpu_s is not None
        assert abs(thread.running_s - thread.cpu_s) <= 0.1 * thread.cpu_s, thread
        assert thread.handoffs > 0
        assert thread.ready_s > 0
    if gil_enabled():  # four threads, one GIL: they hardly ever ran at once
        assert gil.took_turns


def test_a_shorter_switch_interval_hands_the_gil_over_more_often() -> None:
    before = sys.getswitchinterval()
    fast = run_cpu(threads=2, step_ms=250, switch_interval_ms=1)
    slow = run_cpu(threads=2, step_ms=250, switch_interval_ms=50)
    assert sys.getswitchinterval() == before  # restored after each run
    fast_rate = fast.handoffs / fast.elapsed_s
    slow_rate = slow.handoffs / slow.elapsed_s
    assert fast_rate > 3 * slow_rate, (fast_rate, slow_rate)


def test_one_thread_alone_hardly_waits_for_the_gil() -> None:
    (thread,) = run_cpu(threads=1, step_ms=200, switch_interval_ms=5).threads
    # On a quiet machine about 1 % of its time. Under load the test's own threads (the join
    # loop, samplers) hold the GIL a moment now and then and may be preempted holding it;
    # four threads computing wait about 75 % of their time for it.
    waited = thread.gil_wait_s if SWITCHES is not None else thread.ready_s
    assert waited <= 0.3 * (thread.running_s + thread.ready_s), thread


def test_the_twin_reports_gil_and_per_thread_figures(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--threads", "2", "--steps", "1", "--step-ms", "100", "--kind", "cpu"]
    assert lesson.main([*argv, "--switch-interval-ms", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    gil = data["gil"]
    assert set(gil) == {"enabled", "switch_interval_ms", "handoffs", "overlap_s"}
    assert gil["enabled"] is gil_enabled()
    assert gil["switch_interval_ms"] == 2
    assert gil["handoffs"] > 0
    assert 0 <= gil["overlap_s"] <= data["elapsed_s"]
    assert [t["name"] for t in data["per_thread"]] == ["Thread-1", "Thread-2"]
    for thread in data["per_thread"]:
        assert thread["running_s"] > 0
        assert thread["cpu_s"] > 0


def figures(enabled: bool, overlap_s: float, elapsed_s: float = 1.0) -> GilFigures:
    threads = [ThreadGil(f"Thread-{i}", 0.25, 0.7, 50) for i in (1, 2, 3, 4)]
    return GilFigures(enabled, 5.0, 200, overlap_s, elapsed_s, threads)


def verdict(speedup: float, gil: GilFigures | None) -> str:
    return lesson.cpu_verdict(4, speedup, gil)


def test_turns_are_blamed_on_the_gil_only_when_measured() -> None:
    text = verdict(1.0, figures(enabled=True, overlap_s=0.01))
    assert "took turns holding the GIL" in text
    assert "200 hand-offs" in text


def test_no_gil_means_no_turns_in_the_text() -> None:
    parallel = verdict(3.6, figures(enabled=False, overlap_s=0.9))
    assert "took turns" not in parallel
    assert "without a GIL" in parallel
    starved = verdict(1.0, figures(enabled=False, overlap_s=0.05))  # one free core, say
    assert "took turns" not in starved
    assert "waited for a CPU" in starved


def test_overlap_with_the_gil_on_is_reported_not_explained_away() -> None:
    text = verdict(1.1, figures(enabled=True, overlap_s=0.5))
    assert "took turns" not in text
    assert "0.50 s of 1.00 s" in text


def test_without_gil_figures_the_gil_is_not_named() -> None:
    assert "GIL" not in verdict(1.0, None)


def test_a_run_slower_than_in_turn_is_not_called_about_as_long() -> None:
    text = verdict(0.5, figures(enabled=True, overlap_s=0.01))
    assert "even longer (0.50x)" in text
    assert "about as long" not in text


def watch_with_gap(monkeypatch: pytest.MonkeyPatch, gil: bool, voluntary: int) -> list[tuple]:
    """One chunk that took 2 ms longer than the quickest: the events it emits."""
    counts = iter([(0, 0), (voluntary, 1)])  # context switches at the start, after the gap
    monkeypatch.setattr(gil_slices, "gil_enabled", lambda: gil)
    monkeypatch.setattr(gil_slices, "SWITCHES", lambda: next(counts))
    events: list[tuple] = []
    watch = gil_slices.SliceWatch(events.append, 7, "step", gil_slices.SliceTally(), 1.0)
    watch._wall -= 1000 + 2_000_000  # 1000 iterations at 1 ns each, plus a 2 ms gap
    watch.check(1000)
    return events


def test_a_gap_after_blocking_is_a_wait_for_the_gil(monkeypatch: pytest.MonkeyPatch) -> None:
    ready, running = watch_with_gap(monkeypatch, gil=True, voluntary=1)
    assert ready[2:] == (int(State.READY), gil_slices.WAITING_FOR_GIL)
    assert running[2:] == (int(State.RUNNING), "step")
    assert running[0] - ready[0] >= 2_000_000


def test_a_gap_after_preemption_only_is_a_wait_for_a_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    ready, _ = watch_with_gap(monkeypatch, gil=True, voluntary=0)
    assert ready[3] == gil_slices.WAITING_FOR_CPU


def test_without_a_gil_every_gap_is_a_wait_for_a_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    ready, _ = watch_with_gap(monkeypatch, gil=False, voluntary=1)
    assert ready[3] == gil_slices.WAITING_FOR_CPU
