"""The debugging-complexity page of the Challenges tab: one racy program, many different totals."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.lesson import heading, paragraph
from app.lessons.challenge_bars import BarChart
from app.lessons.challenge_page import ChallengePage
from app.palette import REDDISH_PURPLE
from app.result_box import ResultBox
from demos import nondeterminism

BAR_COLOUR = REDDISH_PURPLE  # reddish purple (Okabe-Ito)
MAX_BARS = 40  # totals are grouped into at most this many bins, so the chart stays readable

EXPLANATION = (
    "The racy counter of the race-condition page, made small (a few threads, a few hundred "
    "increments) and run <b>M times</b>. Every run is the same program with the same input, "
    "yet the totals differ: the result depends on where the OS switched threads."
    "<br><br>Here the window between read and write opens whenever the clock crosses a 50 "
    "&micro;s tick, so it falls wherever each thread happens to be: timing is the only thing "
    "that changes between runs (no random numbers are used)."
    "<br><br>Tick <b>print inside the loop</b> to add a debugging print (into an in-memory "
    "buffer). It costs time, so the windows fall elsewhere and the histogram changes: watching "
    "the program changes what it does, which is why such bugs are so hard to chase."
    "<br><br>The timeline shows an <i>orchestrator</i> lane and, below it, the threads of the "
    "run in progress (the same lanes for every run)."
)


def binned(results: dict[int, int], bins: int = MAX_BARS) -> tuple[list[str], list[int]]:
    """Group a value -> count histogram into at most ``bins`` equal ranges (labels, counts)."""
    if not results:
        return [], []
    low, high = min(results), max(results)
    width = max(1, -(-(high - low + 1) // bins))  # ceiling division
    counts = [0] * ((high - low) // width + 1)
    for value, count in results.items():
        counts[(value - low) // width] += count
    labels = [str(low + i * width) for i in range(len(counts))]
    step = max(1, len(labels) // 6)  # about six tick labels
    return [text if i % step == 0 else "" for i, text in enumerate(labels)], counts


class NondeterminismPage(ChallengePage):
    """M runs of a small racy program and the histogram of their totals."""

    name = "Debugging complexity"
    scenario = "demos.nondeterminism"
    speaker_notes = (
        "<b>Debugging complexity.</b> Same code, same input, many answers. Ask what a bug "
        "report would say. Then tick <i>print inside the loop</i>: the histogram moves. The "
        "print did not fix the race; it only moved it."
    )

    def build(self) -> None:
        """Explanation, sliders, the print switch, the histogram and the figures."""
        layout = self.layout_
        layout.addWidget(heading("Debugging complexity: same program, different results"))
        layout.addWidget(paragraph(EXPLANATION))
        scenario, group = nondeterminism.SCENARIO, "challenges/nondet"
        self.sliders = self.add_sliders(scenario, group, ("runs", "threads", "increments"))
        self.print_inside = self.add_switch(scenario, group, "print")
        layout.addWidget(heading("Final totals over all runs"))
        self.chart = BarChart([BAR_COLOUR], "runs")
        layout.addWidget(self.chart)
        self.result_box = ResultBox(
            [("runs", "Runs:"), ("distinct", "Distinct results:")],
            big="distinct",
            verdict="Press Start (Space) to run the program M times.",
        )
        self.runs_label, self.distinct_label = self.result_box.values.values()
        self.verdict_label = self.result_box.verdict
        layout.addWidget(self.result_box)
        self._seen_version = -1

    def params(self) -> dict[str, Any]:
        """Slider values and the switch as the scenario's parameters."""
        values = {key: slider.value() for key, slider in self.sliders.items()}
        return {**values, "print": self.print_inside.isChecked()}

    def join_deadline_s(self) -> float:
        """A generous bound on M runs."""
        return nondeterminism.deadline_s(self.sliders["runs"].value())

    def _draw(self, results: dict[int, int], runs: int, planned: int) -> None:
        labels, counts = binned(results)
        self.chart.set_bars(labels, [counts])
        self.runs_label.setText(f"{runs:,} of {planned:,}")
        self.distinct_label.setText(f"{len(results):,}")

    def refresh(self) -> None:
        """Live histogram from the orchestrator's PROGRESS value after each run."""
        if not self.tab.lab.running:
            return
        store = self.tab.lab.store
        if store.version == self._seen_version:
            return
        self._seen_version = store.version
        progress = [value for _t, _lane, value in store.values(nondeterminism.PROGRESS)]
        live = Counter(p["total"] for p in progress)
        planned = progress[-1]["runs"] if progress else self.sliders["runs"].value()
        self._draw(dict(live), len(progress), planned)

    def clear_result(self, message: str) -> None:
        """Blank the figures."""
        self.chart.clear_bars()
        self._seen_version = -1
        self.result_box.clear(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """The full histogram, distinct totals and the verdict of the run's result."""
        figures = report.get("result") or {}
        if not figures or "error" in figures:
            self.verdict_label.setText(f"The run ended without figures ({figures or report}).")
            return
        outcome = nondeterminism.NondeterminismResult.from_json(figures)
        self._draw(dict(outcome.totals), outcome.runs, outcome.planned_runs)
        self.verdict_label.setText(outcome.verdict())
