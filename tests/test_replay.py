"""Save a run, open it, replay it (play, scrub, leave), and export the plots as images."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from app.main_window import MainWindow
from demos import recording
from demos.events import Kind, Lane, Mark, State
from demos.intervals import IntervalStore

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]


def open_multithreading(win: MainWindow) -> None:
    """These tests drive the Multithreading tab, wherever it sits among the tabs."""
    win.tabs.setCurrentIndex([lesson.title for lesson in win.lessons].index("Multithreading"))


def sample_store() -> IntervalStore:
    store = IntervalStore()
    store.add_lane(Lane(1, Kind.THREAD, "Thread-1", 11))
    ms = 1_000_000
    store.add_events(
        [
            (0, 1, int(State.RUNNING), "go"),
            (20 * ms, 1, int(State.WAITING), "zz"),
            (50 * ms, 1, int(State.DONE), "returned"),
        ]
    )
    store.add_mark(Mark(30 * ms, "join returned after 0.03 s"))
    return store


def test_a_recording_round_trips_and_refills_a_store(tmp_path: Path) -> None:
    rec = recording.from_store(sample_store(), "Multithreading", {"threads": 1}, {"x": 1})
    path = tmp_path / "run.clrun"
    recording.save(rec, path)
    back = recording.load(path)
    assert back.events == rec.events
    assert back.lanes == rec.lanes
    assert back.duration_ns == 50_000_000
    store = IntervalStore()
    recording.fill_store(store, back, until_ns=25_000_000)
    assert store.count == 2
    assert store.current_state(1) is State.WAITING
    assert not store.marks


def test_values_round_trip_and_replay_up_to_the_moment(tmp_path: Path) -> None:
    ms = 1_000_000
    store = sample_store()
    store.add_value(10 * ms, 1, "counter", {"actual": 7, "expected": 9})
    store.add_value(5 * ms, 0, "is_alive", {"step": "started", "alive": True})  # main lane
    store.add_value(60 * ms, 1, "final_count", {"actual": 9, "lost_updates": 0})  # after the end
    rec = recording.from_store(store, "Multithreading", {"threads": 1}, {})
    assert [v[0] for v in rec.values] == [5 * ms, 10 * ms, 60 * ms]
    path = tmp_path / "values.clrun"
    recording.save(rec, path)
    back = recording.load(path)
    assert back.values == rec.values
    replayed = IntervalStore()
    recording.fill_store(replayed, back, until_ns=7 * ms)
    assert replayed.values("is_alive") == [(5 * ms, 0, {"step": "started", "alive": True})]
    assert replayed.latest("counter") is None
    recording.fill_store(replayed, back, until_ns=back.duration_ns)  # the end: every value
    assert replayed.latest("counter") == {"actual": 7, "expected": 9}
    assert replayed.latest("final_count") == {"actual": 9, "lost_updates": 0}
    replayed.clear()
    assert replayed.values("counter") == []


def test_a_run_saved_before_values_still_loads(tmp_path: Path) -> None:
    rec = recording.from_store(sample_store(), "Multithreading", {"threads": 1}, {})
    path = tmp_path / "old.clrun"
    recording.save(rec, path)
    with gzip.open(path, "rt", encoding="utf-8") as file:
        data = json.load(file)
    del data["values"]
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump(data, file)
    back = recording.load(path)
    assert back.values == []
    assert back.events == rec.events


def test_a_damaged_value_gets_a_clear_message(tmp_path: Path) -> None:
    store = sample_store()
    store.add_value(10_000_000, 1, "counter", 3)
    path = tmp_path / "bad-value.clrun"
    recording.save(recording.from_store(store, "Multithreading", {}, {}), path)
    with gzip.open(path, "rt", encoding="utf-8") as file:
        data = json.load(file)
    data["values"][0][1] = 9  # a lane the run never had
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump(data, file)
    with pytest.raises(recording.RecordingError) as caught:
        recording.load(path)
    assert str(caught.value) == (
        "bad-value.clrun is damaged: value 0 is on lane 9, which is not among the lanes"
    )


def test_replay_feeds_values_as_the_clock_reaches_them(qtbot) -> None:  # noqa: ANN001
    from app.replay import ReplayController

    ms = 1_000_000
    store = sample_store()
    store.add_value(10 * ms, 1, "counter", 1)
    store.add_value(40 * ms, 1, "counter", 2)
    rec = recording.from_store(store, "Multithreading", {}, {})
    shown = IntervalStore()
    controller = ReplayController(shown)
    controller.load(rec)
    assert shown.values("counter") == []
    controller.seek(20 * ms)
    assert [v for _t, _ln, v in shown.values("counter")] == [1]
    controller.play()
    qtbot.waitUntil(lambda: not controller.playing, timeout=5000)
    assert [v for _t, _ln, v in shown.values("counter")] == [1, 2]  # each value once


@pytest.mark.parametrize("content", [b"", b"not gzip at all", b"\x1f\x8b\x08\x00garbage"])
def test_damaged_files_give_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.clrun"
    path.write_bytes(content)
    with pytest.raises(recording.RecordingError, match="bad.clrun"):
        recording.load(path)


@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    win = MainWindow()
    open_multithreading(win)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive(), timeout=20_000)
    yield win
    win.close()


def test_save_open_and_replay_a_run(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    tab.threads.setValue(2)
    tab.steps.setValue(2)
    tab.step_ms.setValue(100)
    tab.kind_io.setChecked(True)
    window.start()
    qtbot.waitUntil(lambda: not window.lab.running and window.store.count > 0, timeout=20_000)
    live_count = window.store.count
    speedup_text = tab.speedup_label.text()
    path = tmp_path / "demo.clrun"
    assert window.save_run_to(str(path))
    tab.clear_result("-")
    assert window.open_run_from(str(path))
    assert window.replay_bar.isVisible()
    assert tab.speedup_label.text() == speedup_text, "the recorded figures come back"
    assert window.store.count < live_count, "paused at the start"
    window.replay.speed = 4.0
    window.start_or_toggle()  # Space plays a replay
    qtbot.waitUntil(lambda: window.store.count == live_count, timeout=10_000)
    window.replay.seek(window.replay.recording.duration_ns // 2)
    assert 0 < window.store.count < live_count
    window.leave_replay()
    assert not window.replay_bar.isVisible()
    assert window.store.count == 0


def test_opening_a_damaged_run_shows_a_message(window, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "broken.clrun"
    path.write_text("{}")
    assert not window.open_run_from(str(path))
    assert "broken.clrun" in window.banner.text()
    assert not window.replay.active


def test_plots_export_as_png_and_svg(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    window.start()
    qtbot.waitUntil(lambda: window.store.count > 2, timeout=20_000)
    png = tmp_path / "timeline.png"
    svg = tmp_path / "cpu.svg"
    assert window.export_plot_to("timeline", str(png))
    assert window.export_plot_to("cpu", str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()
    window.cancel()
    qtbot.waitUntil(lambda: not window.lab.running, timeout=10_000)
