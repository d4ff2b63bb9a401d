"""Fault injection, points 1-3 of the issue (saved runs): replay and scrubbing of runs of any
length (1 s, 4.2 s, 10 min; 32-bit positions broke every run over 2.15 s), a Challenges run
reopened in a fresh window, and damaged files refused with one message naming the fault.

Saved runs for every lesson and every Challenges page: save in one window, open in a fresh
one; damaged files give a clear message and leave the window usable; long runs replay."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from app.lesson import LessonTab
from app.lessons import when_to_use_matrix as when_tab
from app.lessons.challenges import PAGE_CLASSES, ChallengesTab
from app.main_window import LESSONS, MainWindow
from demos import recording, when_to_use_result
from demos.events import Kind, Lane, Mark, State

pytestmark = [pytest.mark.timeout(120), pytest.mark.gui]
MS = 1_000_000
SCHEDULER = "You are the scheduler"
CASES = [(title, "") for title, _m, _c in LESSONS if title != ChallengesTab.title] + [
    (ChallengesTab.title, cls.name) for cls in PAGE_CLASSES
]
REPORT = {"outcomes": {}, "result": {}, "t_start_ns": 0, "t_end_ns": 60 * MS, "work_s": 0.0}
COROUTINE_FIGURES = {  # all that CoroutinesResult.as_json writes
    "elapsed_s": 0.21,
    "sequential_s": 6.0,
    "expected_s": 0.2,
    "speedup": 28.57,
    "offload_threads": 0,
    "threads_used": 1,
    "max_loop_lag_ms": 3.0,
    "tasks": 30,
    "io_ms": 200,
    "steps": 1,
    "cancelled": 0,
    "failed": 0,
    "lanes": 30,
    "blocking": False,
    "cpu_ms": 0,
    "offload": False,
    "mode": "gather",
    "limit": 0,
}
MATRIX_FIGURES = {
    "matrix": {w: {m: 0.5 for m in when_tab.COLUMNS} for w in when_to_use_result.WORKLOADS},
    "speedups": {w: {m: 1.0 for m in when_tab.COLUMNS} for w in when_to_use_result.WORKLOADS},
    "process_startup_s": {},
    "winners": {w: "threads" for w in when_to_use_result.WORKLOADS},
    "recommendation": "threads for waiting",
    "gil_enabled": True,
    "total_s": 4.0,
    "cores": 2,
    "python": "3.11",
    "switch_interval_ms": 5.0,
    "params": {"io_jobs": 8, "io_ms": 150, "cpu_jobs": 4, "cpu_ms": 150, "switch_interval_ms": 5.0},
}

GIL_MODEL = {"elapsed_s": 0.5, "startup_s": 0.1, "data_s": 0.01}
GIL_FIGURES = {  # one interpreter's run, as GilOrNotResult.as_json writes it
    "runs": [
        {
            "workers": 2,
            "total_ms": 1000,
            "data_kb": 64,
            "usable_cores": 2,
            "interpreter": {
                "version": "3.11.7",
                "implementation": "cpython",
                "executable": "/usr/bin/python3",
                "gil_enabled": True,
                "free_threaded": False,
            },
            "baseline": {"available": True, **GIL_MODEL, "speedup": 1.0},
            "threads": {"available": True, **GIL_MODEL, "speedup": 1.0},
            "processes": {"available": True, **GIL_MODEL, "speedup": 2.0},
            "subinterpreters": {"available": False, "why": "3.11", "how": "use 3.14"},
        }
    ]
}
LOCAL_FIGURES = {"Coroutines": COROUTINE_FIGURES, "GIL or no GIL": GIL_FIGURES}


@pytest.fixture
def windows(qtbot, qloop) -> Iterator[Callable[[], MainWindow]]:  # noqa: ANN001
    """Fresh windows without a lab (replay needs none); put back on the first tab and page."""
    made: list[MainWindow] = []

    def make() -> MainWindow:
        win = MainWindow(start_lab=False)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        if win.replay.active:
            win.leave_replay()
        for lesson in win.lessons.built():
            if isinstance(lesson, ChallengesTab):
                lesson.challenge.setCurrentIndex(0)
        win.tabs.setCurrentIndex(0)
        win.close()


def open_lesson(win: MainWindow, title: str, page: str = "") -> LessonTab:
    """Put a lesson (and page) on screen."""
    win.tabs.setCurrentIndex(win.lessons.titles.index(title))
    lesson = win.current_lesson()
    if page:
        assert isinstance(lesson, ChallengesTab)
        lesson.show_page(page)
        assert lesson.page.name == page
    return lesson


def fill_synthetic(lesson: LessonTab) -> None:
    """Two workers' worth of events and a mark, as a finished run leaves them."""
    store = lesson.current_store()
    store.clear()
    for lane_id in (1, 2):
        store.add_lane(Lane(lane_id, Kind.THREAD, f"Thread-{lane_id}", 100 + lane_id))
    store.add_events(
        [
            (1_000 * MS, 1, int(State.RUNNING), "go"),
            (1_005 * MS, 2, int(State.RUNNING), "go"),
            (1_020 * MS, 1, int(State.WAITING), "zz"),
            (1_040 * MS, 2, int(State.DONE), "returned"),
            (1_060 * MS, 1, int(State.DONE), "returned"),
        ]
    )
    store.add_mark(Mark(1_050 * MS, "join returned after 0.05 s"))


