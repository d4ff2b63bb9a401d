"""Discovery of the interpreters on this machine (demos.interpreters) and twins run on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demos import interpreters
from demos.interpreters import describe, discover, probe

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
