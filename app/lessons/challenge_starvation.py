"""The starvation page of the Challenges tab: greedy and polite workers, and a FIFO lock."""

from __future__ import annotations

from typing import Any

from app.lesson import heading, paragraph
from app.lessons.challenge_bars import BarChart
from app.lessons.challenge_page import ChallengePage
from app.palette import BLUE, VERMILLION
from app.result_box import ResultBox
from demos import starvation
from demos import starvation_result as starvation_figures

GREEDY_COLOUR = VERMILLION  # vermillion (Okabe-Ito)
POLITE_COLOUR = BLUE  # blue

EXPLANATION = (
    "All workers want one lock. A <b>greedy</b> worker holds it for a couple of milliseconds, "
    "releases it and asks again at once. A <b>polite</b> worker pauses briefly between tries."
    "<br><br><code>threading.Lock</code> promises no order. On release one waiter is woken, but "
    "the releasing thread is still running and asks again first, so it usually wins the lock "
    "back before the woken waiter is even scheduled. Nobody is stuck for good, yet some "
    "workers get far less: that is <b>starvation</b>."
    "<br><br>Tick <b>fair lock</b> for a FIFO lock written here: waiters queue, and release hands "
    "the lock straight to the longest waiter, so nobody can barge in. Fairness is measured with "
    "<b>Jain's index</b> J = (&Sigma;x)&sup2; / (n &middot; &Sigma;x&sup2;) over acquisitions: 1 "
    "when all got the same, 1/n when one got everything."
)


class StarvationPage(ChallengePage):
    """Greedy and polite workers contend for one lock for a fixed time."""

    name = "Starvation"
    scenario = "demos.starvation"
    speaker_notes = (
        "<b>Starvation.</b> Run with the plain Lock: the greedy workers take most turns and the "
        "polite ones wait longest (look at the histogram). Then tick <i>fair lock</i>: shares "
        "even out and Jain's index goes to about 1, at the price of a hand-over on every release."
    )

    def build(self) -> None:
        """Explanation, sliders, the fair-lock switch, the two charts and the figures."""
        layout = self.layout_
        layout.addWidget(heading("Starvation: some never get a turn"))
        layout.addWidget(paragraph(EXPLANATION))
        scenario, group = starvation.SCENARIO, "challenges/starvation"
        self.sliders = self.add_sliders(scenario, group, ("greedy", "polite", "duration_s"))
        self.fair = self.add_switch(scenario, group, "fair")

        layout.addWidget(heading("Acquisitions per worker"))
        self.acquisitions_chart = BarChart([GREEDY_COLOUR, POLITE_COLOUR], "turns")
        layout.addWidget(self.acquisitions_chart)
        layout.addWidget(heading("Wait for the lock (greedy red, polite blue)"))
        self.wait_chart = BarChart([GREEDY_COLOUR, POLITE_COLOUR], "waits")
        layout.addWidget(self.wait_chart)
        self.result_box = ResultBox(
            [("unfair", "Jain's index, threading.Lock:"), ("fair", "Jain's index, fair lock:")],
            verdict="Press Start (Space) to let the workers contend.",
        )
        self.unfair_label, self.fair_label = self.result_box.values.values()
        self.verdict_label = self.result_box.verdict
        layout.addWidget(self.result_box)

    def params(self) -> dict[str, Any]:
        """Slider values and the switch as the scenario's parameters."""
        values = {key: slider.value() for key, slider in self.sliders.items()}
        return {**values, "fair": self.fair.isChecked()}

    def join_deadline_s(self) -> float:
        """The fixed duration plus slack."""
        return starvation.deadline_s(self.sliders["duration_s"].value())

    def _draw_acquisitions(self, names: list[str], counts: list[int]) -> None:
        greedy = [c if n.startswith("greedy") else 0 for n, c in zip(names, counts, strict=True)]
        polite = [c if n.startswith("polite") else 0 for n, c in zip(names, counts, strict=True)]
        short = [n.replace("greedy-", "G").replace("polite-", "P") for n in names]
        self.acquisitions_chart.set_bars(short, [greedy, polite])

    def refresh(self) -> None:
        """Live acquisitions: each worker's latest ACQUISITIONS value."""
        if not self.tab.lab.running:
            return
        store = self.tab.lab.store
        latest = {lane: n for _t, lane, n in store.values(starvation.ACQUISITIONS)}
        lanes = [lane for lane in store.lanes if lane.name[:6] in ("greedy", "polite")]
        if lanes:
            names = [lane.name for lane in lanes]
            self._draw_acquisitions(names, [latest.get(lane.lane_id, 0) for lane in lanes])

    def clear_result(self, message: str) -> None:
        """Blank the charts (the two indexes stay: they compare runs)."""
        self.acquisitions_chart.clear_bars()
        self.wait_chart.clear_bars()
        self.verdict_label.setText(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Acquisitions, wait histogram, Jain's index (kept per lock kind) and the verdict of
        the run's result."""
        figures = report.get("result") or {}
        if not figures or "error" in figures:
            self.verdict_label.setText(f"The run ended without figures ({figures or report}).")
            return
        outcome = starvation_figures.StarvationResult.from_json(figures)
        workers = outcome.workers
        self._draw_acquisitions([w.name for w in workers], [w.acquisitions for w in workers])
        self.wait_chart.set_bars(
            starvation_figures.WAIT_BIN_LABELS, [outcome.greedy_waits, outcome.polite_waits]
        )
        index_label = self.fair_label if outcome.fair else self.unfair_label
        index_label.setText(f"{outcome.jain_index:.3f}")
        self.verdict_label.setText(outcome.verdict())