def play_scheduler_game(qtbot, tab: ChallengesTab) -> None:  # noqa: ANN001
    """A real game: thread 1 runs all its steps, then thread 2 (threads and store are real)."""
    page = tab.page
    page.threads.setValue(2)
    page.increments.setValue(1)
    page.start_local()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    for thread in (0, 0, 0, 1, 1, 1):
        page.run_step(thread)
        qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    qtbot.waitUntil(lambda: not page.is_running(), timeout=10_000)


def make_run(qtbot, win: MainWindow, title: str, page: str) -> dict[str, Any]:  # noqa: ANN001
    """A finished run on screen; returns the figures the lesson should get back."""
    lesson = open_lesson(win, title, page)
    if page == SCHEDULER:
        assert isinstance(lesson, ChallengesTab)
        play_scheduler_game(qtbot, lesson)
        figures = lesson.saved_figures()
        assert figures["expected"] == 2
        return {"figures": figures}
    fill_synthetic(lesson)
    lesson.last_params = lesson.params()  # as Start does
    if lesson.runs_locally:
        lesson.last_result = dict(  # type: ignore[attr-defined]
            LOCAL_FIGURES.get(title, MATRIX_FIGURES)
        )
        return {"figures": lesson.last_result}  # type: ignore[attr-defined]
    win.last_result = {"lesson": title, "elapsed_s": 0.06, "report": REPORT}
    return {"elapsed_s": 0.06, "report": REPORT}


def spy(lesson: LessonTab, name: str) -> list[tuple[Any, ...]]:
    """Record calls of a lesson's method while still running it."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(lesson, name)

    def wrapper(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    setattr(lesson, name, wrapper)
    return calls


@pytest.mark.parametrize(("title", "page"), CASES, ids=[f"{t}-{p}" for t, p in CASES])
def test_every_lesson_and_page_saves_and_reopens_in_a_fresh_window(
    windows, qtbot, tmp_path: Path, title: str, page: str
) -> None:  # noqa: ANN001
    first = windows()
    expected = make_run(qtbot, first, title, page)
    saved = first.current_lesson().current_store()
    lanes, count = list(saved.lanes), saved.count
    path = tmp_path / "run.clrun"
    assert first.save_run_to(str(path)), first.banner.text()
    rec = recording.load(path)
    assert (rec.lesson, rec.page) == (title, page)

    second = windows()
    index = second.lessons.titles.index(title)
    other = (index + 1) % len(second.lessons)
    second.tabs.setCurrentIndex(other)  # opening must switch tabs (and pages)
    lesson = second.lessons[index]
    if page:
        assert isinstance(lesson, ChallengesTab)
        names = [p.name for p in lesson.page_list]
        lesson.challenge.setCurrentIndex((names.index(page) + 1) % len(names))
    reports = spy(lesson, "show_result")
    figures = spy(lesson, "show_saved_figures")
    assert second.open_run_from(str(path)), second.banner.text()

    assert second.tabs.currentIndex() == index
    assert second.current_lesson() is lesson
    if page:
        assert lesson.page.name == page
    assert second.replay_bar.isVisible()
    assert not second.banner.isVisible(), second.banner.text()
    if "report" in expected:
        assert reports == [(expected["elapsed_s"], expected["report"])]
    else:
        assert figures == [(expected["figures"],)]
    store = lesson.current_store()
    assert store is second.replay.store
    assert store.count < count, "paused at the start"
    second.replay.seek(second.replay.recording.duration_ns)
    assert store.count == count
    assert store.lanes == lanes
    second.leave_replay()
    assert not second.replay_bar.isVisible()
    assert store.count == 0


def write_run(path: Path, change: Callable[[dict[str, Any]], Any] | None = None) -> None:
    """A good Multithreading run, then ``change`` applied to its JSON."""
    store = SmallRun()
    rec = recording.Recording(
        "Multithreading",
        {"threads": 2, "steps": 2, "step_ms": 100, "kind": "io"},
        store.lanes,
        store.events,
        [Mark(20 * MS, "join")],
        {"lesson": "Multithreading", "elapsed_s": 0.05, "report": dict(REPORT)},
        values=[(10 * MS, 1, "counter", {"actual": 3, "expected": 4}), (12 * MS, 0, "ok", True)],
    )
    recording.save(rec, path)
    if change is not None:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            data = json.load(file)
        text = change(data)
        with gzip.open(path, "wt", encoding="utf-8") as file:
            file.write(text if isinstance(text, str) else json.dumps(data))


class SmallRun:
    """Lanes and events of a small run, with no store."""

    lanes = [Lane(1, Kind.THREAD, "Thread-1", 11), Lane(2, Kind.THREAD, "Thread-2", 12)]
    events = [
        (0, 1, int(State.RUNNING), "go"),
        (5 * MS, 2, int(State.RUNNING), "go"),
        (30 * MS, 1, int(State.DONE), "returned"),
        (40 * MS, 2, int(State.DONE), "returned"),
    ]


def event_field(i: int, field: int, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["events"][i].__setitem__(field, value)


def raw_time(literal: str) -> Callable[[dict[str, Any]], str]:
    """Event 1's time written as ``literal`` in the JSON text (e.g. 1e400)."""

    def change(data: dict[str, Any]) -> str:
        data["events"][1][0] = 777_777_777
        return json.dumps(data).replace("777777777", literal)

    return change


