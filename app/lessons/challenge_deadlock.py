"""The deadlock page of the Challenges tab: a live wait-for graph, detection, and two fixes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QLabel

from app.lesson import heading, paragraph
from app.lessons.challenge_page import ChallengePage
from app.palette import BLUISH_GREEN
from app.result_box import ResultBox
from app.wait_graph import CYCLE_COLOUR, HOLDS_COLOUR, WAITS_COLOUR, WaitGraphWidget
from demos import deadlock
from demos.deadlock_result import DeadlockResult
from demos.events import State
from demos.waitgraph import WaitGraph

OK_COLOUR = BLUISH_GREEN  # bluish green: no deadlock, or every thread ended

MODE_LABELS = {"two": "Two threads, two locks", "philosophers": "Dining philosophers"}
FIX_LABELS = {
    "none": "No fix",
    "ordering": "Lock ordering (lower number first)",
    "timeout": "acquire(timeout) and back off",
}

DEADLOCK_EXPLANATION = (
    "T1 takes lock A and then B; T2 takes B and then A. Each pauses between its two locks, as "
    "real code does some work in between. Soon each holds the lock the other needs, and both "
    "wait for ever. The dining philosophers do the same around a table: each picks up the left "
    "fork, then reaches for the right one, which the neighbour already holds."
    "<br><br>A deadlock needs four things at once (Coffman's conditions):"
    "<br>1. <b>mutual exclusion</b>: a lock has one owner at a time;"
    "<br>2. <b>hold and wait</b>: a thread keeps what it has while it waits for more;"
    "<br>3. <b>no preemption</b>: nobody can take a lock away from its owner;"
    "<br>4. <b>circular wait</b>: a ring of threads, each waiting for the next one's lock."
    "<br><br>Break any one and it cannot happen. <b>Lock ordering</b> makes everyone take the "
    "lower-numbered lock first, so no ring can close (condition 4). <b>A timeout</b> makes a "
    "thread give up, release what it holds and try again a little later, so it no longer holds "
    "while waiting for ever (conditions 2 and 3); a ring may form for a moment, but it breaks."
    "<br><br>The detector thread rebuilds the wait-for graph every 100 ms and looks for a ring. "
    "Every wait here is an <code>acquire(timeout=0.02)</code> in a loop that checks Cancel, so "
    "<b>Cancel</b> always ends a deadlocked run."
)

GRAPH_LEGEND = (
    f'circles: threads; squares: locks. <span style="color:{HOLDS_COLOUR}">solid: holds</span> '
    f'(lock → thread), <span style="color:{WAITS_COLOUR}">dashed: waits for</span> '
    f'(thread → lock), <span style="color:{CYCLE_COLOUR}"><b>thick: the cycle</b></span>.'
)


class DeadlockPage(ChallengePage):
    """Two threads taking two locks in opposite order, or N dining philosophers."""

    name = "Deadlock"
    scenario = "demos.deadlock"
    speaker_notes = (
        "<b>Deadlock.</b> Start with two threads and no fix: both lanes turn vermillion (blocked) "
        "and the graph closes into a ring; the detector marks it on the timeline within a tenth "
        "of a second. Nothing moves until you press Cancel, which always works here."
        "<br><br>Then the philosophers, then the fixes: ordering never lets the ring close; "
        "timeouts let it close and break it again, at the cost of retries."
        "<br><br>Ask which of the four conditions each fix removes."
    )

    def build(self) -> None:
        """Explanation, mode / philosophers / fix controls, the graph and the figures."""
        layout = self.layout_
        layout.addWidget(heading("Deadlock: waiting for each other for ever"))
        layout.addWidget(paragraph(DEADLOCK_EXPLANATION))
        scenario, group = deadlock.SCENARIO, "challenges/deadlock"
        self.mode = self.add_choice_box(scenario, group, "mode", MODE_LABELS)
        self.mode.setAccessibleName("Deadlock scenario")
        self.philosophers = self.add_sliders(scenario, group, ("philosophers",))["philosophers"]
        layout.addWidget(QLabel("Fix:"))
        self.fix = self.add_choice_box(scenario, group, "fix", FIX_LABELS)
        self.fix.setAccessibleName("Fix")
        self.mode.currentIndexChanged.connect(self._update_enabled)

        layout.addWidget(heading("Wait-for graph"))
        self.graph = WaitGraphWidget()
        layout.addWidget(self.graph)
        layout.addWidget(paragraph(GRAPH_LEGEND))

        self.result_box = ResultBox(
            [
                ("detected", "Deadlock detected:"),
                ("after", "Detected after:"),
                ("recovered", "Recovered:"),
                ("rounds", "Rounds done:"),
            ],
            verdict="Press Start (Space) to run the threads.",
        )
        figures = self.result_box.values
        self.detected_label, self.after_label = figures["detected"], figures["after"]
        self.recovered_label, self.rounds_label = figures["recovered"], figures["rounds"]
        self.verdict_label = self.result_box.verdict
        layout.addWidget(heading("Outcome"))
        layout.addWidget(self.result_box)
        self._forget_live()
        self._update_enabled()

    # -------------------------------------------------------------- controls
    def params(self) -> dict[str, Any]:
        """The controls as the deadlock scenario's parameters."""
        return {
            "mode": self.mode.currentData(),
            "philosophers": self.philosophers.value(),
            "fix": self.fix.currentData(),
        }

    def join_deadline_s(self) -> float:
        """A deadlocked run never ends by itself: Join gives up soon and says so."""
        return 5.0 if self.fix.currentData() == "none" else 30.0

    def _update_enabled(self, *_: object) -> None:
        self.philosophers.setEnabled(self.mode.currentData() == "philosophers")

    # ---------------------------------------------------------------- live
    def _forget_live(self) -> None:
        self._after_s: float | None = None
        self._live: WaitGraph | None = None

    def scan(self) -> None:
        """The detector's newest WAIT_GRAPH value and its DETECTED_AFTER_S value, if any."""
        store = self.tab.lab.store
        graph = store.latest(deadlock.WAIT_GRAPH)
        self._live = None if graph is None else WaitGraph.from_dict(graph)
        self._after_s = store.latest(deadlock.DETECTED_AFTER_S)

    def refresh(self) -> None:
        """Draw the newest graph the detector reported; say so the moment it finds a deadlock."""
        self.scan()
        running = self.tab.lab.running
        if self._live is not None and running:
            cycle = self._live.cycle()
            note = f"cycle: {self._live.path_text()}" if cycle else "no cycle"
            self.graph.set_graph(self._live, note)
        if running and self._after_s is not None and self.detected_label.text() != "yes":
            self._show_detected(self._after_s)
            self.verdict_label.setText(
                "Deadlock detected: every thread on the ring waits for a lock the next one "
                "holds, and none will ever let go. Press Cancel to break it."
            )

    def _show_detected(self, after_s: float | None) -> None:
        if after_s is None:
            self.detected_label.setText(f'<span style="color:{OK_COLOUR}">no</span>')
            self.after_label.setText("-")
            return
        self.detected_label.setText("yes")
        self.detected_label.setStyleSheet(f"color: {CYCLE_COLOUR}; font-weight: bold;")
        self.after_label.setText(f"{after_s:.2f} s after the cycle formed")

    # ------------------------------------------------------------- results
    def clear_result(self, message: str) -> None:
        """Blank the figures and the graph before a new run or after a reset."""
        self._forget_live()
        self.result_box.clear(message)
        self.detected_label.setStyleSheet("")
        self.graph.set_graph(None, "The wait-for graph appears here during a run.")

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """The detector's figures, the graph it last saw (the deadlock's, if any), a verdict."""
        figures = report.get("result") or {}
        if "graph" not in figures:
            self.verdict_label.setText(
                f"The run ended without figures ({figures.get('error') or report.get('failed')})."
            )
            return
        outcomes = report.get("outcomes", {})
        ended = all(State(state).is_terminal for state, _ in outcomes.values())
        cancelled = sum(state == int(State.CANCELLED) for state, _ in outcomes.values())
        measured = DeadlockResult.from_json(figures)
        result = replace(
            measured, recovered=measured.recovered and ended, elapsed_s=round(elapsed_s, 4)
        )
        self._show_detected(result.detected_after_s)
        colour = OK_COLOUR if result.recovered else CYCLE_COLOUR
        how = f"{cancelled} threads cancelled" if cancelled else "every thread finished"
        self.recovered_label.setText(
            f'<span style="color:{colour}">{"yes" if result.recovered else "NO"}</span> ({how})'
        )
        self.rounds_label.setText(f"{sum(result.rounds_done)} of {result.rounds_planned}")
        detected = result.deadlock_detected
        note = f"deadlock: {result.cycle}" if detected else "at the end: no cycle"
        self.graph.set_graph(result.graph, note)
        self.verdict_label.setText(result.verdict())
