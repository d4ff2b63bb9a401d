"""The synchronization-overhead page of the Challenges tab: a lock per increment, or one merge."""

from __future__ import annotations

from typing import Any

from app.lesson import heading, paragraph
from app.lessons.challenge_bars import BarChart
from app.lessons.challenge_page import ChallengePage
from app.palette import BLUE
from app.result_box import ResultBox
from demos import sync_overhead

BAR_COLOUR = BLUE  # blue (Okabe-Ito)

EXPLANATION = (
    "The same number of increments, done three times in one run, one phase after the other "
    "(a <code>threading.Barrier</code> separates them, so they never overlap):"
    "<ol><li><b>baseline</b>: one thread, no lock;</li>"
    "<li><b>locked</b>: N threads, each increment inside <code>with lock:</code>;</li>"
    "<li><b>batched</b>: N threads count in a local variable and add their total to the shared "
    "counter once, under the same lock.</li></ol>"
    "Both locked phases end with the exact total. The locked one pays for an acquire and a "
    "release on every increment, and for threads queueing for the lock; the batched one takes "
    "the lock N times in all. Each phase is timed from barrier to barrier, so its time is that "
    "of its slowest thread."
)


class OverheadPage(ChallengePage):
    """The same increments, locked one by one or merged once."""

    name = "Synchronization overhead"
    scenario = "demos.sync_overhead"
    speaker_notes = (
        "<b>Synchronization overhead.</b> Both locked versions are correct; only the price "
        "differs. Point at the ratio: a lock per increment costs several times the work itself. "
        "The fix is not a cleverer lock but sharing less: accumulate locally, merge once."
    )

    def build(self) -> None:
        """Explanation, sliders, the rate chart and the figures."""
        layout = self.layout_
        layout.addWidget(heading("Synchronization overhead: the price of a lock"))
        layout.addWidget(paragraph(EXPLANATION))
        self.sliders = self.add_sliders(
            sync_overhead.SCENARIO, "challenges/overhead", ("threads", "operations")
        )
        layout.addWidget(heading("Operations per second (millions)"))
        self.chart = BarChart([BAR_COLOUR], "Mops/s")
        layout.addWidget(self.chart)
        phases = sync_overhead.PHASES
        self.result_box = ResultBox(
            [
                *((phase, f"{phase.capitalize()}:") for phase in phases),
                ("ratio", "Overhead ratio:"),
            ],
            big="ratio",
            verdict="Press Start (Space) to measure.",
        )
        figures = self.result_box.values
        self.rate_labels = {phase: figures[phase] for phase in phases}
        self.ratio_label, self.verdict_label = figures["ratio"], self.result_box.verdict
        layout.addWidget(self.result_box)

    def params(self) -> dict[str, Any]:
        """Slider values as the scenario's parameters."""
        return {key: slider.value() for key, slider in self.sliders.items()}

    def join_deadline_s(self) -> float:
        """Generous: the slowest measured cost of a locked increment, with margin."""
        return sync_overhead.deadline_s(**self.params())

    def clear_result(self, message: str) -> None:
        """Blank the figures."""
        self.chart.clear_bars()
        self.result_box.clear(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Ops/s of each phase, the ratio and the verdict of the run's result."""
        figures = report.get("result") or {}
        if not figures or "error" in figures:
            self.ratio_label.setText("-")
            self.verdict_label.setText(f"The run ended without figures ({figures or report}).")
            return
        outcome = sync_overhead.SyncOverheadResult.from_json(figures)
        rates = [outcome.ops_per_s(phase) for phase in sync_overhead.PHASES]
        for phase, rate in zip(sync_overhead.PHASES, rates, strict=True):
            seconds = outcome.seconds(phase)
            measured = rate and seconds is not None
            text = f"{rate:,} ops/s  ({seconds:.3f} s)" if measured else "not measured"
            self.rate_labels[phase].setText(text)
        self.chart.set_bars(list(sync_overhead.PHASES), [[(rate or 0) / 1e6 for rate in rates]])
        ratio = outcome.overhead_ratio
        self.ratio_label.setText(f"{ratio:.1f}x" if ratio and outcome.complete else "-")
        self.verdict_label.setText(outcome.verdict())