DAMAGED = [
    ("infinite", raw_time("Infinity"), "event 1 has time inf, not a whole number"),
    ("huge-float", raw_time("1e400"), "event 1 has time inf, not a whole number"),
    ("fraction", event_field(1, 0, 1.5), "event 1 has time 1.5, not a whole number"),
    ("beyond-int64", event_field(1, 0, 2**70), "event 1 has a time beyond the 64-bit range"),
    ("negative", event_field(2, 0, -5), "event 2 has a negative time (-5)"),
    ("state", event_field(1, 2, 99), "event 1 has unknown state 99"),
    ("lane", event_field(3, 1, 42), "event 3 is on lane 42, which is not among the lanes"),
    ("short-event", event_field(0, slice(0, 4), [1]), "event 0 is not [time, lane, state, detail]"),
    ("events", lambda d: d.__setitem__("events", 5), "its events are not a list"),
    ("kind", lambda d: d["lanes"][0].__setitem__(1, "robot"), "lane 0 has unknown kind 'robot'"),
    (
        "mark",
        lambda d: d["marks"][0].__setitem__(0, -1),
        "mark 0 has a negative time (-1)",
    ),
    ("values", lambda d: d.__setitem__("values", {"a": 1}), "its values are not a list"),
    ("value-shape", lambda d: d["values"].__setitem__(0, [1, 2]), "value 0 is not [time, lane"),
    ("value-time", lambda d: d["values"][1].__setitem__(0, -3), "value 1 has a negative time (-3)"),
    (
        "value-lane",
        lambda d: d["values"][0].__setitem__(1, 42),
        "value 0 is on lane 42, which is not among the lanes",
    ),
    (
        "value-name",
        lambda d: d["values"][1].__setitem__(2, 7),
        "value 1 has a name that is not text (7)",
    ),
    ("report", lambda d: d["result"].__setitem__("report", [1]), "result.report is not a dict"),
    (
        "elapsed-text",
        lambda d: d["result"].__setitem__("elapsed_s", "fast"),
        "result.elapsed_s is 'fast', not a number",
    ),
    (
        "elapsed-inf",
        lambda d: d["result"].__setitem__("elapsed_s", float("inf")),
        "result.elapsed_s is inf, not a finite duration",
    ),
    (
        "param-type",
        lambda d: d["params"].__setitem__("threads", "lots"),
        "setting 'threads' is 'lots' (str), but the lesson expects int",
    ),
    (
        "param-bool",
        lambda d: d["params"].__setitem__("threads", True),
        "setting 'threads' is True (bool), but the lesson expects int",
    ),
    (
        "lesson",
        lambda d: d.__setitem__("lesson", "Knitting"),
        "it names no lesson of this app ('Knitting')",
    ),
    (
        "page",
        lambda d: d.update(lesson="Challenges", page="Knitting", params={}),
        "Challenges has no page 'Knitting'",
    ),
    (
        "no-page",
        lambda d: d.update(lesson="Challenges", page="", params={}),
        "Challenges needs a page; it names none",
    ),
    (
        "figures",
        lambda d: d["result"]["report"].__setitem__("outcomes", 5),
        "its figures do not fit the lesson",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in DAMAGED], ids=[c[0] for c in DAMAGED]
)
def test_damaged_content_says_what_is_wrong_and_leaves_the_window_usable(
    windows, tmp_path: Path, change: Callable[[dict[str, Any]], Any], message: str
) -> None:  # noqa: ANN001
    win = windows()
    bad = tmp_path / "bad.clrun"
    write_run(bad, change)
    assert not win.open_run_from(str(bad))
    assert win.banner.isVisible()
    assert win.banner.text().startswith("bad.clrun is damaged: "), win.banner.text()
    assert message in win.banner.text()
    assert not win.replay.active
    assert not win.replay_bar.isVisible()
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    good = tmp_path / "good.clrun"
    write_run(good)
    assert win.open_run_from(str(good)), win.banner.text()
    assert win.replay_bar.isVisible()
    assert not win.banner.isVisible()


