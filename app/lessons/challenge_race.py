"""The race-condition page of the Challenges tab: lost updates, and the Lock that stops them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt

from app.lesson import heading, paragraph
from app.lessons.challenge_page import ChallengePage
from app.palette import BLUISH_GREEN, VERMILLION
from app.result_box import ResultBox
from demos import race
from demos.events import State

LOST_COLOUR = VERMILLION  # vermillion (Okabe-Ito): updates were lost
EXACT_COLOUR = BLUISH_GREEN  # bluish green: the count is exact
GROUP = "challenges/race"  # where the page's settings are remembered

RACE_EXPLANATION = (
    "Every thread adds 1 to one shared counter, many times, in three steps: it <b>loads</b> "
    "the counter, <b>adds</b> one to the value it loaded, and <b>stores</b> the sum back. "
    "Every tenth time it pauses between the load and the store with "
    "<code>time.sleep(0)</code>, which lets the other threads run there, as an I/O call or a "
    "badly timed thread switch would."
    "<br><br>A thread that pauses holding a value it read writes that old value plus one when it "
    "resumes, and so erases every increment the other threads made in the meantime. Those are "
    "the <b>lost updates</b>: one stale write can wipe out hundreds."
    "<br><br>Why the pause? On a standard (GIL) build, CPython 3.10 and later switches threads "
    "only at calls and backward jumps, never between the load and the store of "
    "<code>counter += 1</code>, so a plain <code>+=</code> almost never loses an update in "
    "practice. It is still not atomic, and the pause makes the window real. On a free-threaded "
    "build the threads run at the same time and a plain <code>+=</code> can lose updates too."
    "<br><br>Tick <b>with Lock</b> and the same three steps run under a "
    "<code>threading.Lock</code>: no thread can read until the previous one has written, so the "
    "total is exact. The threads queue for the lock, so the run also takes longer."
)


class RacePage(ChallengePage):
    """N threads add to one counter with an unprotected read-modify-write."""

    name = "Race condition"
    scenario = "demos.race"
    speaker_notes = (
        "<b>Race condition.</b> Run it without the Lock first: point at <i>expected</i> against "
        "<i>actual</i>. Ask why one stale write can erase hundreds of increments. Then tick "
        "<i>with Lock</i>: exact, but slower, because the threads queue for the lock."
        "<br><br>If asked why <code>+=</code> alone does not show it: on a GIL build, CPython "
        "3.10+ only switches threads at calls and backward jumps, so the demo pauses between "
        "load and store on purpose. (Free-threaded, a plain <code>+=</code> can lose updates too.)"
    )

    def build(self) -> None:
        """Explanation, sliders, the Lock switch and the counter box."""
        layout = self.layout_
        layout.addWidget(heading("Race condition: lost updates"))
        layout.addWidget(paragraph(RACE_EXPLANATION))
        sliders = self.add_sliders(race.SCENARIO, GROUP, ("threads", "increments"))
        self.threads, self.increments = sliders["threads"], sliders["increments"]
        self.use_lock = self.add_switch(race.SCENARIO, GROUP, "lock")

        self.result_box = ResultBox(
            [("expected", "Expected:"), ("actual", "Actual:"), ("lost", "Lost updates:")],
            big="lost",
            verdict="Press Start (Space) to run the threads.",
        )
        self.expected_label, self.actual_label, self.lost_label = self.result_box.values.values()
        self.lost_label.setTextFormat(Qt.TextFormat.RichText)
        self.verdict_label = self.result_box.verdict
        layout.addWidget(heading("Counter"))
        layout.addWidget(self.result_box)

    def params(self) -> dict[str, Any]:
        """Slider values as the race scenario's parameters."""
        return {
            "threads": self.threads.value(),
            "increments": self.increments.value(),
            "lock": self.use_lock.isChecked(),
        }

    def join_deadline_s(self) -> float:
        """Generous: the slowest measured cost of a locked increment, twice, plus slack."""
        params = self.params()
        return race.deadline_s(params["threads"], params["increments"])

    # -------------------------------------------------------------- figures
    def _show_lost(self, lost: int, suffix: str = "") -> None:
        colour = LOST_COLOUR if lost > 0 else EXACT_COLOUR
        # Relative size in rich text: it grows with the presenter's scaled font.
        self.lost_label.setText(
            f'<span style="font-size: xx-large; font-weight: bold; color: {colour};">'
            f"{lost:,}</span>{suffix}"
        )

    def _show_counts(self, expected: int, actual: int, planned: int | None = None) -> None:
        total = f" of {planned:,}" if planned is not None and planned != expected else ""
        self.expected_label.setText(f"{expected:,}{total}")
        self.actual_label.setText(f"{actual:,}")
        share = (expected - actual) / expected if expected else 0.0
        self._show_lost(expected - actual, f"  ({share:.0%})" if expected else "")

    def refresh(self) -> None:
        """Show the counter as the threads last reported it (their COUNTER values)."""
        if self.tab.lab.running:
            live = self.tab.lab.store.latest(race.COUNTER)
            if live is not None:
                self._show_counts(live["expected"], live["actual"])

    def clear_result(self, message: str) -> None:
        """Blank the figures before a new run or after a reset."""
        self.counts: dict[str, int] = {}
        self.result_box.clear(message)

    def prediction_figures(self) -> dict[str, int]:
        """The run's expected count and lost updates, for the "Guess first" question."""
        return dict(getattr(self, "counts", {}))

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Expected, actual, lost updates and the verdict of the run's :class:`RaceResult` (the
        lab's figures; for a run saved before them, the last thread's FINAL_COUNT value)."""
        outcome = self._outcome(report)
        if outcome is None:
            self.verdict_label.setText(
                f"The run ended without a final count ({report.get('failed') or 'no report'})."
            )
            return
        if outcome.elapsed_s is None:
            outcome = replace(outcome, elapsed_s=round(elapsed_s, 4))
        self._show_counts(outcome.expected, outcome.actual, outcome.planned)
        self.counts = {"expected": outcome.expected, "lost": outcome.expected - outcome.actual}
        outcomes = report.get("outcomes", {})
        cancelled = sum(state == int(State.CANCELLED) for state, _ in outcomes.values())
        failed = [msg for state, msg in outcomes.values() if state == int(State.FAILED)]
        if report.get("failed") or failed:
            verdict = f"The run was cut short: {report.get('failed') or failed[0]}."
        else:
            verdict = outcome.verdict()
            if cancelled:
                verdict = f"Cancelled ({cancelled} threads stopped early). " + verdict
        self.verdict_label.setText(verdict)

    def _outcome(self, report: dict[str, Any]) -> race.RaceResult | None:
        """The run's result from the lab's figures, else from FINAL_COUNT and the settings."""
        figures = report.get("result") or {}
        if figures and "error" not in figures:
            return race.RaceResult.from_json(figures)
        final = self.tab.lab.store.latest(race.FINAL_COUNT)
        if final is None:
            return None
        params = {**race.DEFAULTS, **self.tab.last_params}
        threads, increments = params["threads"], params["increments"]
        return race.RaceResult.from_json(
            {
                "threads": threads,
                "increments": increments,
                "lock": params["lock"],
                "planned": threads * increments,
                **final,
            }
        )
