"""The terminal twins as a user runs them, and the layering rule (demos/ never imports Qt)."""

from __future__ import annotations

import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import demos

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(120), pytest.mark.serial]
ROOT = Path(__file__).resolve().parent.parent


def run_twin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=100, check=True
    )


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_io_threads_overlap_and_finish_near_one_thread() -> None:
    out = run_twin(
        "-m",
        "demos.multithreading",
        "--threads",
        "4",
        "--steps",
        "3",
        "--step-ms",
        "200",
        "--kind",
        "io",
        "--json",
    ).stdout
    result = last_json(out)
    assert {"elapsed_s", "sequential_s", "speedup"} <= result.keys()
    assert result["sequential_s"] == pytest.approx(2.4, rel=0.05)  # measured sleep time
    assert result["elapsed_s"] < 1.2, "4 sleeping threads should take about as long as one"
    assert result["speedup"] > 2.0
    assert "Thread-4" in out


def test_cpu_threads_gain_no_speed() -> None:
    result = last_json(
        run_twin(
            "-m",
            "demos.multithreading",
            "--threads",
            "4",
            "--steps",
            "2",
            "--step-ms",
            "100",
            "--kind",
            "cpu",
            "--json",
        ).stdout
    )
    # One GIL: the work takes about as long as doing it one after another.
    assert result["speedup"] < 1.6


def test_trace_export_has_a_track_and_slices_per_worker(tmp_path: Path) -> None:
    trace = tmp_path / "run.json"
    run_twin(
        "-m",
        "demos.multithreading",
        "--threads",
        "3",
        "--steps",
        "2",
        "--step-ms",
        "20",
        "--trace",
        str(trace),
    )
    data = json.loads(trace.read_text())
    names = [e for e in data["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"]
    assert len(names) == 3
    slices = [e for e in data["traceEvents"] if e["ph"] == "X"]
    assert {e["tid"] for e in slices} == {0, 1, 2}
    assert all(e["dur"] >= 0 for e in slices)
    assert any(e["name"] == "WAITING" for e in slices)


# Each twin rejects settings outside its lesson's limits with the limits in the message.
BAD_SETTINGS = [
    (["demos.multithreading", "--threads", "0"], "threads must be between 1 and 64"),
    (["demos.race", "--threads", "1"], "threads must be between 2 and 32"),
    (["demos.deadlock", "--philosophers", "11"], "philosophers must be between 2 and 10"),
    (["demos.parallelism", "--workers", "17"], "workers must be between 1 and 16"),
    (["demos.gil_or_not", "--total-ms", "50"], "total_ms must be between 100 and 5000"),
    (["demos.primitives", "barrier", "--parties", "1"], "parties must be between 2 and 16"),
    (["demos.primitives", "lock", "--workers", "1"], "workers must be between 2 and 16"),
    (["demos.primitives", "semaphore", "--permits", "0"], "permits must be between 1 and 8"),
    (["demos.primitives", "queue", "--capacity", "0"], "capacity must be between 1 and 20"),
    (["demos.scheduler", "--threads", "0"], "threads must be between 2 and 4"),
    (["demos.scheduler", "--schedule", "3,3", "--threads", "2"], "there is no thread 3"),
    (["demos.starvation", "--duration-s", "0.5"], "duration_s must be between 1 and 10"),
    (["demos.sync_overhead", "--operations", "10"], "operations must be between 10000 and 5000000"),
    (["demos.nondeterminism", "--runs", "5"], "runs must be between 10 and 1000"),
    (["demos.deadlock", "--philosophers", "0"], "philosophers must be between 2 and 10"),
    (["demos.processes", "--serial-pct", "95"], "serial_pct must be between 0 and 90"),
    (["demos.pools", "--chunksize", "0"], "chunksize must be between 1 and 10000"),
    (["demos.pool_futures", "--futures", "3", "--cancel", "4"], "cancel (4) can be at most"),
    (["demos.start_methods", "--repeats", "0"], "repeats must be between 1 and 20"),
    (["demos.asyncio_modern", "--group", "0"], "group must be between 2 and 16"),
    (["demos.pools", "--tasks", "50000", "--task-us", "5000"], "must be at most 20 s of work"),
    (["demos.coroutines", "--tasks", "0"], "tasks must be between 1 and 10000"),
    (["demos.when_to_use", "--io-jobs", "0"], "io_jobs must be between 1 and 32"),
    (["demos.process_thread", "--workers", "33"], "workers must be between 1 and 32"),
    (["demos.thread_states", "--scenario", "nope"], "invalid choice: 'nope'"),
    (["demos.multithreading", "--fail-worker", "3"], "fail_worker must be between 0 and 2"),
    (["demos.multithreading", "--deadline-s", "0"], "deadline-s must be between 0 and 3600"),
]


@pytest.mark.parametrize(("args", "message"), BAD_SETTINGS, ids=lambda v: str(v[0]))
def test_bad_settings_get_a_clear_message(args: list[str], message: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert message in proc.stderr


def test_bad_settings_cover_every_twin() -> None:
    twins = {f"demos.{m.name}" for m in pkgutil.iter_modules(demos.__path__) if _is_twin(m.name)}
    assert twins <= {args[0] for args, _ in BAD_SETTINGS}


def _is_twin(name: str) -> bool:
    return name != "__main__" and _has_main(f"demos.{name}")


def test_demos_lists_every_lesson_command() -> None:
    out = run_twin("-m", "demos").stdout
    twins = {m.group(1) for m in re.finditer(r"python -m (demos\.\w+)", out)}
    # Every lesson module with a twin is listed (a module is a twin when it has a main()).
    expected = {
        f"demos.{m.name}"
        for m in pkgutil.iter_modules(demos.__path__)
        if m.name not in {"__main__"} and _has_main(f"demos.{m.name}")
    }
    assert expected <= twins, expected - twins
    assert {"demos.multithreading", "demos.race", "demos.deadlock"} <= twins


def _has_main(module: str) -> bool:
    import importlib

    return callable(getattr(importlib.import_module(module), "main", None))


def test_demos_never_import_qt() -> None:
    modules = [f"demos.{m.name}" for m in pkgutil.iter_modules(demos.__path__)]
    code = (
        "import sys\n"
        "for name in ('PySide6', 'qasync', 'pyqtgraph', 'app'):\n"
        "    sys.modules[name] = None  # any import of these now fails\n"
        f"for module in {modules!r}:\n"
        "    __import__(module)\n"
        "print('ok')\n"
    )
    assert run_twin("-c", code).stdout.strip() == "ok"
