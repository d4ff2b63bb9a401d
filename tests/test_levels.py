"""Scheduler levels: each winning schedule wins through the twin, the fixed levels are proven
unwinnable by the twin's exhaustive search, a wrong schedule loses, blocked and woken threads are
seen, and no level thread outlives its run (a deadlock included)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from demos import scheduler
from demos.levels.catalog import LEVELS, level
from demos.levels.play import advance_exact, new_run, play, search

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent
WINNABLE = [lv.id for lv in LEVELS if not lv.fixed]
# The fixed levels whose whole schedule tree is small enough to search in a test.
FIXED = ["counter-lock", "exception-with", "deadlock-ordered", "await-fixed"]


def twin(capsys: pytest.CaptureFixture[str], *words: str) -> dict[str, Any]:
    """Run the scheduler twin in this process; its JSON line."""
    assert scheduler.main([*words, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))


def level_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("level Thread-")]


def test_there_are_twelve_levels_and_three_fixed_ones() -> None:
    assert len(LEVELS) >= 12
    assert len({lv.id for lv in LEVELS}) == len(LEVELS)
    assert set(FIXED) <= {lv.id for lv in LEVELS if lv.fixed}
    for lv in LEVELS:
        assert lv.title
        assert lv.goal
        assert lv.hint
        assert lv.lesson
        assert lv.source
        compile(lv.source, lv.filename, "exec")


@pytest.mark.parametrize("level_id", WINNABLE)
def test_winning_schedule_wins_through_the_twin(
    capsys: pytest.CaptureFixture[str], level_id: str
) -> None:
    winning = ",".join(map(str, level(level_id).winning or ()))
    result = twin(capsys, "--level", level_id, "--schedule", winning)
    assert result["won"], result["steps"]
    assert result["schedule"] == [int(n) for n in winning.split(",")]
    assert not level_threads()


@pytest.mark.parametrize("level_id", FIXED)
def test_fixed_level_has_no_winning_schedule(
    capsys: pytest.CaptureFixture[str], level_id: str
) -> None:
    found = twin(capsys, "--search", "--level", level_id, "--block-ms", "30")["levels"][0]
    assert found["complete"]
    assert found["cut_by_bound"] == 0
    assert not found["winnable"]
    assert found["shortest"] is None
    assert found["searched"] >= 4


def test_search_finds_the_shortest_win_of_the_unfixed_counter() -> None:
    # The same search that proves the fixed version unwinnable does find this one's win.
    found = search(level("counter"), 40, 0.03)
    assert found["winnable"]
    assert found["shortest"] == [1, 2, 1, 2]
    assert found["searched"] == 6  # C(4, 2) orders of two reads and two writes
    cut = search(level("singleton"), 3, 0.03)  # too short a bound proves nothing
    assert not cut["winnable"]
    assert not cut["complete"]


def test_wrong_schedule_loses() -> None:
    result = play(level("counter"), [0, 0, 1, 1])
    assert not result["won"]
    assert result["state"] == {"counter": 2}
    result = play(level("deadlock"), [0] * 5 + [1] * 5)  # one transfer after the other
    assert not result["won"]
    assert result["state"]["moved"] == ["a->b", "b->a"]


def test_deadlock_is_seen_and_no_thread_is_left_behind() -> None:
    run = new_run(level("deadlock"))
    try:
        outcomes = [run.step(i).outcome for i in (0, 1, 0, 1)]
        assert outcomes == ["ran", "ran", "blocked", "blocked"]
        assert run.view().stuck
        assert run.steppable() == []
        assert len(level_threads()) == 2  # really stuck in the real locks
    finally:
        assert run.stop()
    assert run.alive_threads() == 0
    assert not level_threads()


def test_a_woken_thread_waits_for_the_lock_then_stops_before_taking_it_back() -> None:
    run = new_run(level("wakeup-if"))
    try:
        for i in (0, 0, 0, 2, 2):
            run.step(i)
        assert run.status(0) == "blocked"
        assert run.waking(0) is False
        assert run.step(2).woke == ()  # cond.notify(): woken, but the producer holds the lock
        assert run.status(0) == "blocked"
        assert run.step(2).woke == (0,)  # the producer leaves "with cond:"
        assert run.status(0) == "ready"
        assert run.waking(0)  # gated inside Condition.wait, before it takes the lock back
        assert run.line_of(0) == 8
    finally:
        assert run.stop()


def test_threads_waiting_for_the_same_lock_take_it_in_the_order_scheduled() -> None:
    # Both the second consumer and the producer wait for "with cond:" while the first consumer
    # holds it; neither races for it in the real lock: the schedule says who takes it.
    for _replay in range(3):
        run = new_run(level("wakeup-if"))
        try:
            outcomes = [run.step(i).outcome for i in (0, 1, 2, 0)]
            assert outcomes == ["ran", "blocked", "blocked", "ran"]
            record = run.step(0)  # cond.wait() releases the lock
            assert (record.outcome, record.woke) == ("blocked", (1, 2))
            assert run.step(2).outcome == "ran"  # the producer takes it ...
            assert run.status(1) == "blocked"  # ... so the consumer waits again
            assert run.line_of(2) == 13
        finally:
            assert run.stop()


def test_stopping_a_thread_about_to_leave_with_cond_frees_the_others() -> None:
    # The producer is stopped at its gate on the line that leaves "with cond:", before the
    # block's __exit__: it ends holding the condition's RLock. The consumer still asleep in
    # cond.wait() must be woken all the same (the lock, orphaned, is released for it).
    run = new_run(level("wakeup-if"))
    advance_exact(run, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert [run.status(i) for i in range(3)] == ["blocked", "blocked", "ready"]
    assert run.stop(timeout_s=2.0)
    assert not level_threads()


def test_a_schedule_that_steps_a_blocked_thread_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        scheduler.main(["--level", "deadlock", "--schedule", "1,2,1,1"])
    assert exit_info.value.code == 2
    assert "Thread-1 is blocked" in capsys.readouterr().err
    assert not level_threads()


def test_list_and_counter_game_through_a_real_twin_process() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "demos.scheduler", "--list", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    levels = json.loads(listed.stdout.strip().splitlines()[-1])["levels"]
    assert [lv["id"] for lv in levels] == [lv.id for lv in LEVELS]
    assert sum(lv["fixed"] for lv in levels) >= 3
    game = subprocess.run(  # the counter game's own command line still works
        [sys.executable, "-m", "demos.scheduler", "--schedule", "1,2,1,2,1,2", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(game.stdout.strip().splitlines()[-1])["lost_updates"] == 1


# ---------------------------------------------------------------- the page's levels panel
@pytest.fixture
def panel(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201 - pytest-qt's fixture
    from PySide6.QtCore import QSettings

    from app.lessons.levels_panel import LevelsPanel

    settings = QSettings(str(tmp_path / "levels.ini"), QSettings.Format.IniFormat)
    made = LevelsPanel(settings)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()
    assert made.stop()


def pick(panel: Any, level_id: str) -> None:
    panel.picker.setCurrentIndex(panel.picker.findData(level_id))
    assert panel.level.id == level_id


def test_a_level_is_won_with_keys_only_then_undone_and_restarted(panel: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    pick(panel, "deadlock")
    board = panel.board
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_2):
        QTest.keyClick(board, key)
    assert "Won in 4 steps" in panel.verdict_label.text()
    assert "blocked" in board.label.text()
    assert "deadlock" in panel.solved()
    assert panel.picker.currentText().startswith("\u2713")
    QTest.keyClick(board, Qt.Key.Key_U)  # undo: fresh threads replay three steps
    assert [r.thread for r in panel.run.history] == [0, 1, 0]
    assert "Won" not in panel.verdict_label.text()
    QTest.keyClick(board, Qt.Key.Key_R)
    assert panel.run.history == []
    assert len(level_threads()) == 2
    panel.hide()  # leaving the page ends the level's threads
    assert panel.run is None
    assert not level_threads()


def test_progress_is_remembered(panel: Any, qtbot) -> None:  # noqa: ANN001
    from app.lessons.levels_panel import LevelsPanel

    pick(panel, "stock")
    for thread in (0, 1, 0, 1):
        panel.step(thread)
    again = LevelsPanel(panel.settings)
    qtbot.addWidget(again)
    assert again.level.id == "stock"
    assert again.solved() == {"stock"}


def test_a_failed_try_shows_the_hint_and_a_fixed_level_says_no_win(panel: Any) -> None:
    pick(panel, "counter")
    for thread in (0, 0, 1, 1):
        panel.step(thread)
    assert "Hint: " + level("counter").hint in panel.verdict_label.text()
    pick(panel, "counter-lock")
    for thread in (0, 0, 0, 0, 1, 1, 1, 1):
        panel.step(thread)
    assert "No win." in panel.verdict_label.text()
    assert "--search --level counter-lock" in panel.verdict_label.text()


def test_auto_play_replays_the_winning_schedule(panel: Any, qtbot) -> None:  # noqa: ANN001
    pick(panel, "await-race")
    panel.speed.setValue(10)
    panel.play_winning()
    qtbot.waitUntil(lambda: "Won in 4 steps" in panel.verdict_label.text(), timeout=10_000)
    assert not panel._timer.isActive()


def test_the_wheel_over_the_picker_scrolls_instead_of_changing_the_level(panel: Any) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    pick(panel, "deadlock")
    panel.board.setFocus()
    centre = QPointF(panel.picker.rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(panel.picker.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(panel.picker, wheel)
    assert panel.level.id == "deadlock"
