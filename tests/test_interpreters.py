"""Discovery of the interpreters on this machine (demos.interpreters) and twins run on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_twin_smoke

from demos import interpreters
from demos.interpreters import describe, discover, probe
from demos.other_python import NEEDS

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def _pyenv_python(minor: int) -> str | None:
    """The pyenv-installed CPython 3.<minor>, if this machine has one."""
    found = sorted(PYENV.glob(f"3.{minor}.*/bin/python3"))
    return str(found[-1]) if found else None


OTHERS = [p for p in (_pyenv_python(12), _pyenv_python(13)) if p]


def _script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_the_running_interpreter_comes_first_and_others_are_deduplicated() -> None:
    found, _skipped = discover([sys.executable, os.path.realpath(sys.executable)])
    assert found[0].running
    assert found[0].executable == sys.executable
    assert found[0].version == ".".join(map(str, sys.version_info[:3]))
    reals = [i.realpath for i in found if not i.free_threaded]
    assert len(reals) == len(set(reals)), "one entry per binary"


@pytest.mark.skipif(not OTHERS, reason="no pyenv CPython 3.12 or 3.13 on this machine")
def test_discovery_finds_the_pyenv_interpreters() -> None:
    found, _skipped = discover()
    versions = {i.version for i in found}
    for path in OTHERS:
        version = Path(path).parent.parent.name
        assert version in versions, f"{version} not discovered: {[i.label for i in found]}"


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts stand in for interpreters")
def test_broken_old_and_silent_candidates_are_skipped_with_a_reason(tmp_path: Path) -> None:
    old = _script(tmp_path, "old", 'echo \'{"version": "3.9.1", "version_info": [3, 9, 1]}\'')
    broken = _script(tmp_path, "broken", "echo oops >&2; exit 3")
    garbled = _script(tmp_path, "garbled", "echo not json")
    assert describe(old) == "Python 3.9.1 is older than 3.11"
    assert describe(broken) == "exit status 3: oops"
    assert describe(garbled) == "did not print what a Python prints"
    assert "cannot be started" in str(describe(str(tmp_path / "missing")))
    slow = _script(tmp_path, "slow", "exec sleep 5")
    assert probe(slow, timeout_s=0.3) == "did not answer within 0.3 s"
    _found, skipped = discover([old, broken])
    assert {s.path: s.source for s in skipped}[old] == "added"


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts stand in for interpreters")
def test_a_free_threaded_build_is_listed_twice(tmp_path: Path) -> None:
    # No free-threaded build can be installed here: a script answers the probe as one would.
    answer = {
        "version": "3.14.1",
        "version_info": [3, 14, 1],
        "implementation": "cpython",
        "executable": str(tmp_path / "python3.14t"),
        "free_threaded": True,
        "gil_enabled": False,
        "subinterpreters": "concurrent.interpreters",
    }
    fake = _script(tmp_path, "python3.14t", f"echo '{json.dumps(answer)}'")
    listed = describe(fake)
    assert isinstance(listed, list)
    assert [i.label for i in listed] == [
        "Python 3.14.1t (free-threaded)",
        "Python 3.14.1t (free-threaded, PYTHON_GIL=1)",
    ]
    assert [i.env for i in listed] == [{"PYTHON_GIL": "0"}, {"PYTHON_GIL": "1"}]
    assert [i.gil_enabled for i in listed] == [False, True]
    assert listed[0].key != listed[1].key


def test_the_command_line_lists_them_as_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "demos.interpreters", "--json", "--add", "/no/such/python"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout.splitlines()[-1])
    assert listing["interpreters"][0]["running"] is True
    assert listing["interpreters"][0]["label"].startswith("Python 3.")
    assert any(s["path"] == "/no/such/python" for s in listing["skipped"])


def test_the_probe_runs_without_our_pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    env = interpreters.child_env({"PYTHON_GIL": "1"}, pythonpath=str(ROOT))
    assert env["PYTHONPATH"] == str(ROOT)
    assert env["PYTHON_GIL"] == "1"
    assert "VIRTUAL_ENV" not in env


# ---------------------------------------------------------------- twins with --python
QUICK = test_twin_smoke.QUICK  # the same small settings as the twins' own smoke test


def _version_of(path: str) -> str:
    return Path(path).parent.parent.name  # pyenv: versions/<version>/bin/python3


@pytest.mark.parametrize("python", OTHERS, ids=_version_of)
@pytest.mark.parametrize("twin", sorted(QUICK))
def test_each_twin_runs_on_another_python(twin: str, python: str) -> None:
    words = twin.split()
    done = subprocess.run(
        [sys.executable, "-m", *words, *QUICK[twin], "--json", "--python", python],
        capture_output=True,
        text=True,
        timeout=50,
        cwd=ROOT,
    )
    if words[0] in NEEDS:  # a package the other Python lacks: said before the run, status 2
        assert done.returncode == 2, done.stderr
        assert f"it needs {NEEDS[words[0]][0]}" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert f"running on Python {_version_of(python)} (GIL on)" in done.stdout
    ran_on = json.loads(done.stdout.splitlines()[-1])["python"]
    assert ran_on == {"version": _version_of(python), "executable": python, "gil": True}


def test_a_python_that_is_not_one_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from demos.multithreading import main

    assert main(["--threads", "2", "--python", "/no/such/python"]) == 2
    assert "--python /no/such/python: cannot be started" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the fallback reads /proc")
def test_without_psutil_a_tree_still_ends_children_and_grandchildren() -> None:
    import multiprocessing

    from demos import escalate, proc_fallback

    # The child runs a shell, which runs sleep: two processes below it that must not outlive it.
    child = multiprocessing.get_context("spawn").Process(target=os.system, args=("sleep 30",))
    child.start()
    deadline = time.monotonic() + 20
    while not proc_fallback.descendants(child.pid or 0) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling for the shell (or its sleep) to appear, with a deadline
    below = proc_fallback.descendants(child.pid or 0)
    assert below, "the shell never started"
    assert proc_fallback.end_tree(child, escalate.escalate, 0.0, 0.5) == "terminated"
    assert not any(proc_fallback._running(pid) for pid in below)
    child.close()


def test_the_stdlib_arrays_summarise_a_run_as_numpy_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from demos import intervals, mini_numpy
    from demos.events import State

    events = [
        (t * 1_000_000, lane, int(state), f"{state.name} {t}")
        for t, lane, state in [
            (0, 1, State.READY),
            (1, 2, State.READY),
            (2, 1, State.RUNNING),
            (5, 2, State.RUNNING),
            (7, 1, State.WAITING),
            (9, 1, State.RUNNING),
            (12, 1, State.DONE),
        ]
    ]

    def summary() -> tuple[object, ...]:
        store = intervals.IntervalStore(capacity=2)  # small: it has to grow
        store.add_events(events)
        return (
            store.time_in_states(15_000_000),
            store.final_states(),
            store.current_state(2),
            store.interval_at(0, 8_000_000, 15_000_000),
        )

    with_numpy = summary()
    monkeypatch.setattr(intervals, "np", mini_numpy)
    assert summary() == with_numpy


@pytest.mark.skipif(not OTHERS or sys.platform == "win32", reason="no other Python (or no SIGINT)")
def test_ctrl_c_reaches_the_twin_on_the_other_python() -> None:
    import signal

    args = ["--threads", "2", "--steps", "50", "--step-ms", "200", "--json", "--python", OTHERS[-1]]
    proc = subprocess.Popen(
        [sys.executable, "-m", "demos.multithreading", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl+C goes to the terminal's whole process group
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the twin names its Python once it runs there
        assert first.startswith(f"running on Python {_version_of(OTHERS[-1])}")
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 1, err
    result = json.loads(out.splitlines()[-1])
    assert result["exit_reason"] == "cancelled by Ctrl+C"
    assert result["python"]["version"] == _version_of(OTHERS[-1])
