"""The one stop helper: ask, then terminate, then kill, with deadlines; and killing a whole tree."""

from __future__ import annotations

import contextlib
import multiprocessing
import time

import psutil
import pytest

from demos.escalate import escalate, kill_tree

pytestmark = pytest.mark.timeout(60)
SPAWN = multiprocessing.get_context("spawn")
STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(30)\n"
PARENT_OF_ONE = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen(['sleep', '30'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(30)\n"
)


def started(target, *args) -> multiprocessing.process.BaseProcess:  # noqa: ANN001
    process = SPAWN.Process(target=target, args=args, daemon=True)
    process.start()
    return process


def test_a_process_that_ends_by_itself_needs_nothing() -> None:
    process = started(time.sleep, 0.05)
    assert escalate(process, wait_s=10.0) is None
    assert process.exitcode == 0


def test_a_sleeping_process_is_terminated_after_the_wait() -> None:
    process = started(time.sleep, 30)
    t0 = time.monotonic()
    assert escalate(process, wait_s=0.2, grace_s=2.0) == "terminated"
    assert not process.is_alive()
    assert time.monotonic() - t0 < 5.0


def test_a_process_that_ignores_terminate_is_killed() -> None:
    process = started(exec, STUBBORN)
    # Wait until it has installed its handler (it is sleeping with SIGTERM ignored).
    proc = psutil.Process(process.pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.status() != psutil.STATUS_SLEEPING:
        time.sleep(0.02)
    time.sleep(0.3)  # the interpreter start-up also sleeps: let it reach time.sleep(30)
    assert escalate(process, wait_s=0.0, grace_s=0.5) == "killed"
    assert not process.is_alive()


def test_kill_tree_takes_the_grandchildren_too() -> None:
    process = started(exec, PARENT_OF_ONE)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 20

    def sleepers() -> list[psutil.Process]:
        # Named "sleep" once exec'd: just after the fork the child still bears python's name.
        found = []
        for child in parent.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.name() == "sleep":
                    found.append(child)
        return found

    while time.monotonic() < deadline and not sleepers():
        time.sleep(0.02)
    grandchildren = sleepers()
    assert grandchildren, "the child started its own child"
    assert kill_tree(process, grace_s=5.0)
    process.join(5.0)
    assert not process.is_alive()
    assert not any(g.is_running() and g.status() != psutil.STATUS_ZOMBIE for g in grandchildren)
