"""CPU use per core and per worker, sampled into fixed-length ring buffers.

This is how the GIL becomes visible: on a standard (GIL) build N busy threads of one process
share one core between them (their total stays near 100% of one core), while N busy processes
fill N cores; on a free-threaded build the threads fill N cores too.

The owner calls :meth:`CpuSampler.sample` about ten times a second (from its own timer); the
sampler has no thread of its own. Everything is pure Python + psutil + numpy, so it runs and tests
without Qt.

Ring buffers are stored twice over (``2 * capacity`` slots, each sample written at ``i`` and
``i + capacity``) so that the last ``capacity`` samples are always one contiguous slice: the
accessors return numpy views in time order without copying. The views alias the buffers: copy them
if you keep them past the next :meth:`CpuSampler.sample`.

On Linux, thread lanes are read through ``demos.schedstat`` (fast, nanosecond counts).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import psutil

from demos.events import Kind, Lane
from demos.schedstat import SchedstatReader

DEFAULT_CAPACITY = 600  # 60 s at 10 Hz
ONE_CORE_PERCENT = 100.0

# psutil.Error covers NoSuchProcess, ZombieProcess and AccessDenied (a process that went away or
# is not ours to read); OSError covers a /proc entry vanishing between psutil's own reads.
_GONE = (psutil.Error, OSError)

# Fields of psutil.cpu_times() that are already counted in user/nice (Linux), and fields that are
# idle time. The same split psutil.cpu_percent() uses.
_DOUBLE_COUNTED_FIELDS = ("guest", "guest_nice")
_IDLE_FIELDS = ("idle", "iowait")


class CpuSampler:
    """Samples per-core utilisation and per-worker CPU into ring buffers.

    Per-core values are in % of that core (0-100). Per-worker values and the workers' total are in
    % of one core: a thread can reach 100, a process with several busy threads can go above it.
    A value that could not be measured (worker not started yet, ended, or its process gone) is NaN.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, fast_threads: bool = True) -> None:
        """``fast_threads=False`` forces psutil's threads() even where Linux schedstat exists."""
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = int(capacity)
        self._fast_threads = fast_threads
        per_cpu = psutil.cpu_times(percpu=True)
        self._core_count = max(1, len(per_cpu))
        fields = per_cpu[0]._fields if per_cpu else ()
        self._total_cols = [i for i, f in enumerate(fields) if f not in _DOUBLE_COUNTED_FIELDS]
        self._idle_cols = [i for i, f in enumerate(fields) if f in _IDLE_FIELDS]
        # Process cap: a process cannot use more than every core at once.
        self._max_process_percent = ONE_CORE_PERCENT * (psutil.cpu_count() or self._core_count)

        self._lanes: dict[int, Lane] = {}
        self._watched: psutil.Process | None = None
        self._schedstat: SchedstatReader | None = None  # Linux fast path for self._watched
        # False once the OS refused to list the watched process's threads (macOS lets only root
        # read another process's threads): thread lanes then have no CPU figure, and the GUI
        # can say why instead of showing empty lines.
        self.thread_cpu_readable = True
        self._procs: dict[int, psutil.Process] = {}  # pid -> cached Process (psutil caches state)
        self._dead_pids: set[int] = set()  # pids that vanished: not retried until re-registered
        # (kind, ident) -> (cpu seconds, wall seconds) at the last successful read.
        self._prev_cpu: dict[tuple[str, int], tuple[float, float]] = {}
        self._prev_core_busy = np.zeros(self._core_count)
        self._prev_core_total = np.zeros(self._core_count)

        slots = 2 * self._capacity
        self._times = np.zeros(slots)
        self._cores = np.zeros((self._core_count, slots))
        self._machine = np.zeros(slots)
        self._workers_total = np.zeros(slots)
        self._workers: dict[int, np.ndarray] = {}
        self._pos = 0  # next slot to write, in [0, capacity)
        self._count = 0
        self._latest_workers: dict[int, float] = {}
        self.clear()

    # -- configuration -------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        """How many samples the ring buffers hold."""
        return self._capacity

    @property
    def core_count(self) -> int:
        """Number of logical cores in the per-core series."""
        return self._core_count

    @property
    def watched_pid(self) -> int | None:
        """The pid whose threads are measured for thread lanes, or None."""
        return self._watched.pid if self._watched is not None else None

    def watch_process(self, pid: int | None) -> None:
        """Measure thread lanes as threads of process ``pid`` (the lab); None stops watching.

        A pid that does not exist or cannot be read is not an error: nothing is watched.
        """
        self._stop_watching()
        self.thread_cpu_readable = True
        if pid is None:
            return
        try:
            self._watched = psutil.Process(pid)
        except _GONE:
            return
        if self._fast_threads and SchedstatReader.available(pid):
            self._schedstat = SchedstatReader(pid)

    def _stop_watching(self) -> None:
        self._watched = None
        if self._schedstat is not None:
            self._schedstat.close()
            self._schedstat = None

    def close(self) -> None:
        """Stop watching and release the file descriptors of the Linux fast path."""
        self._stop_watching()

    def set_lanes(self, lanes: Iterable[Lane]) -> None:
        """Register the workers to measure, replacing the previous set.

        Lanes keep their series across calls by ``lane_id``; a lane whose ident changed is measured
        afresh under its new ident. Task lanes and lanes with ident 0 are kept (so they have a
        series) but never measured: tasks run on the GUI thread, ident 0 is not known yet.
        """
        new = {lane.lane_id: lane for lane in lanes}
        for lane_id in list(self._workers):
            if lane_id not in new:
                del self._workers[lane_id]
                self._latest_workers.pop(lane_id, None)
        for lane_id in new:
            if lane_id not in self._workers:
                self._workers[lane_id] = np.full(2 * self._capacity, np.nan)
        self._lanes = new
        # Forget dead pids no longer registered, so a re-registered pid is tried again.
        pids = {lane.ident for lane in new.values() if lane.kind == Kind.PROCESS}
        self._dead_pids &= pids
        for pid in list(self._procs):
            if pid not in pids:
                del self._procs[pid]
        if self._schedstat is not None:
            self._schedstat.keep_only(
                {lane.ident for lane in new.values() if lane.kind == Kind.THREAD}
            )
        self._prime_new_lanes()

    def _prime_new_lanes(self) -> None:
        """Read a baseline for lanes not seen yet, so the next sample already has their value.

        Without it every new worker would show 0% for its first sample, a dip in the total.
        """
        wall = time.perf_counter()
        primed = self._prev_cpu
        tids = [
            lane.ident
            for lane in self._lanes.values()
            if lane.kind == Kind.THREAD and lane.ident and ("thread", lane.ident) not in primed
        ]
        if tids:
            for tid, seconds in self._thread_cpu(tids).items():
                self._prev_cpu[("thread", tid)] = (seconds, wall)
        for lane in self._lanes.values():
            key = ("process", lane.ident)
            if lane.kind == Kind.PROCESS and lane.ident and key not in self._prev_cpu:
                if lane.ident in self._dead_pids:
                    continue
                cpu_s = self._process_cpu(lane.ident)
                if cpu_s is not None:
                    self._prev_cpu[key] = (cpu_s, wall)

    def clear(self) -> None:
        """Empty the buffers for a new run and re-prime the core counters.

        Registered lanes and the watched process stay.
        """
        self._pos = 0
        self._count = 0
        self._times.fill(0.0)
        self._cores.fill(0.0)
        self._machine.fill(0.0)
        self._workers_total.fill(0.0)
        for series in self._workers.values():
            series.fill(np.nan)
        self._latest_workers = {}
        self._prev_cpu.clear()
        # Prime now, so the first sample already has a delta to compare against.
        self._prev_core_busy, self._prev_core_total = self._read_cores()

    # -- sampling ------------------------------------------------------------------------------

    def sample(self, now_s: float | None = None) -> None:
        """Take one sample, stamped ``now_s`` (default ``time.perf_counter()``).

        ``now_s`` only labels the time axis; rates use the real elapsed time between reads.
        """
        wall = time.perf_counter()
        stamp = wall if now_s is None else float(now_s)
        cores = self._sample_cores()
        workers = self._sample_workers(wall)

        pos, mirror = self._pos, self._pos + self._capacity
        for index in (pos, mirror):
            self._times[index] = stamp
            self._cores[:, index] = cores
            self._machine[index] = float(cores.mean())
            self._workers_total[index] = sum(workers.values())
        for lane_id, series in self._workers.items():
            value = workers.get(lane_id, np.nan)
            series[pos] = value
            series[mirror] = value
        self._latest_workers = workers
        self._pos = (pos + 1) % self._capacity
        self._count = min(self._count + 1, self._capacity)

    def _read_cores(self) -> tuple[np.ndarray, np.ndarray]:
        """Busy and total CPU seconds per core, as psutil.cpu_percent() counts them."""
        per_cpu = np.asarray(psutil.cpu_times(percpu=True), dtype=float)
        if per_cpu.ndim != 2 or per_cpu.shape[0] == 0:
            zeros = np.zeros(self._core_count)
            return zeros, zeros.copy()
        # A core may go offline (hotplug): keep the shape fixed, pad with zeros.
        rows = np.zeros((self._core_count, per_cpu.shape[1]))
        n = min(self._core_count, per_cpu.shape[0])
        rows[:n] = per_cpu[:n]
        total = rows[:, self._total_cols].sum(axis=1)
        busy = total - rows[:, self._idle_cols].sum(axis=1)
        return busy, total

    def _sample_cores(self) -> np.ndarray:
        """Per-core % since the previous read."""
        busy, total = self._read_cores()
        d_busy = busy - self._prev_core_busy
        d_total = total - self._prev_core_total
        self._prev_core_busy, self._prev_core_total = busy, total
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = np.where(d_total > 0, 100.0 * d_busy / d_total, 0.0)
        return np.clip(percent, 0.0, 100.0)

    def _sample_workers(self, wall: float) -> dict[int, float]:
        """Per-lane % of one core for every lane that could be measured now."""
        thread_lanes: list[Lane] = []
        process_lanes: list[Lane] = []
        for lane in self._lanes.values():
            if lane.ident == 0 or lane.kind == Kind.TASK:
                continue
            if lane.kind == Kind.THREAD:
                thread_lanes.append(lane)
            elif lane.kind == Kind.PROCESS and lane.ident not in self._dead_pids:
                process_lanes.append(lane)

        cpu_now: dict[tuple[str, int], float] = {}
        if thread_lanes:
            by_id = self._thread_cpu([lane.ident for lane in thread_lanes])
            for lane in thread_lanes:
                seconds = by_id.get(lane.ident)
                if seconds is not None:  # None: not started yet, or ended
                    cpu_now[("thread", lane.ident)] = seconds
        for lane in process_lanes:
            seconds = self._process_cpu(lane.ident)
            if seconds is not None:
                cpu_now[("process", lane.ident)] = seconds

        result: dict[int, float] = {}
        for lane in thread_lanes + process_lanes:
            key = ("thread" if lane.kind == Kind.THREAD else "process", lane.ident)
            if key not in cpu_now:
                continue
            prev = self._prev_cpu.get(key)
            if prev is None:
                continue  # first sight primes
            d_wall = wall - prev[1]
            if d_wall <= 0:
                continue
            percent = 100.0 * (cpu_now[key] - prev[0]) / d_wall
            # Tick-granular CPU times can overshoot a little; a thread never uses more than
            # one core, a process never more than all of them.
            cap = ONE_CORE_PERCENT if lane.kind == Kind.THREAD else self._max_process_percent
            result[lane.lane_id] = min(max(percent, 0.0), cap)
        # Keep baselines only for what was seen now, so ended threads do not pile up.
        self._prev_cpu = {key: (seconds, wall) for key, seconds in cpu_now.items()}
        return result

    def _thread_cpu(self, tids: list[int]) -> dict[int, float]:
        """tid -> CPU seconds of the watched process's threads; stops watching if it is gone."""
        watched = self._watched
        if watched is None:
            return {}
        try:
            if self._schedstat is not None:
                found = self._schedstat.read(tids)
                # No thread readable: the process may have ended. status() raises if it is
                # gone and reports zombies, whose threads are gone too.
                if not found and watched.status() == psutil.STATUS_ZOMBIE:
                    raise psutil.ZombieProcess(watched.pid)
                return found
            # One call reads every thread of the process: cheaper than one call per worker.
            return {t.id: t.user_time + t.system_time for t in watched.threads()}
        except psutil.AccessDenied:
            self.thread_cpu_readable = False
            self._stop_watching()
            return {}
        except _GONE:
            self._stop_watching()
            return {}

    def _process_cpu(self, pid: int) -> float | None:
        """User + system CPU seconds of ``pid`` (children excluded), or None if it is gone."""
        try:
            proc = self._procs.get(pid)
            if proc is None:
                proc = self._procs[pid] = psutil.Process(pid)
            times = proc.cpu_times()
        except _GONE:
            self._procs.pop(pid, None)
            self._dead_pids.add(pid)
            return None
        return float(times.user + times.system)

    # -- accessors -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def _window(self) -> slice:
        """The slots holding the samples in time order."""
        start = self._pos if self._count == self._capacity else 0
        return slice(start, start + self._count)

    def times(self) -> np.ndarray:
        """Sample times in seconds, oldest first (a view)."""
        return self._times[self._window()]

    def core_series(self) -> np.ndarray:
        """Per-core utilisation in %, shape ``(cores, n)``, oldest first (a view)."""
        return self._cores[:, self._window()]

    def machine_series(self) -> np.ndarray:
        """Utilisation of the whole machine in % (mean of the cores), oldest first (a view)."""
        return self._machine[self._window()]

    def worker_series(self) -> dict[int, np.ndarray]:
        """lane_id -> % of one core, oldest first (views); NaN where not measured."""
        window = self._window()
        return {lane_id: series[window] for lane_id, series in self._workers.items()}

    def total_workers_series(self) -> np.ndarray:
        """Sum of all measured workers in % of one core, oldest first (a view)."""
        return self._workers_total[self._window()]

    def latest(self) -> dict[str, Any]:
        """The newest sample.

        Keys: ``cores`` (list of %, empty before the first sample), ``machine`` (% of the whole
        machine), ``workers_total`` (% of one core), ``workers`` (lane_id -> % of one core, only
        lanes measured in that sample), ``t`` (its time, or None).
        """
        if self._count == 0:
            return {"cores": [], "machine": 0.0, "workers_total": 0.0, "workers": {}, "t": None}
        last = (self._pos - 1) % self._capacity
        return {
            "cores": self._cores[:, last].tolist(),
            "machine": float(self._machine[last]),
            "workers_total": float(self._workers_total[last]),
            "workers": dict(self._latest_workers),
            "t": float(self._times[last]),
        }
