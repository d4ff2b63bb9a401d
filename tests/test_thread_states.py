"""The thread states lesson: the deck's is_alive() answers, Future cancel semantics, the kernel's
view of threads, three states at once, and the tab driven as a learner would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from demos import future_states, kernel_states
from demos import thread_states as lesson
from demos.events import Kind, State
from demos.intervals import IntervalStore
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not kernel_states.available(), reason="needs /proc (Linux)")


def run_twin(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.thread_states", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_here(scenario: str) -> tuple[list, IntervalStore]:
    """Play a scenario in this process; returns its specs and the intervals it produced."""
    specs = lesson.build_workers(scenario)
    sink = ListSink()
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    assert run.join(30.0).ended
    store = IntervalStore()
    store.add_messages(sink.messages)  # lanes, marks and values, as a twin keeps them
    store.add_events(sorted(sink.events, key=lambda e: e[0]))
    return specs, store


def test_twin_plays_the_decks_example() -> None:
    result = run_twin()
    assert result["observed"] == [False, True, True, False]
    assert [c["step"] for c in result["checks"]] == list(lesson.DECK_STEPS)
    assert result["checks"][0]["ident"] is None  # no ident before start(), as the deck prints
    assert result["future_states"] == []
    assert 1.9 < result["elapsed_s"] < 4.0


def test_deck_reports_each_is_alive_answer_as_a_typed_value() -> None:
    specs, store = run_here("deck")
    answers = [value for _t, _lane, value in store.values(lesson.IS_ALIVE)]
    assert answers == [
        {"step": step, "alive": alive}
        for step, alive in zip(lesson.DECK_STEPS, [False, True, True, False], strict=True)
    ]
    record = specs[0].params["record"]
    assert [a["alive"] for a in answers] == record.observed
    assert json.loads(json.dumps(answers)) == answers  # plain data, as on the wire


def test_futures_report_their_states_and_cancel_answers_as_values() -> None:
    specs, store = run_here("futures")
    book = specs[0].params["book"]
    states: dict[int, list[str]] = {}
    for _t, _lane, value in store.values(future_states.FUTURE_STATE):
        states.setdefault(value["task"], []).append(value["state"])
    assert states == dict(enumerate(book.states))
    cancels = {v["task"]: v["returned"] for _, _, v in store.values(future_states.FUTURE_CANCEL)}
    assert cancels == {i: a for i, a in enumerate(book.cancel_returned) if a is not None}
    assert cancels[0] is False


def test_futures_cancel_pending_but_not_running() -> None:
    result = run_twin("--scenario", "futures")
    entries = result["future_states"]
    assert len(entries) == future_states.FUTURE_TASKS
    asked = {e["task"]: e["cancel_returned"] for e in entries if e["cancel_returned"] is not None}
    assert asked[0] is False, "future 0 was running: cancel() must say False"
    pending = [t for t, answer in asked.items() if t != 0]
    assert pending, "some pending futures were asked to cancel"
    assert all(asked[t] is True for t in pending)
    for entry in entries:
        assert entry["states"][-1] in ("FINISHED", "CANCELLED"), entry
        assert set(entry["states"]) <= set(future_states.FUTURE_STATES)
        if entry["cancel_returned"] is True:
            assert entry["states"] == ["PENDING", "CANCELLED"]
        else:
            assert "RUNNING" in entry["states"]
            assert entry["states"][-1] == "FINISHED"


def test_cancel_stops_every_scenario_quickly() -> None:
    for scenario in lesson.SCENARIOS:
        specs = lesson.build_workers(scenario)
        run = Run(Kind.THREAD, specs, ListSink())
        run.start()
        time.sleep(0.3)
        t0 = time.perf_counter()
        report = run.cancel(5.0)
        assert report.ended, scenario
        assert time.perf_counter() - t0 < 2.0, scenario


@linux_only
def test_kernel_states_show_a_sleeping_thread_as_s() -> None:
    stop = threading.Event()
    ready = threading.Event()
    native: list[int] = []

    def sleeper() -> None:
        native.append(threading.get_native_id())
        ready.set()
        stop.wait(30)

    thread = threading.Thread(target=sleeper, name="sleeper")
    thread.start()
    try:
        ready.wait(5)
        time.sleep(0.1)  # let it reach the wait
        states = kernel_states.kernel_states(os.getpid())
        assert threading.get_native_id() in states
        assert native[0] in states
        assert states[native[0]] == "S"
        assert all(letter in kernel_states.KERNEL_STATE_MEANINGS for letter in states.values())
        assert kernel_states.kernel_state_meaning("S").startswith("sleeping")
    finally:
        stop.set()
        thread.join(5)
    assert kernel_states.kernel_states(2**22 + 12345) == {}  # no such process: empty, no error


# serial: how long a computing thread stays RUNNING depends on having a CPU (without one it is
# READY), so beside other tests the overlap shrank (0.275 s in one CI run on two workers).
@pytest.mark.serial
def test_mix_shows_running_waiting_and_blocked_at_once() -> None:
    _specs, store = run_here("mix")
    held = set(store.state[: store.count].tolist())
    assert {int(State.RUNNING), int(State.WAITING), int(State.BLOCKED)} <= held
    trio = (State.RUNNING, State.WAITING, State.BLOCKED)
    assert lesson.states_at_once_s(store, trio, 5_000_000) > 0.5
    assert all(s is State.DONE for s, _ in store.final_states().values())


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="scenario must be one of"):
        lesson.build_workers("nope")


# ---------------------------------------------------------------------- GUI
@pytest.mark.gui
def test_tab_plays_the_deck_and_lights_the_diagram(qtbot, qloop) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    index = next(i for i in range(win.tabs.count()) if win.tabs.tabText(i) == "Thread states")
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    try:
        tab.scenario_box.setCurrentIndex(lesson.SCENARIOS.index("deck"))
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        # While the worker sleeps, the diagram shows it waiting and the OS table finds it.
        qtbot.waitUntil(lambda: tab.diagram.counts.get(State.WAITING, 0) >= 1, timeout=5000)
        # The answers appear live, from main's IS_ALIVE values, while the worker still sleeps.
        qtbot.waitUntil(lambda: win.lab.running and tab.answers.count() >= 2, timeout=5000)
        assert tab.answers.item(1).text() == "started: is_alive() -> True"
        if kernel_states.available():
            qtbot.waitUntil(lambda: tab.os_table.rowCount() >= 3, timeout=5000)
            lanes = {tab.os_table.item(r, 1).text() for r in range(tab.os_table.rowCount())}
            assert {"main", "worker"} <= lanes
        qtbot.waitUntil(lambda: not win.lab.running, timeout=30_000)
        qtbot.waitUntil(lambda: tab.answers.count() == 4, timeout=5000)
        shown = [tab.answers.item(i).text() for i in range(4)]
        assert [s.rsplit(" ", 1)[-1] for s in shown] == ["False", "True", "True", "False"]
        assert shown[0].startswith("created")
        qtbot.waitUntil(lambda: tab.diagram.counts == {State.DONE: 2}, timeout=5000)
        assert "False, True, True, False" in tab.verdict_label.text()
    finally:
        win.tabs.setCurrentIndex(0)  # leave the remembered tab as other GUI tests expect it
        win.close()


@pytest.mark.gui
def test_tab_shows_futures_and_cancel_answers(qtbot, qloop) -> None:  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    index = next(i for i in range(win.tabs.count()) if win.tabs.tabText(i) == "Thread states")
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    try:
        tab.scenario_box.setCurrentIndex(lesson.SCENARIOS.index("futures"))
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=30_000)
        table = tab.futures_table
        qtbot.waitUntil(lambda: table.rowCount() == future_states.FUTURE_TASKS, timeout=5000)
        now = [table.item(r, 1).text() for r in range(table.rowCount())]
        assert set(now) <= {"FINISHED", "CANCELLED"}
        assert table.item(0, 3).text() == "False"
        assert "True" in [table.item(r, 3).text() for r in range(table.rowCount())]
    finally:
        tab.scenario_box.setCurrentIndex(0)
        win.tabs.setCurrentIndex(0)
        win.close()


# ------------------------------------------------------------- the result
def test_the_verdict_follows_the_answers_not_the_scenario() -> None:
    from demos.thread_states_result import AliveCheck, FutureRecord, ThreadStatesResult

    def deck(*answers: bool) -> ThreadStatesResult:
        steps = lesson.DECK_STEPS
        checks = tuple(AliveCheck(s, a, None, None) for s, a in zip(steps, answers, strict=False))
        return ThreadStatesResult("deck", checks, (), elapsed_s=2.0)

    assert "in between it is" in deck(False, True, True, False).verdict()
    # The deck's scenario, but the thread was gone by the 1 s check: not told "in between it is".
    odd = deck(False, True, False, False).verdict()
    assert "not the deck's" in odd
    assert "in between it is" not in odd
    # The mix scenario, but the three states never showed together.
    mix = ThreadStatesResult("mix", (), (), all_three_at_once_s=0.0)
    assert "hardly ever" in mix.verdict()
    futures = (FutureRecord(0, ("PENDING", "RUNNING"), False), FutureRecord(1, ("PENDING",), True))
    unfinished = ThreadStatesResult("futures", (), futures).verdict()
    assert "had not ended" in unfinished
    assert "Every future ended" not in unfinished
    for result in (deck(False, True, True, False), mix, ThreadStatesResult("futures", (), futures)):
        data = json.loads(json.dumps(result.as_json()))
        assert ThreadStatesResult.from_json(data) == result
    old = {
        "observed": [False],
        "checks": [{"step": "created", "is_alive": False, "ident": None, "native_id": None}],
        "future_states": [],
    }  # saved before the scenario was named
    assert ThreadStatesResult.from_json(old).scenario == "deck"
    with pytest.raises((KeyError, TypeError, ValueError)):
        ThreadStatesResult.from_json({**old, "checks": [{"step": "created", "is_alive": "no"}]})
    with pytest.raises(ValueError, match="future states"):
        ThreadStatesResult.from_json(
            {**old, "future_states": [{"task": 0, "states": ["DONE"], "cancel_returned": None}]}
        )
