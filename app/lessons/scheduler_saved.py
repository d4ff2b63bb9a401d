"""Saved games of the "You are the scheduler" page: the figures a saved run keeps, and how a
replay shows them and draws its step axis."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel

from app.lessons.challenge_race import EXACT_COLOUR, LOST_COLOUR
from demos import scheduler, scheduler_game

if TYPE_CHECKING:
    from app.lessons.challenge_scheduler import SchedulerPage


def counter_html(value: int, expected: int, lost: int) -> str:
    """The shared counter in big type, red once an update was lost."""
    colour = LOST_COLOUR if lost > 0 else EXACT_COLOUR
    return (
        f'counter.value = <span style="font-size: xx-large; font-weight: bold; '
        f'color: {colour};">{value}</span> after {expected} completed increments'
    )


class SavedGames:
    """Mixed into the page: what Save run keeps of a game, and how a replay shows it."""

    game: scheduler_game.SchedulerGame | None
    counter_label: QLabel
    schedule_label: QLabel
    verdict_label: QLabel

    def saved_figures(self) -> dict[str, Any]:
        """The game's counter and schedule, for Save run ({} before any game)."""
        game = self.game
        if game is None:
            return {}
        return {
            "counter": game.counter.value,
            "expected": game.expected,
            "lost": game.lost_updates,
            "schedule": ", ".join(f"{r.step} {r.thread + 1}" for r in game.history),
        }

    def show_saved_figures(self, figures: dict[str, Any]) -> None:
        """A saved game's counter, schedule and verdict (its threads are long gone)."""
        lost = int(figures["lost"])
        counter, expected = int(figures["counter"]), int(figures["expected"])
        self.counter_label.setText(counter_html(counter, expected, lost))
        self.schedule_label.setText(f"Saved schedule: {html.escape(str(figures['schedule']))}")
        self.verdict_label.setText(
            f"A saved game: {lost} updates lost." if lost else "A saved game: no update lost."
        )


def refresh_replay(page: SchedulerPage, now_ns: int) -> None:
    """Draw a replayed game up to the replay clock, on the step axis."""
    t0 = page.store.t0_ns or 0
    page.timeline.set_window(max(8, (now_ns - t0) // scheduler.STEP_NS + 1))
    page.timeline.refresh(now_ns)
