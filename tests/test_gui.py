"""The window driven as a user would: buttons, shortcuts, the lab killed, failures, closing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import QSettings, Qt

from app.main_window import MainWindow
from demos.events import State

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]


def open_multithreading(win: MainWindow) -> None:
    """These tests drive the Multithreading tab, wherever it sits among the tabs."""
    win.tabs.setCurrentIndex([lesson.title for lesson in win.lessons].index("Multithreading"))


@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    win = MainWindow()
    open_multithreading(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    yield win
    win.close()


def lesson(win: MainWindow):  # noqa: ANN201
    return win.current_lesson()


def configure(win: MainWindow, threads: int, steps: int, step_ms: int, kind: str) -> None:
    tab = lesson(win)
    tab.threads.setValue(threads)
    tab.steps.setValue(steps)
    tab.step_ms.setValue(step_ms)
    (tab.kind_io if kind == "io" else tab.kind_cpu).setChecked(True)


def lane_states(win: MainWindow) -> dict[str, State]:
    store = win.store
    return {lane.name: store.current_state(lane.lane_id) for lane in store.lanes}


def workers_final(win: MainWindow) -> set[State]:
    return {s for name, s in lane_states(win).items() if name != "MainThread"}


def test_space_runs_the_lesson_and_shows_the_speedup(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=3, steps=2, step_ms=150, kind="io")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.lab.running, timeout=5000)
    qtbot.waitUntil(lambda: not window.lab.running, timeout=20_000)
    assert workers_final(window) == {State.DONE}
    tab = lesson(window)
    speedup = float(tab.speedup_label.text().split("x")[0])
    assert speedup > 2.0, tab.speedup_label.text()
    assert "overlaps" in tab.verdict_label.text()


def test_pause_holds_workers_and_resume_lets_them_finish(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=2, steps=20, step_ms=50, kind="io")
    window.start_action.trigger()
    qtbot.waitUntil(lambda: len(window.store.lanes) >= 3, timeout=10_000)
    window.pause_action.trigger()
    assert window.pause_action.text() == "Resume"
    qtbot.waitUntil(lambda: workers_final(window) == {State.PAUSED}, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # Space resumes
    qtbot.waitUntil(lambda: not window.lab.running, timeout=20_000)
    assert workers_final(window) == {State.DONE}


def test_join_marks_the_timeline(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=2, steps=3, step_ms=100, kind="io")
    window.start()
    qtbot.waitUntil(lambda: len(window.store.lanes) >= 3, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_J)
    qtbot.waitUntil(
        lambda: any("join returned" in m.label for m in window.store.marks), timeout=20_000
    )
    main_row = next(r for r, ln in enumerate(window.store.lanes) if ln.name == "MainThread")
    main_states = [
        window.store.state[i] for i in range(window.store.count) if window.store.row[i] == main_row
    ]
    assert int(State.BLOCKED) in main_states, "the main thread is shown blocked in join()"


def test_cancel_stops_every_worker(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=8, steps=50, step_ms=1000, kind="cpu")
    window.start()
    qtbot.waitUntil(lambda: len(window.store.lanes) >= 9, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: not window.lab.running, timeout=5000)
    assert workers_final(window) == {State.CANCELLED}
    assert any(m.label == "cancel asked" for m in window.store.marks)


def test_reset_clears_the_run(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=2, steps=50, step_ms=500, kind="io")
    window.start()
    qtbot.waitUntil(lambda: window.store.count > 3, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: not window.lab.running and window.store.count == 0, timeout=5000)
    assert window.start_action.isEnabled()


def test_a_worker_that_raises_shows_failed_with_its_message(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=3, steps=4, step_ms=20, kind="io")
    lesson(window).fail_one.setChecked(True)
    window.start()
    qtbot.waitUntil(lambda: not window.lab.running and window.store.count > 0, timeout=20_000)
    states = lane_states(window)
    assert states["Thread-1"] is State.FAILED
    assert states["Thread-2"] is State.DONE
    assert "raised on purpose" in lesson(window).failures_label.text()


def test_the_lab_killed_mid_run_is_replaced(window, qtbot) -> None:  # noqa: ANN001
    configure(window, threads=4, steps=50, step_ms=500, kind="io")
    window.start()
    qtbot.waitUntil(lambda: len(window.store.lanes) >= 5, timeout=10_000)
    old_pid = window.lab.pid
    os.kill(old_pid, signal.SIGKILL)
    qtbot.waitUntil(
        lambda: window.lab.pid not in (None, old_pid) and window.lab.is_alive(), timeout=10_000
    )
    assert "ended unexpectedly" in window.banner.text() or "closed" in window.banner.text()
    assert workers_final(window) == {State.FAILED}
    assert not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == "zombie"
    # The lesson runs again on the new lab.
    configure(window, threads=2, steps=1, step_ms=20, kind="io")
    window.start()
    qtbot.waitUntil(
        lambda: not window.lab.running and workers_final(window) == {State.DONE}, timeout=20_000
    )


def test_export_trace_writes_chrome_trace_json(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    configure(window, threads=2, steps=2, step_ms=20, kind="io")
    window.start()
    qtbot.waitUntil(lambda: not window.lab.running and window.store.count > 0, timeout=20_000)
    path = tmp_path / "run.trace.json"
    assert window.export_trace_to(str(path))
    events = json.loads(path.read_text())["traceEvents"]
    assert {e["args"]["name"].split(" ")[0] for e in events if e["name"] == "thread_name"} >= {
        "Thread-1",
        "Thread-2",
        "MainThread",
    }


def test_closing_mid_run_stops_everything_within_3_s(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow()
    open_multithreading(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive(), timeout=20_000)
    configure(win, threads=16, steps=50, step_ms=2000, kind="cpu")
    win.start()
    qtbot.waitUntil(lambda: len(win.store.lanes) >= 17, timeout=10_000)
    pid = win.lab.pid
    import time

    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < 3.0
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def test_sliders_are_remembered_and_a_corrupt_settings_file_is_survived(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    open_multithreading(win)
    qtbot.addWidget(win)
    configure(win, threads=7, steps=3, step_ms=250, kind="cpu")
    win.close()
    again = MainWindow(start_lab=False)
    open_multithreading(again)
    qtbot.addWidget(again)
    assert lesson(again).threads.value() == 7
    assert lesson(again).step_kind() == "cpu"
    again.close()
    settings = QSettings()
    for key, junk in (
        ("multithreading/threads", "lots"),
        ("window/geometry", "???"),
        ("schema_version", "banana"),
        ("multithreading/kind", 12),
    ):
        settings.setValue(key, junk)
    settings.sync()
    third = MainWindow(start_lab=False)
    open_multithreading(third)
    qtbot.addWidget(third)
    assert lesson(third).threads.value() == 2  # the default
    assert lesson(third).step_kind() == "io"
    third.close()
