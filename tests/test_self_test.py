"""``python -m app --self-test``: the smoke test CI also runs inside the frozen bundle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(150)


def test_self_test_passes_and_reports_every_check() -> None:
    # subprocess.run waits for the child, so the leak check sees nothing left behind.
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for line in (
        "ok   icon loads from resources/",
        "ok   thread lesson finished",
        "ok   thread lesson: 2 thread lanes DONE",
        "ok   lab process stopped cleanly",
        "ok   process lesson: 2 process lanes DONE",
        "ok   no child process left",
        "self-test PASSED",
    ):
        assert line in out, out
    assert "FAIL" not in out, out
