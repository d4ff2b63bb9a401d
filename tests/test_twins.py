"""The terminal twins as a user runs them, and the layering rule (demos/ never imports Qt)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import demos

pytestmark = pytest.mark.timeout(120)
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


def test_bad_arguments_get_a_clear_message() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.multithreading", "--threads", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "threads must be between 1 and 64" in proc.stderr


def test_demos_lists_every_lesson_command() -> None:
    out = run_twin("-m", "demos").stdout
    assert "python -m demos.multithreading" in out


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
