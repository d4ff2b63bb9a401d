"""The gate threads wait on: flags written by another process (no wake-up call) still end every
wait, whoever happens to be the watcher, and whenever it leaves."""

from __future__ import annotations

import threading
import time

import pytest

from demos import gate as gate_module
from demos.gate import Gate

# serial: measures speed or CPU share, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(60), pytest.mark.serial]


@pytest.fixture(autouse=True)
def no_safety_net(monkeypatch: pytest.MonkeyPatch) -> None:
    # Followers re-check on their own after FOLLOWER_TIMEOUT_S: make that too long to matter,
    # so only the watcher's wake-ups can end a wait in these tests.
    monkeypatch.setattr(gate_module, "FOLLOWER_TIMEOUT_S", 60.0)


def start(target, count: int) -> list[threading.Thread]:  # noqa: ANN001
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads: list[threading.Thread], timeout_s: float) -> list[threading.Thread]:
    """Join within one deadline; the threads still alive."""
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def test_every_held_thread_goes_on_when_the_flag_is_written_directly() -> None:
    flags = bytearray([1, 0])
    gate = Gate(flags, (0, 1))
    held = threading.Barrier(17)

    def hold(_index: int) -> None:
        held.wait()
        gate.wait_until(lambda: not flags[0])

    threads = start(hold, 16)
    held.wait()
    flags[0] = 0  # as the GUI writes it from its own process: nobody calls wake_all()
    left = join_all(threads, 10.0)
    if left:
        gate.wake_all()  # do not leave them behind
        flags[0] = 0
    assert not left, f"{len(left)} of 16 threads never saw the flag"


def test_the_watch_passes_on_when_the_watcher_leaves() -> None:
    # Short sleepers come and go (each may be the watcher); the long one must still hear Pause.
    flags = bytearray([0, 0])
    gate = Gate(flags, (0, 1))
    woken: list[bool] = []

    def sleeper(index: int) -> None:
        length = 30.0 if index == 0 else 0.05 * index
        woken.append(gate.wait_until(lambda: bool(flags[0]), time.perf_counter() + length))

    short = [threading.Thread(target=sleeper, args=(i,)) for i in range(1, 8)]
    for thread in short:
        thread.start()
    deadline = time.monotonic() + 10
    while not gate._watching:  # one of the short ones watches: the long one will follow
        assert time.monotonic() < deadline
        time.sleep(0.001)
    threads = start(sleeper, 1)
    assert not join_all(short, 10.0)  # the short ones slept their time out
    flags[0] = 1  # written directly again
    left = join_all(threads[:1], 10.0)
    if left:
        gate.wake_all()
    assert not left, "the long sleeper was left without a watcher"
    assert woken.count(True) == 1
