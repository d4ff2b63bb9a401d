"""Predict, then run: questions derived from the settings, answered by the measurement; in
presenter mode the question fills the stage first and the next key starts the run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.main_window import MainWindow
from demos import predictions
from demos.predictions import question_for

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]
DECK_TASKS = {"threads": 2, "steps": 5, "step_ms": 1000, "kind": "io"}


def test_the_decks_two_sleeping_tasks_are_asked_in_real_durations() -> None:
    question = question_for("multithreading", DECK_TASKS)
    assert question is not None
    assert question.choices[0].startswith("about 5 s")
    assert question.choices[1].startswith("about 10 s")
    # The deck's answer: the two tasks wait together.
    assert question.answer({"elapsed_s": 5.02}) == predictions.Answer(0, "5.02 s")
    assert question.answer({"elapsed_s": 10.1}).choice == 1
    assert question.answer({"elapsed_s": 16.0}).choice == 2
    # Judged against the work the run measured where it has it: 1.1 s for 1.1 s of work done
    # by two threads is one after another, however far the calibration drifted.
    cpu = question_for("multithreading", {**DECK_TASKS, "kind": "cpu"})
    assert cpu is not None
    answer = cpu.answer({"elapsed_s": 1.12, "work_s": 1.10})
    assert answer == predictions.Answer(1, "1.12 s for 1.10 s of work")


def test_a_thousand_coroutines_are_judged_as_ratios_not_differences() -> None:
    params = {"tasks": 1000, "steps": 3, "io_ms": 200, "mode": "gather", "blocking": False}
    question = question_for("coroutines", params)
    assert question is not None
    assert "1,000 coroutines" in question.text
    assert question.answer({"elapsed_s": 0.9}).choice == 0  # 1.5x of 0.6 s, far from 600 s
    assert question.answer({"elapsed_s": 300.0}).choice == 1
    assert question_for("coroutines", {**params, "blocking": True}) is None
    assert question_for("coroutines", {**params, "scenario": "taskgroup"}) is None


def test_processes_vs_threads_speedups_pick_their_choice() -> None:
    params = {"workers": 4, "total_ms": 2000, "model": "processes", "work": "cpu"}
    question = predictions.parallelism(params, cores=2)
    assert question is not None
    assert question.choices[2] == "about 2x faster: one core each"
    assert question.answer({"speedup": 1.9}).choice == 2
    assert question.answer({"speedup": 1.05}).choice == 1
    assert question.answer({"speedup": 0.5}).choice == 0
    one_core = predictions.parallelism({**params, "one_core": True}, cores=2)
    assert one_core is not None
    assert one_core.answer({"speedup": 1.0}).choice == 1


def test_nothing_to_guess_and_broken_runs_answer_nothing() -> None:
    assert question_for("multithreading", {**DECK_TASKS, "threads": 1}) is None
    assert question_for("thread_states", {}) is None
    assert question_for("multithreading", {"threads": "lots"}) is None
    question = question_for("multithreading", DECK_TASKS)
    assert question is not None
    assert question.answer({"elapsed_s": 5.0, "cancelled": 1}) is None
    assert question.answer({"elapsed_s": 5.0, "failed": "worker died"}) is None
    assert question.answer({"elapsed_s": float("nan")}) is None
    assert question.key != question_for("multithreading", {**DECK_TASKS, "threads": 3}).key


def open_tab(win: MainWindow, title: str):  # noqa: ANN201
    win.tabs.setCurrentIndex([lesson.title for lesson in win.lessons].index(title))
    return win.current_lesson()


def test_a_guess_meets_the_measurement_in_the_side_panel(lab_window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(lab_window, "Multithreading")
    tab.threads.setValue(2)
    tab.steps.setValue(2)
    tab.step_ms.setValue(100)
    tab.kind_io.setChecked(True)
    box = tab.prediction
    qtbot.waitUntil(lambda: box.question is not None and "2 steps of 100 ms" in box.text.text())
    assert box.isVisible()
    box.choose(1)  # "one after another": the classic wrong guess
    lab_window.start_or_toggle()  # not presenting: Start starts at once
    qtbot.waitUntil(lambda: lab_window.lab.running, timeout=5000)
    qtbot.waitUntil(lambda: "Measured" in box.outcome.text(), timeout=20_000)
    assert "they overlap" in box.outcome.text()
    assert "You guessed “about 0.4 s: one after another”" in box.outcome.text()
    tab.threads.setValue(1)  # nothing to guess with one thread: the box goes
    qtbot.waitUntil(lambda: not box.isVisible())


def test_presenter_asks_the_room_then_the_next_key_runs(lab_window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(lab_window, "Multithreading")
    tab.threads.setValue(3)
    tab.steps.setValue(2)
    tab.step_ms.setValue(100)
    tab.kind_io.setChecked(True)
    lab_window.presenter.enter()
    try:
        room = lab_window.ask_room
        qtbot.keyClick(lab_window, Qt.Key.Key_Space)
        assert room.isVisible()
        assert not lab_window.lab.running, "the question comes before the run"
        assert "3 threads" in room.question.text()
        assert room.geometry() == lab_window.tabs.rect()
        qtbot.keyClick(lab_window, Qt.Key.Key_PageDown)  # the clicker's "next"
        assert not room.isVisible()
        assert lab_window.current_lesson() is tab, "next ran the lesson, it did not page on"
        qtbot.waitUntil(lambda: lab_window.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: "Measured" in tab.prediction.outcome.text(), timeout=20_000)
        assert "Measured" in lab_window.presenter.title.text(), "the room sees the answer"
        # Asked once per settings: the next Space just runs.
        qtbot.waitUntil(lambda: not lab_window.lab.running and lab_window.start_action.isEnabled())
        qtbot.keyClick(lab_window, Qt.Key.Key_Space)
        assert not room.isVisible()
        qtbot.waitUntil(lambda: lab_window.lab.running, timeout=5000)
        assert "Measured" not in lab_window.presenter.title.text()
        qtbot.waitUntil(lambda: not lab_window.lab.running, timeout=20_000)
    finally:
        lab_window.presenter.leave()


def test_coroutines_answer_from_their_own_loop(plain_window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(plain_window, "Coroutines")
    tab.tasks.setValue(50)
    tab.io_ms.setValue(50)
    tab.steps.setValue(2)
    tab.limit.setValue(0)
    tab.cpu_ms.setValue(0)
    tab.mode_gather.setChecked(True)
    tab.blocking.setChecked(False)
    box = tab.prediction
    qtbot.waitUntil(lambda: box.question is not None and "50 coroutines" in box.text.text())
    box.choose(0)
    plain_window.start_action.trigger()
    qtbot.waitUntil(lambda: "Measured" in box.outcome.text(), timeout=10_000)
    assert "Your guess was right." in box.outcome.text()


def test_the_race_is_judged_by_the_share_of_updates_lost() -> None:
    question = question_for("challenges", {"threads": 4, "increments": 10_000, "lock": False})
    assert question is not None
    assert "40,000 updates" in question.text
    assert question.answer({"expected": 40_000, "lost": 0}) == predictions.Answer(
        0, "0 lost of 40,000"
    )
    assert question.answer({"expected": 40_000, "lost": 100}).choice == 1
    assert question.answer({"expected": 40_000, "lost": 9_000}).choice == 2
    assert question.answer({}) is None
    # The other Challenges pages have other settings: no question there.
    assert question_for("challenges", {"philosophers": 5, "mode": "x", "fix": "none"}) is None
    assert question_for("challenges", {"threads": 2, "increments": 3}) is None


def test_a_race_with_a_lock_answers_none_lost(lab_window, qtbot) -> None:  # noqa: ANN001
    tab = open_tab(lab_window, "Challenges")
    tab.show_page("Race condition")
    page = tab.page
    page.threads.setValue(2)
    page.increments.setValue(2000)
    page.use_lock.setChecked(True)
    box = tab.prediction
    qtbot.waitUntil(lambda: box.question is not None and "holding a Lock" in box.text.text())
    box.choose(2)  # "many": a lock that does not help
    lab_window.start_or_toggle()
    qtbot.waitUntil(lambda: "Measured" in box.outcome.text(), timeout=20_000)
    assert "0 lost of 4,000" in box.outcome.text()
    assert "“none: the count comes out exact”" in box.outcome.text()
    tab.show_page("Deadlock")  # a page with nothing to guess
    qtbot.waitUntil(lambda: not box.isVisible())
    tab.show_page("Race condition")  # the lesson's first page again, for the next test


def test_the_question_follows_a_setting_at_once(plain_window, qtbot) -> None:  # noqa: ANN001
    # Before: each change restarted the refresh timer with the new value as its interval
    # (valueChanged(int) -> QTimer.start(msec)), so 10,000 tasks asked again 10 s later.
    win = plain_window
    win.tabs.setCurrentIndex(win.lessons.titles.index("Coroutines"))
    lesson = win.current_lesson()
    lesson.tasks.setValue(10_000)
    qtbot.waitUntil(lambda: "10000x" in lesson.prediction.question.key, timeout=1500)
    lesson.mode.set_value("sequential")
    qtbot.waitUntil(lambda: ":sequential:" in lesson.prediction.question.key, timeout=1500)
