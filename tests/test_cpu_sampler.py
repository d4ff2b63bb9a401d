"""CpuSampler against real threads and processes: the numbers the CPU plot teaches with."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import psutil
import pytest

from demos.cpu_sampler import CpuSampler
from demos.events import Kind, Lane

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(60), pytest.mark.serial]

SAMPLE_PERIOD_S = 0.1
BUSY_THRESHOLD_PERCENT = 40.0
AGREE_POINTS = 15.0  # sampled and received CPU, in percentage points of a core


def _sample_until(sampler: CpuSampler, count: int, deadline_s: float = 10.0) -> None:
    """Sample at the sampler's cadence until it holds ``count`` samples."""
    deadline = time.monotonic() + deadline_s
    while len(sampler) < count:
        assert time.monotonic() < deadline, "sampler did not fill in time"
        sampler.sample()
        time.sleep(SAMPLE_PERIOD_S)
    sampler.sample()


def _thread_cpu_s(native_id: int) -> float:
    for thread in psutil.Process().threads():
        if thread.id == native_id:
            return thread.user_time + thread.system_time
    raise LookupError(native_id)


def _process_cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def _sampled_against_received(
    sampler: CpuSampler, lane_id: int, cpu_s: Callable[[], float]
) -> tuple[float, float]:
    """Sample six times; return the sampler's mean for the lane and the percentage of a core the
    worker really received meanwhile (its own CPU time over the wall time)."""
    cpu0, t0 = cpu_s(), time.perf_counter()
    _sample_until(sampler, len(sampler) + 6)
    received = 100 * (cpu_s() - cpu0) / (time.perf_counter() - t0)
    return _measured_mean(sampler.worker_series()[lane_id][-6:]), received


def _check_busy(sampled: float, received: float) -> None:
    """The sampler's figure is the CPU the worker received (which load elsewhere may lower, so
    the busy threshold applies only when the worker really got it)."""
    assert abs(sampled - received) < AGREE_POINTS, (sampled, received)
    if received > BUSY_THRESHOLD_PERCENT:
        assert sampled > BUSY_THRESHOLD_PERCENT, (sampled, received)
    else:
        pytest.skip(
            f"the busy worker received only {received:.0f} % of a core (sampled {sampled:.0f} %)"
        )


def _measured_mean(series: np.ndarray) -> float:
    """Mean of the measured (non-NaN) values."""
    measured = series[~np.isnan(series)]
    assert measured.size > 0, "no value was measured"
    return float(measured.mean())


@pytest.fixture
def busy_thread() -> Iterator[int]:
    """A pure-Python thread spinning until the test ends; yields its native id."""
    stop = threading.Event()
    ready = threading.Event()
    native_id: list[int] = []

    def spin() -> None:
        native_id.append(threading.get_native_id())
        ready.set()
        while not stop.is_set():
            pass

    thread = threading.Thread(target=spin, name="busy", daemon=True)
    thread.start()
    try:
        assert ready.wait(5)
        yield native_id[0]
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


@pytest.fixture
def busy_process() -> Iterator[subprocess.Popen]:
    """A child process spinning in pure Python; killed and reaped at the end."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


def test_busy_thread_is_measured(busy_thread: int) -> None:
    sampler = CpuSampler()
    sampler.watch_process(os.getpid())
    sampler.set_lanes([Lane(1, Kind.THREAD, "busy", busy_thread)])
    _sample_until(sampler, 2)
    sampled, received = _sampled_against_received(sampler, 1, lambda: _thread_cpu_s(busy_thread))
    latest = sampler.latest()
    assert set(latest["workers"]) == {1}
    assert latest["workers_total"] == pytest.approx(latest["workers"][1])
    assert len(latest["cores"]) == sampler.core_count
    n = len(sampler)
    assert sampler.core_series().shape == (sampler.core_count, n)
    assert sampler.times().shape == (n,)
    assert sampler.total_workers_series().shape == (n,)
    cores = sampler.core_series()
    assert np.all((cores >= 0) & (cores <= 100))
    sampler.close()
    _check_busy(sampled, received)


def test_psutil_fallback_measures_threads(busy_thread: int) -> None:
    """Where the Linux schedstat fast path is missing, psutil's threads() does the job."""
    sampler = CpuSampler(fast_threads=False)
    sampler.watch_process(os.getpid())
    sampler.set_lanes([Lane(1, Kind.THREAD, "busy", busy_thread)])
    _sample_until(sampler, 2)
    _check_busy(*_sampled_against_received(sampler, 1, lambda: _thread_cpu_s(busy_thread)))


