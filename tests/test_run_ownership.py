"""A run belongs to the lesson that started it: drawn only in its tab, untouched by tab switches,
stopped (and said so) when another tab starts. Driven in a live window with a real lab."""

from __future__ import annotations

import pytest

from app.main_window import MainWindow
from demos.events import State

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]


def open_lesson(win: MainWindow, title: str):  # noqa: ANN201
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    return win.current_lesson()


@pytest.fixture
def window(lab_window):  # noqa: ANN001
    return lab_window


def start_multithreading(win: MainWindow, qtbot, threads: int, steps: int, step_ms: int):  # noqa: ANN001, ANN201
    tab = open_lesson(win, "Multithreading")
    tab.threads.setValue(threads)
    tab.steps.setValue(steps)
    tab.step_ms.setValue(step_ms)
    tab.kind_io.setChecked(True)
    win.start_action.trigger()
    qtbot.waitUntil(lambda: len(tab.store.lanes) > threads, timeout=10_000)  # + MainThread
    return tab


def test_coroutines_after_a_cancelled_lab_run_draw_their_own_run(window, qtbot) -> None:  # noqa: ANN001
    start_multithreading(window, qtbot, threads=4, steps=50, step_ms=500)
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not window.lab.running, timeout=10_000)

    tab = open_lesson(window, "Coroutines")
    tab.tasks.setValue(100)
    tab.io_ms.setValue(200)
    tab.steps.setValue(3)
    tab.limit.setValue(0)
    tab.cpu_ms.setValue(0)
    tab.mode_gather.setChecked(True)
    tab.blocking.setChecked(False)
    window.start_action.trigger()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=20_000)
    assert {s for s, _ in tab.store.final_states().values()} == {State.DONE}

    # 100 tasks x 3 x 200 ms, all waiting at once: the run ends at about 0.6 s, and the
    # timeline follows it there (it once stopped at 1 ms, reading the lab run's clock).
    def drawn_to_the_end() -> bool:
        drawn = tab.timeline.drawn_bars()
        return (
            tab.timeline.view_range_s()[1] > 0.5
            and drawn[State.WAITING] > 0
            and drawn[State.DONE] > 0
        )

    qtbot.waitUntil(drawn_to_the_end, timeout=5000)
    right_edge_s = tab.timeline.view_range_s()[1]
    assert right_edge_s < 2.0, f"the view ends at {right_edge_s:.2f} s, after the run"


def test_another_tabs_run_is_not_drawn_there_and_keeps_running(window, qtbot) -> None:  # noqa: ANN001
    mt = start_multithreading(window, qtbot, threads=8, steps=20, step_ms=300)
    states_tab = open_lesson(window, "Thread states")
    events_when_left = mt.store.count
    # The run goes on while another tab is on screen (its events keep arriving)...
    qtbot.waitUntil(lambda: mt.store.count > events_when_left + 16, timeout=10_000)
    # ...and none of its lanes is drawn or counted in the tab on screen.
    assert states_tab.store.count == 0
    assert states_tab.timeline.lane_ticks() == []
    assert sum(states_tab.diagram.counts.values()) == 0
    assert not window.pause_action.isEnabled(), "Pause acts on the tab on screen: nothing here"
    assert window.start_action.isEnabled()

    open_lesson(window, "Multithreading")
    assert window.lab.running
    assert not window.lab.paused
    assert window.pause_action.isEnabled()
    assert window.pause_action.text() == "Pause"
    workers = [lane for lane in mt.store.lanes if lane.name != "MainThread"]
    assert len(workers) == 8
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not window.lab.running, timeout=10_000)


def test_start_in_another_tab_stops_the_running_run_first_and_says_so(window, qtbot) -> None:  # noqa: ANN001
    mt = start_multithreading(window, qtbot, threads=4, steps=50, step_ms=500)
    states_tab = open_lesson(window, "Thread states")
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    window.start_action.trigger()
    qtbot.waitUntil(lambda: states_tab.lab.running, timeout=10_000)
    finals = {s for lane, (s, _) in mt.store.final_states().items() if lane != 0}
    assert State.CANCELLED in finals, finals
    assert any("Stopped the Multithreading run" in m for m in messages), messages
    assert not mt.lab.running
    qtbot.waitUntil(lambda: states_tab.store.count > 0, timeout=10_000)
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not window.lab.running, timeout=10_000)
