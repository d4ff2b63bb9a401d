"""The scheduler game: gated real threads play a schedule exactly; a lost update is announced;
undo replays; stop ends every thread; the page played as a learner would."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from demos import scheduler

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent
# read1, read2, add1, add2, write1, write2 (0-based thread indices)
INTERLEAVED = [0, 1, 0, 1, 0, 1]
SERIAL = [0, 0, 0, 1, 1, 1]


def game_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("scheduler Thread-")]


def test_interleaved_schedule_loses_an_update() -> None:
    game = scheduler.play(2, 1, INTERLEAVED)
    try:
        assert [r.step for r in game.history] == ["read", "read", "add", "add", "write", "write"]
        assert game.finished
        assert (game.counter.value, game.expected, game.lost_updates) == (1, 2, 1)
        assert game.announcements() == ["Lost update! Thread-2 wrote 1 over Thread-1's 1"]
        assert game.history[-1].overwrote == (0, 1)
    finally:
        assert game.stop()


def test_serial_schedule_is_exact() -> None:
    game = scheduler.play(2, 1, SERIAL)
    try:
        assert (game.counter.value, game.expected, game.lost_updates) == (2, 2, 0)
        assert game.announcements() == []
    finally:
        game.stop()


def test_steps_run_on_the_games_own_threads() -> None:
    game = scheduler.SchedulerGame(2, 1)
    game.start()
    try:
        assert len(game_threads()) == 2
        assert all(t is not threading.current_thread() for t in game_threads())
        assert game.next_step_of(0) == "read"
        game.step(0)
        assert game.next_step_of(0) == "add"
        assert not game.can_step(5)
    finally:
        game.stop()


def test_undo_replays_to_the_same_state_minus_one_step() -> None:
    schedule = [0, 1, 0, 1, 0]
    full = scheduler.play(2, 1, schedule)
    shorter = scheduler.play(2, 1, full.schedule[:-1])
    reference = scheduler.play(2, 1, schedule[:-1])
    try:
        assert shorter.history == reference.history
        assert shorter.history == full.history[:-1]
        assert shorter.counter.value == 0  # the write that was undone never happened
        assert [shorter.local_of(i) for i in range(2)] == [1, 1]
    finally:
        for game in (full, shorter, reference):
            game.stop()


def test_stop_ends_every_thread_at_once() -> None:
    game = scheduler.SchedulerGame(4, 3)
    game.start()
    game.step(2)
    assert len(game_threads()) == 4
    assert game.stop(timeout_s=2.0)
    assert game.alive_threads() == 0
    assert not game_threads()
    assert not game.can_step(0)


def test_bytecode_listing_groups_the_increment_into_read_add_write() -> None:
    rows = scheduler.bytecode_listing()
    assert [step for step, _ in rows][0] == "read"
    assert {step for step, _ in rows} == {"read", "add", "write"}
    assert any(text.startswith("STORE_ATTR") for step, text in rows if step == "write")
    assert any("BINARY_OP" in text for step, text in rows if step == "add")


def test_twin_prints_the_trace_and_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.scheduler", "--schedule", "1,2,1,2,1,2", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Lost update! Thread-2 wrote 1 over Thread-1's 1" in proc.stdout
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (result["counter"], result["expected"], result["lost_updates"]) == (1, 2, 1)
    assert len(result["steps"]) == 6


def test_twin_refuses_a_step_of_a_finished_thread() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.scheduler", "--schedule", "1,1,1,1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Thread-1 has no step left" in proc.stderr


def test_page_played_to_a_lost_update_then_reset(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lessons.challenge_scheduler import SchedulerPage
    from app.lessons.challenges import ChallengesTab
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, ChallengesTab))
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    assert isinstance(tab, ChallengesTab)
    try:
        tab.challenge.setCurrentText(SchedulerPage.name)
        page = tab.page
        assert isinstance(page, SchedulerPage)
        assert tab.runs_locally
        page.threads.setValue(2)
        page.increments.setValue(1)
        win.start()
        assert tab.is_running_locally()
        assert win.start_action.isEnabled() is False
        for thread in INTERLEAVED:
            qtbot.waitUntil(lambda: not page.busy, timeout=5000)
            page.step_buttons[thread].click()
        qtbot.waitUntil(lambda: page.game is not None and page.game.finished, timeout=5000)
        assert "Lost update! Thread-2 wrote 1 over Thread-1's 1" in page.announcement_label.text()
        assert "lost update in 6 steps" in page.verdict_label.text()
        assert page.store.count > 0
        assert tab.current_store() is page.store  # exports and saved runs take the game

        page.undo_button.click()
        qtbot.waitUntil(lambda: not page.busy, timeout=5000)
        assert page.game is not None
        assert len(page.game.history) == 5
        assert page.game.next_step_of(1) == "write"
        assert page.announcement_label.text() == ""
        # New threads replayed it: Thread-1 has ended, Thread-2 waits at its gate to write.
        qtbot.waitUntil(lambda: len(game_threads()) == 1, timeout=5000)

        win.reset()
        qtbot.waitUntil(lambda: page.game is None, timeout=5000)
        assert not game_threads()
        assert not tab.is_running_locally()
    finally:
        tab.challenge.setCurrentIndex(0)  # other tests expect the race page remembered
        win.tabs.setCurrentIndex(0)
        win.close()
