"""The leak check itself: each kind of leak fails the test that made it, a clean test passes.

Each case runs a tiny test file in a fresh pytest process with this suite's conftest, and reads
its outcome: a check that cannot fail would let all of these pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.timeout(120)
HERE = Path(__file__).resolve().parent
INI = """
[pytest]
qt_api = pyside6
timeout = 30
"""

ORPHAN = """
import subprocess, sys
from pathlib import Path

def test_orphans_a_grandchild(tmp_path):
    # The child starts a sleeping grandchild and exits at once: the grandchild is an orphan.
    code = (
        "import subprocess, sys; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(p.pid)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (Path(__file__).parent / "grandchild.pid").write_text(out.stdout.strip())
"""

KILLED_PARENT = """
import subprocess, sys
from pathlib import Path

def test_kills_a_parent_whose_child_lives_on():
    # Like a lab killed mid-run: its worker process is orphaned, still computing.
    code = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'while True: pass'], "
        "stdout=subprocess.DEVNULL); "
        "print(p.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = parent.stdout.readline().strip()
    parent.kill()
    parent.wait()
    parent.stdout.close()
    (Path(__file__).parent / "grandchild.pid").write_text(pid)
"""

CLEAN = """
import asyncio, subprocess, sys, time

from PySide6.QtCore import QCoreApplication

def test_waits_for_its_children():
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'pass'])"
    subprocess.run([sys.executable, "-c", code], check=True)

def test_finishes_its_tasks(qloop):
    async def short():
        await asyncio.sleep(0.01)
    task = qloop.create_task(short())
    deadline = time.monotonic() + 5
    while not task.done() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
    assert task.done()

def test_stops_its_timer(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget
    widget = QWidget()
    qtbot.addWidget(widget)
    timer = QTimer(widget)
    timer.start(100)
    timer.stop()
"""

TIMER = """
from PySide6.QtCore import QTimer
KEEP = []

def test_leaves_a_timer_running(qapp):
    timer = QTimer()
    timer.start(250)
    KEEP.append(timer)
"""

WINDOW = """
from PySide6.QtWidgets import QLabel
KEEP = []

def test_leaves_a_window_open(qapp):
    label = QLabel("still here")
    label.setWindowTitle("forgotten")
    label.show()
    KEEP.append(label)
"""

TASK = """
import asyncio

def test_leaves_a_task_pending(qloop):
    qloop.create_task(asyncio.sleep(60))
"""


@pytest.fixture
def inner(pytester: pytest.Pytester):  # noqa: ANN201
    """Run one test file under this suite's conftest in a new pytest process."""
    pytester.makeconftest((HERE / "conftest.py").read_text())
    pytester.makepyfile(leaks=(HERE / "leaks.py").read_text())
    pytester.makeini(INI)

    def run(source: str) -> pytest.RunResult:
        pytester.makepyfile(test_case=source)
        # A leak is a leak after half a second as after five: the cases run faster.
        pytester._monkeypatch.setenv("CONCURRENCY_LAB_LEAK_GRACE_S", "0.5")
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", timeout=100)

    return run


def test_an_orphaned_grandchild_fails_the_test_and_is_killed(
    inner,  # noqa: ANN001
    pytester: pytest.Pytester,
) -> None:
    result = inner(ORPHAN)
    result.assert_outcomes(passed=1, errors=1)
    pid = int((pytester.path / "grandchild.pid").read_text())
    result.stdout.fnmatch_lines([f"*left behind*pid {pid} python*"])
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    if sys.platform.startswith("linux"):
        result.stdout.fnmatch_lines(["*leak check: pytest adopts orphaned descendants*"])


def test_the_orphaned_worker_of_a_killed_parent_fails_the_test_and_is_killed(
    inner,  # noqa: ANN001
    pytester: pytest.Pytester,
) -> None:
    result = inner(KILLED_PARENT)
    result.assert_outcomes(passed=1, errors=1)
    pid = int((pytester.path / "grandchild.pid").read_text())
    result.stdout.fnmatch_lines([f"*left behind*pid {pid} python*"])
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_running_qtimer_fails_the_test(inner) -> None:  # noqa: ANN001
    result = inner(TIMER)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*left behind*QTimer every 250 ms (no parent)*"])


def test_a_window_left_on_screen_fails_the_test(inner) -> None:  # noqa: ANN001
    result = inner(WINDOW)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*left behind*visible QLabel 'forgotten'*"])


def test_a_pending_asyncio_task_fails_the_test(inner) -> None:  # noqa: ANN001
    result = inner(TASK)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*asyncio tasks still pending*sleep*"])


def test_a_test_that_cleans_up_passes(inner) -> None:  # noqa: ANN001
    result = inner(CLEAN)
    result.assert_outcomes(passed=3)


def test_where_orphans_cannot_be_adopted_the_run_says_so_once(
    inner,  # noqa: ANN001
    pytester: pytest.Pytester,
) -> None:
    # As on macOS or Windows: leaks.py finds no prctl (simulated by its platform check).
    source = (HERE / "leaks.py").read_text()
    pytester.makepyfile(leaks=source.replace('sys.platform.startswith("linux")', "False"))
    result = inner(CLEAN)
    result.assert_outcomes(passed=3)
    notes = [line for line in result.outlines if "orphans are found only if sampled" in line]
    assert len(notes) == 2, notes  # the header, and the summary that -q keeps
