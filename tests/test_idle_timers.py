"""An idle window idles: timers with nothing to do stop, and start again when something happens.

No CPU figures here (the machine is shared): these check the timers themselves. The figures are
``python -m bench.idle_cpu``'s.
"""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QTimer

from app.heartbeat import TAIL_S
from app.main_window import MainWindow
from demos.cpu_sampler import CpuSampler
from demos.events import Kind, Lane, State

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]
SETTLE_MS = int(TAIL_S * 1000) + 5000  # the heartbeat's tail, with room for a loaded machine


def _tab(win: MainWindow, title: str):  # noqa: ANN202
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    return win.current_lesson()


def _window_timers_idle(win: MainWindow) -> bool:
    return not any(t.isActive() for t in (win.draw_timer, win.cpu_timer, win.status_timer))


def _window_timers_running(win: MainWindow) -> bool:
    return all(t.isActive() for t in (win.draw_timer, win.cpu_timer, win.status_timer))


def _lab_timers_idle(win: MainWindow) -> bool:
    """No timer of the lab client runs (ring poll, liveness check)."""
    return not any(timer.isActive() for timer in win.lab.findChildren(QTimer))


def _configure(tab, threads: int, steps: int, step_ms: int) -> None:  # noqa: ANN001
    tab.threads.setValue(threads)
    tab.steps.setValue(steps)
    tab.step_ms.setValue(step_ms)
    tab.kind_io.setChecked(True)


def test_window_timers_stop_when_idle_and_start_with_a_run(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    tab = _tab(win, "Multithreading")
    qtbot.waitUntil(lambda: _window_timers_idle(win) and _lab_timers_idle(win), timeout=SETTLE_MS)

    _configure(tab, threads=2, steps=40, step_ms=100)
    win.start()
    assert _window_timers_running(win)
    assert win.lab.ring_poller.timer.isActive()
    qtbot.waitUntil(lambda: len(win.store.lanes) >= 3, timeout=10_000)

    win.toggle_pause()  # a paused run changes nothing on screen: the window rests
    qtbot.waitUntil(lambda: _window_timers_idle(win), timeout=SETTLE_MS)
    assert win.lab.ring_poller.timer.interval() > 10, "a paused run's ring is read slowly"
    win.toggle_pause()
    assert _window_timers_running(win)
    assert win.lab.ring_poller.timer.interval() == 10

    win.cancel()
    qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)
    qtbot.waitUntil(lambda: _window_timers_idle(win) and _lab_timers_idle(win), timeout=SETTLE_MS)
    # The last picture stays: the finished run's lanes are still drawn.
    assert sum(tab.timeline.drawn_bars().values()) > 0


def test_many_lanes_draw_15_frames_a_second_and_read_every_20_ms(lab_window, qtbot) -> None:  # noqa: ANN001
    from app.heartbeat import MANY_LANES, MANY_LANES_DRAW_PERIOD_MS, MANY_LANES_POLL_MS
    from app.main_window import DRAW_PERIOD_MS

    win = lab_window
    tab = _tab(win, "Multithreading")
    _configure(tab, threads=MANY_LANES, steps=40, step_ms=100)  # and its main thread: 33 lanes
    win.start()
    qtbot.waitUntil(lambda: win.draw_timer.interval() == MANY_LANES_DRAW_PERIOD_MS, timeout=20_000)
    assert win.lab.ring_poller.timer.interval() == MANY_LANES_POLL_MS
    win.cancel()
    qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)
    _configure(tab, threads=2, steps=40, step_ms=100)
    win.start()
    qtbot.waitUntil(lambda: win.draw_timer.interval() == DRAW_PERIOD_MS, timeout=20_000)
    assert win.lab.ring_poller.timer.interval() == 10
    win.cancel()
    qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)


