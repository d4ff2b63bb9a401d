"""The Multiprocessing lesson's result: the speedup sweep, start-up and IPC figures, and the
verdict they support."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from demos.ipc_cost import verdict as ipc_verdict
from demos.result_json import from_json

# A sweep whose best point reaches this share of Amdahl's prediction scaled as the law says:
# spawn, scheduling and a shared machine cost a few percent, a busy or short run far more.
NEAR_AMDAHL = 0.8
# Above this speedup more processes bought something at all: a single process measures 1.0x, and
# run-to-run noise on a quiet machine stays within about 10%.
SOME_GAIN = 1.3


def amdahl(workers: float, serial_fraction: float) -> float:
    """Amdahl's law: the speedup of ``workers`` when ``serial_fraction`` of the work is serial."""
    s = min(1.0, max(0.0, serial_fraction))
    return 1.0 / (s + (1.0 - s) / max(1.0, workers))


def expected_speedup(workers: int | float, serial_fraction: float, cores: int) -> float:
    """Amdahl on this machine: beyond the core count, more processes only take turns."""
    return amdahl(min(workers, max(1, cores)), serial_fraction)


def work_per_process_ms(total_ms: float, serial_pct: float, cores: int) -> float:
    """The parallel work one process gets with one process per core."""
    return total_ms * (1 - serial_pct / 100.0) / max(1, cores)


@dataclass(frozen=True)
class SweepPoint:
    """The job over ``workers`` processes: T(1) / T(N), and what Amdahl's law expects here."""

    workers: int
    elapsed_s: float
    cpu_s: float
    speedup: float
    amdahl: float


@dataclass(frozen=True)
class ProcessesResult:
    """One sweep (1..``workers`` processes), the median start-up, and the IPC round trip."""

    cores: int
    start_method: str
    default_start_method: str
    total_ms: int
    serial_pct: int
    workers: int
    sweep: tuple[SweepPoint, ...]
    spawn_ms: float
    payload_kb: int
    ipc_ms: float
    shm_ms: float
    pickle_ms: float
    rounds: int

    @property
    def work_ms_per_process(self) -> float:
        """Each process's share of the parallel work, with one process per core."""
        return round(work_per_process_ms(self.total_ms, self.serial_pct, self.cores), 1)

    def best(self) -> SweepPoint | None:
        """The sweep point with the highest speedup (None without a sweep)."""
        return max(self.sweep, key=lambda p: p.speedup, default=None)

    def verdict(self) -> str:
        """What the sweep and the IPC figures show (from the figures, never assumed)."""
        ipc = ipc_verdict(self.ipc_ms, self.shm_ms, self.work_ms_per_process, self.payload_kb)
        best = self.best()
        if best is None or len(self.sweep) < 2:
            return ipc
        if best.speedup < SOME_GAIN:
            sweep = (
                f"More processes gained nothing (best {best.speedup:.2f}x, Amdahl "
                f"{best.amdahl:.2f}x): the other cores were busy, or the work too short."
            )
        elif best.speedup >= NEAR_AMDAHL * best.amdahl:
            sweep = (
                f"{best.workers} processes reached {best.speedup:.2f}x, close to Amdahl's "
                f"{best.amdahl:.2f}x: the work scaled over the cores."
            )
        else:
            sweep = (
                f"Best {best.speedup:.2f}x with {best.workers} processes, below Amdahl's "
                f"{best.amdahl:.2f}x: start-up, scheduling or a busy machine took the rest."
            )
        return f"{sweep} {ipc}"

    def as_json(self) -> dict[str, Any]:
        """The figures, the speedups they imply and the verdict (the twin's line, saved runs)."""
        best = self.best()
        return {
            **asdict(self),
            "speedup": self.sweep[-1].speedup if self.sweep else 0.0,
            "best_speedup": best.speedup if best else 0.0,
            "work_ms_per_process": self.work_ms_per_process,
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: object) -> ProcessesResult:
        """The result :meth:`as_json` wrote (KeyError/TypeError/ValueError if it does not fit)."""
        return from_json(cls, data)


def summarize(
    elapsed_s: float,
    one_process_s: float,
    cpu_s: float,
    workers: int,
    serial_fraction: float,
    cores: int,
) -> SweepPoint:
    """One sweep point. The speedup is the classic one, T(1) / T(N): the same job's elapsed time
    with one process over its time with N, so a miscalibrated or busy machine cancels out.
    ``cpu_s`` (CPU time the workers measured) says how much of the elapsed time was computing.
    """
    return SweepPoint(
        workers=workers,
        elapsed_s=round(elapsed_s, 4),
        cpu_s=round(cpu_s, 4),
        speedup=round(one_process_s / elapsed_s, 3) if elapsed_s > 0 else 0.0,
        amdahl=round(expected_speedup(workers, serial_fraction, cores), 3),
    )
