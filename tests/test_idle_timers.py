"""An idle window idles: timers with nothing to do stop, and start again when something happens.

No CPU figures here (the machine is shared): these check the timers themselves. The figures are
``python -m bench.idle_cpu``'s.
"""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QTimer

from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]
SETTLE_MS = 6000  # the timers' tails (at most 2 s), with room for a loaded machine


def _tab(win: MainWindow, title: str):  # noqa: ANN202
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    return win.current_lesson()


def _lab_timers_idle(win: MainWindow) -> bool:
    """No timer of the lab client runs (ring poll, liveness check)."""
    return not any(timer.isActive() for timer in win.lab.findChildren(QTimer))


def _configure(tab, threads: int, steps: int, step_ms: int) -> None:  # noqa: ANN001
    tab.threads.setValue(threads)
    tab.steps.setValue(steps)
    tab.step_ms.setValue(step_ms)
    tab.kind_io.setChecked(True)


def test_lab_client_timers_rest_between_runs(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    qtbot.waitUntil(lambda: _lab_timers_idle(win), timeout=SETTLE_MS)
    tab = _tab(win, "Multithreading")
    _configure(tab, threads=2, steps=40, step_ms=100)
    win.start()
    assert win.lab.ring_poller.timer.isActive()
    qtbot.waitUntil(lambda: len(win.store.lanes) >= 3, timeout=10_000)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.lab.ring_poller.timer.interval() > 10, timeout=SETTLE_MS)
    win.toggle_pause()
    assert win.lab.ring_poller.timer.interval() == 10
    win.cancel()
    qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)
    qtbot.waitUntil(lambda: _lab_timers_idle(win), timeout=SETTLE_MS)


def test_a_lab_killed_while_idle_is_replaced_without_a_timer(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    qtbot.waitUntil(lambda: _lab_timers_idle(win), timeout=SETTLE_MS)
    old_pid = win.lab.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    qtbot.waitUntil(
        lambda: win.lab.pid not in (None, old_pid) and win.lab.is_alive(), timeout=10_000
    )
    assert "ended unexpectedly" in win.banner.text() or "closed" in win.banner.text()
