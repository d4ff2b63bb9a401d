"""Every terminal twin in the lesson registry runs a small scenario to the end: exit 0 and one
last line of JSON with its figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from demos import registry

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent

# Small settings that still run the scenario for real, per twin (module, then sub-command).
QUICK: dict[str, list[str]] = {
    "demos.process_thread": ["--workers", "2", "--increments", "100"],
    "demos.thread_states": ["--scenario", "mix"],
    "demos.parallelism": ["--workers", "2", "--total-ms", "200"],
    "demos.multithreading": ["--threads", "2", "--steps", "2", "--step-ms", "20"],
    "demos.gil_or_not": ["--workers", "2", "--total-ms", "100", "--data-kb", "16"],
    "demos.coroutines": ["--tasks", "50", "--io-ms", "20", "--steps", "2"],
    "demos.race": ["--threads", "2", "--increments", "1000"],
    "demos.scheduler": ["--schedule", "1,2,1,2,1,2"],
    "demos.deadlock": ["--philosophers", "3", "--fix", "ordering"],
    "demos.starvation": ["--duration-s", "1"],
    "demos.sync_overhead": ["--threads", "2", "--operations", "20000"],
    "demos.nondeterminism": ["--runs", "10"],
    "demos.primitives lock": ["--workers", "2", "--rounds", "2", "--hold-ms", "10"],
    "demos.primitives semaphore": ["--workers", "3", "--rounds", "1", "--hold-ms", "20"],
    "demos.primitives barrier": ["--parties", "2", "--rounds", "1", "--work-ms", "20"],
    "demos.primitives queue": ["--items", "3", "--produce-ms", "5", "--consume-ms", "5"],
    "demos.primitives condition": ["--items", "3", "--produce-ms", "10", "--consume-ms", "5"],
    "demos.primitives event": ["--waiters", "3", "--rounds", "1", "--delay-ms", "20"],
    "demos.primitives rlock": ["--depth", "2", "--level-ms", "10", "--detect-ms", "100"],
    "demos.processes": ["--workers", "2", "--total-ms", "200", "--payload-kb", "64"],
    "demos.start_methods": ["--repeats", "1", "--deadline-s", "1"],
    "demos.asyncio_modern": ["--scenario", "taskgroup"],
    "demos.pools": ["--tasks", "200", "--task-us", "100", "--chunksize", "20", "--workers", "2"],
    "demos.pool_futures": ["--futures", "4", "--task-ms", "20", "--cancel", "1"],
    "demos.when_to_use": ["--io-jobs", "2", "--io-ms", "20", "--cpu-jobs", "2", "--cpu-ms", "20"],
}


def registry_twins() -> list[str]:
    """Each twin the registry names, as ``module`` or ``module sub-command``."""
    names = []
    for command in registry.twin_commands():
        words = command.split()[2:]
        module = words[0]
        if module == "demos.primitives":  # one twin with a sub-command per primitive
            names.extend(f"{module} {sub}" for sub in words[1].split("|"))
        else:
            names.append(module)
    return names


def test_every_registered_twin_has_a_smoke_run() -> None:
    assert sorted(registry_twins()) == sorted(QUICK)


@pytest.mark.parametrize("name", registry_twins())
def test_the_twin_runs_to_the_end(name: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *name.split(), *QUICK[name], "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert isinstance(figures, dict)
    assert figures
    assert "exit_reason" not in figures