@pytest.mark.parametrize("total_ms", [1_000, 4_200, 600_000], ids=["1s", "4.2s", "10min"])
def test_runs_of_any_length_replay_and_scrub(windows, qtbot, tmp_path, total_ms) -> None:  # noqa: ANN001
    # Positions travel in nanoseconds: a 32-bit signal argument broke every run over 2.15 s.
    step = total_ms * MS // 8
    events = [(i * step, 1, int(State.RUNNING if i % 2 else State.WAITING), "") for i in range(8)]
    events.append((total_ms * MS, 1, int(State.DONE), "returned"))
    mark_ns = total_ms * MS * 6 // 7
    rec = recording.Recording(
        "Multithreading", {}, [Lane(1, Kind.THREAD, "Thread-1", 11)], events, [Mark(mark_ns, "m")]
    )
    path = tmp_path / "long.clrun"
    recording.save(rec, path)
    win = windows()
    assert win.open_run_from(str(path)), win.banner.text()
    bar, store = win.replay_bar, win.replay.store
    with qtbot.waitSignal(win.replay.positionChanged) as signal:
        bar.scrub.sliderMoved.emit(900)  # a drag to 90 %
    at_ns = total_ms * MS * 900 // 1000
    assert signal.args == [at_ns]
    assert store.count == sum(1 for e in events if e[0] <= at_ns)
    assert store.marks == [Mark(mark_ns, "m")]
    assert bar.clock.text() == f"{at_ns / 1e9:.2f} / {total_ms / 1e3:.2f} s"
    win.replay.speed = 4.0
    with qtbot.waitSignal(win.replay.positionChanged):
        bar.scrub.sliderMoved.emit(990)  # near the end, then play it out
    win.start_or_toggle()
    qtbot.waitUntil(lambda: store.count == len(events), timeout=15_000)
    qtbot.waitUntil(lambda: not win.replay.playing, timeout=15_000)
    assert bar.clock.text() == f"{total_ms / 1e3:.2f} / {total_ms / 1e3:.2f} s"
    assert bar.scrub.value() == 1000


def test_cut_and_duration_hold_at_the_edges() -> None:
    rec = recording.Recording("x", {}, [], [(10, 1, 2, ""), (30, 1, 6, "")])
    assert rec.duration_ns == 20
    assert [rec.cut(t) for t in (-1, 0, 19, 20, 2**80)] == [0, 1, 1, 2, 2]
    empty = recording.Recording("x", {}, [], [])
    assert (empty.duration_ns, empty.cut(5)) == (0, 0)


def test_a_challenges_run_remembers_the_page_that_ran(windows, tmp_path: Path) -> None:
    win = windows()
    tab = open_lesson(win, ChallengesTab.title, PAGE_CLASSES[0].name)
    assert isinstance(tab, ChallengesTab)
    fill_synthetic(tab)
    tab.last_params = tab.params()  # Start on the first page
    tab.show_page(PAGE_CLASSES[2].name)  # then the learner looks at another page
    assert tab.run_page() == PAGE_CLASSES[0].name
    path = tmp_path / "race.clrun"
    assert win.save_run_to(str(path))
    assert recording.load(path).page == PAGE_CLASSES[0].name