def test_tab_change_draws_once_then_rests(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    qtbot.waitUntil(lambda: _window_timers_idle(win), timeout=SETTLE_MS)
    _tab(win, "Multithreading")
    assert win.draw_timer.isActive(), "a new tab on screen is drawn"
    qtbot.waitUntil(lambda: _window_timers_idle(win), timeout=SETTLE_MS)


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


def test_process_tree_refreshes_only_around_runs(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    tab = _tab(win, "Program, process and thread")
    qtbot.waitUntil(lambda: not tab.tree_timer.isActive(), timeout=SETTLE_MS)
    tab.choice_buttons["threads"].setChecked(True)
    win.start()
    qtbot.waitUntil(tab.tree_timer.isActive, timeout=5000)
    qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
    qtbot.waitUntil(lambda: not tab.tree_timer.isActive(), timeout=SETTLE_MS)


def test_code_panel_follows_inputs_without_polling(plain_window, qtbot) -> None:  # noqa: ANN001
    win = plain_window
    tab = _tab(win, "Multithreading")
    win.code_panel.show()
    qtbot.waitUntil(win.code_panel.isVisible, timeout=2000)
    timer = win.code_panel._timer  # a one-shot debounce after a change, never a poll
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=2000)
    with qtbot.assertNotEmitted(timer.timeout, wait=3 * timer.interval()):
        pass  # nothing changed: the panel does not look again
    tab.threads.setValue(7)
    qtbot.waitUntil(lambda: "--threads 7" in win.code_panel.command.text(), timeout=2000)
    qtbot.waitUntil(lambda: not win.code_panel._timer.isActive(), timeout=2000)
    win.code_panel.hide()


def test_coroutine_lag_meter_runs_only_with_a_run(plain_window, qtbot) -> None:  # noqa: ANN001
    win = plain_window
    tab = _tab(win, "Coroutines")
    qtbot.waitUntil(tab.lag_meter.isVisible, timeout=2000)
    assert not tab.lag_meter.timer.isActive(), "no run, no lag to measure"
    tab.tasks.setValue(10)
    tab.io_ms.setValue(200)
    tab.steps.setValue(3)
    tab.limit.setValue(0)
    tab.cpu_ms.setValue(0)
    tab.blocking.setChecked(False)
    win.start()
    assert tab.lag_meter.timer.isActive()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=10_000)
    qtbot.waitUntil(lambda: not tab.lag_meter.timer.isActive(), timeout=2000)
    qtbot.waitUntil(lambda: _window_timers_idle(win), timeout=SETTLE_MS)


def test_cpu_plot_redraws_nothing_without_a_new_sample(qtbot) -> None:  # noqa: ANN001
    from app.cpu_plot import CpuPlotWidget

    sampler = CpuSampler(capacity=50)
    widget = CpuPlotWidget(sampler)
    qtbot.addWidget(widget)
    sampler.set_lanes([Lane(1, Kind.TASK, "task", 0)])
    sampler.sample(now_s=1.0)
    sampler.sample(now_s=1.1)
    widget.refresh()
    calls: list[int] = []
    widget.total_curve.setData = lambda *a, **k: calls.append(1)  # type: ignore[method-assign]
    widget.refresh()
    assert calls == [], "the same samples are not set again"
    sampler.sample(now_s=1.2)
    widget.refresh()  # soon after the last draw: drawn a moment later, by a one-shot timer
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    assert not widget._trailing.isActive()


def test_follow_mode_scrolls_over_bars_that_stand_still(qtbot) -> None:  # noqa: ANN001
    """While only time passes, the view scrolls and no bar is set again (until an event)."""
    from app.timeline import FOLLOW_HORIZON_S, TimelineWidget
    from demos.intervals import IntervalStore

    t0, second = 5_000_000_000, 1_000_000_000
    store = IntervalStore()
    store.add_lane(Lane(1, Kind.THREAD, "Thread-1", 1001))
    store.add_events([(t0, 1, int(State.RUNNING), "")])  # open: it grows with "now"
    widget = TimelineWidget(store)
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh(t0 + second)
    widget.refresh(t0 + second + second // 10)  # the first frame with a horizon set
    calls: list[int] = []
    running = widget._bars[State.RUNNING]
    running.setOpts = lambda **_k: calls.append(1)  # type: ignore[method-assign]
    for step in range(2, 10):
        widget.refresh(t0 + second + step * second // 10)
    assert calls == [], "scrolling alone sets no bar"
    assert widget.view_range_s()[1] == pytest.approx(1.9)
    widget.refresh(t0 + second + second // 10 + int(FOLLOW_HORIZON_S * second))  # the horizon
    assert calls == [1]
    store.add_events([(t0 + 7 * second, 1, int(State.WAITING), "")])
    widget.refresh(t0 + 7 * second + second // 10)  # an event: drawn at once
    assert len(calls) == 2