def test_busy_process_is_measured(busy_process: subprocess.Popen) -> None:
    sampler = CpuSampler()
    sampler.set_lanes([Lane(7, Kind.PROCESS, "spinner", busy_process.pid)])
    time.sleep(SAMPLE_PERIOD_S)
    sampler.sample()
    assert 7 in sampler.latest()["workers"], "set_lanes primes: the first sample has a value"
    sampled, received = _sampled_against_received(
        sampler, 7, lambda: _process_cpu_s(busy_process.pid)
    )
    assert 7 in sampler.latest()["workers"]
    _check_busy(sampled, received)


def test_tasks_and_unknown_idents_are_skipped() -> None:
    sampler = CpuSampler()
    sampler.watch_process(os.getpid())
    sampler.set_lanes([Lane(1, Kind.TASK, "coroutine", 0), Lane(2, Kind.THREAD, "not yet", 0)])
    _sample_until(sampler, 3)
    assert sampler.latest()["workers"] == {}
    assert set(sampler.worker_series()) == {1, 2}
    assert np.isnan(sampler.worker_series()[2]).all()


def test_dead_watched_process_stops_reporting() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        sampler = CpuSampler()
        sampler.watch_process(proc.pid)
        sampler.set_lanes(
            [Lane(1, Kind.THREAD, "main", proc.pid), Lane(2, Kind.PROCESS, "p", proc.pid)]
        )
        _sample_until(sampler, 2)
        assert sampler.watched_pid == proc.pid
        assert set(sampler.latest()["workers"]) == {1, 2}
    finally:
        proc.kill()
        proc.wait(10)
    sampler.sample()  # must not raise
    sampler.sample()
    assert sampler.watched_pid is None
    assert sampler.latest()["workers"] == {}
    assert sampler.latest()["workers_total"] == 0.0


def test_watching_a_dead_pid_does_not_raise() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)  # reaped: the pid is gone
    sampler = CpuSampler()
    sampler.watch_process(proc.pid)
    sampler.set_lanes([Lane(1, Kind.THREAD, "t", proc.pid), Lane(2, Kind.PROCESS, "p", proc.pid)])
    for _ in range(3):
        sampler.sample()
    assert sampler.watched_pid is None
    assert sampler.latest()["workers"] == {}


def test_lane_ident_update_is_picked_up(busy_thread: int) -> None:
    sampler = CpuSampler()
    sampler.watch_process(os.getpid())
    sampler.set_lanes([Lane(1, Kind.THREAD, "busy", 0)])
    sampler.sample()
    sampler.set_lanes([Lane(1, Kind.THREAD, "busy", busy_thread)])
    _sample_until(sampler, 5)
    assert 1 in sampler.latest()["workers"]


def test_ring_buffer_wraps_in_time_order() -> None:
    capacity = 5
    sampler = CpuSampler(capacity=capacity)
    sampler.set_lanes([Lane(1, Kind.TASK, "t", 0)])
    for i in range(12):
        sampler.sample(now_s=float(i))
        assert len(sampler) == min(i + 1, capacity)
        np.testing.assert_array_equal(
            sampler.times(), np.arange(max(0, i + 1 - capacity), i + 1, dtype=float)
        )
    assert sampler.core_series().shape == (sampler.core_count, capacity)
    assert sampler.worker_series()[1].shape == (capacity,)
    assert sampler.latest()["t"] == 11.0

    sampler.clear()
    assert len(sampler) == 0
    assert sampler.times().shape == (0,)
    assert sampler.latest()["cores"] == []
