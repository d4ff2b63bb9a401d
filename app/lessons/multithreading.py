"""The Multithreading tab: N threads of S steps, each step sleeping (I/O) or computing (CPU)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QVBoxLayout,
)

from app.lesson import LessonTab, heading, paragraph
from app.lessons.multithreading_gil import gil_figures, handoffs_text, table_html
from app.param_widgets import SettingChoice, SettingSlider
from app.result_box import ResultBox
from demos import multithreading as lesson
from demos.events import State

EXPLANATION = (
    "Each thread runs the deck's loop: a few steps, each one either <b>sleeping</b> "
    "(standing in for I/O such as a download) or <b>computing</b> (pure-Python arithmetic). "
    "<br><br>A sleeping thread releases the GIL, so all threads can wait at once: the run "
    "takes about as long as one thread. On a standard CPython build a computing thread needs "
    "the GIL to run bytecode, so only one computes at a time and they hand the GIL over every "
    "<i>switch interval</i>: the run takes as long as doing all the work one after another. "
    "A free-threaded build running without the GIL lets them compute at once."
    "<br><br>Zoom into the timeline (about 100 ms) to see the turns: <i>ready</i> slices are "
    "the time a thread did not run (waiting for the GIL, or for a CPU without one), measured "
    "by the thread itself. The table below gives each thread's totals."
)


class MultithreadingTab(LessonTab):
    """Lesson: threads overlap while they wait and take turns while they compute."""

    title = "Multithreading"
    scenario = "demos.multithreading"
    speaker_notes = (
        "<p><b>Start with the defaults</b> (2 threads x 5 steps x 1 s of I/O), as on the deck's "
        "slide. Ask: one after another this is 10 s; how long will it take?</p>"
        "<p>Point at the timeline: both threads are <i>waiting</i> at the same time. Elapsed "
        "about 5 s, speedup about 2x.</p>"
        "<p><b>Switch to CPU</b>, 4 threads, 500 ms steps. Zoom the timeline to about 100 ms: "
        "the lanes take turns, <i>running</i> one at a time between <i>ready</i> slices. "
        "Point at the lower CPU plot: the total line sits on <i>one core</i>. Then move the "
        "switch interval from 5 to 50 ms and run again: the turns get longer, the hand-offs "
        "per second fewer. Read the verdict: it names the GIL only when the run measured "
        "turns.</p>"
        "<p>Tick <i>Thread-1 raises</i>: one lane ends FAILED, the others carry on; an "
        "exception ends only its own thread.</p>"
        "<p>Keys: Space start/pause, J join (watch MainThread block), C cancel, R reset.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, sliders, the step kind, and the results box."""
        s = self.settings
        layout.addWidget(heading("Multithreading in Python"))
        layout.addWidget(paragraph(EXPLANATION))
        param = lesson.SCENARIO.param
        self.threads = SettingSlider(param("threads"), s, "multithreading")
        self.steps = SettingSlider(param("steps"), s, "multithreading")
        self.step_ms = SettingSlider(param("step_ms"), s, "multithreading")
        self.switch_interval = SettingSlider(param("switch_interval_ms"), s, "multithreading")
        for slider in (self.threads, self.steps, self.step_ms, self.switch_interval):
            layout.addWidget(slider)

        layout.addWidget(QLabel("Each step is"))
        self.kind = SettingChoice(
            param("kind"),
            s,
            "multithreading",
            {
                "io": "&I/O: time.sleep() (releases the GIL)",
                "cpu": "&CPU: pure-Python arithmetic (needs the GIL)",
            },
            self,
        )
        self.kind_io, self.kind_cpu = self.kind.buttons["io"], self.kind.buttons["cpu"]
        for button in self.kind.buttons.values():
            layout.addWidget(button)

        self.fail_one = QCheckBox("Thread-1 raises an &exception half-way")
        self.fail_one.setToolTip("An exception ends only its own thread: the others carry on")
        layout.addWidget(self.fail_one)

        self.result_box = ResultBox(
            [
                ("elapsed", "Elapsed:"),
                ("sequential", "One after another:"),
                ("speedup", "Speedup:"),
                ("handoffs", "GIL hand-offs:"),
                ("per_thread", ""),
            ],
            big="speedup",
            verdict="Press Start (Space) to run the threads.",
        )
        figures = self.result_box.values
        self.elapsed_label, self.sequential_label = figures["elapsed"], figures["sequential"]
        self.speedup_label = figures["speedup"]
        self.handoffs_label, self.gil_table = figures["handoffs"], figures["per_thread"]
        self.verdict_label, self.failures_label = self.result_box.verdict, self.result_box.notes
        layout.addWidget(heading("Last run"))
        layout.addWidget(self.result_box)

    def step_kind(self) -> str:
        """ "io" or "cpu"."""
        return self.kind.value()

    def params(self) -> dict[str, Any]:
        """Slider values as the scenario's parameters."""
        return {
            "threads": self.threads.value(),
            "steps": self.steps.value(),
            "step_ms": self.step_ms.value(),
            "kind": self.step_kind(),
            "fail_worker": 1 if self.fail_one.isChecked() else 0,
            "switch_interval_ms": self.switch_interval.value(),
        }

    def join_deadline_s(self) -> float:
        """Generous: twice the work done one after another, plus slack; then the GUI escalates."""
        return 2.0 * lesson.nominal_s(self.params()) + 10.0

    def clear_result(self, message: str) -> None:
        """Blank the figures before a new run or after a reset."""
        self.result_box.clear(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Elapsed vs sequential, the speedup, and what it means."""
        params = self.last_params
        gil = None
        if params["kind"] == "cpu" and not report.get("failed"):
            if self.lab.owns_run:
                self.lab.poll_events()  # the last slices, written as the run ended
            gil = gil_figures(self.current_store(), elapsed_s, report.get("result") or {}, params)
            self.handoffs_label.setText(handoffs_text(gil))
            self.gil_table.setText(table_html(gil))
        result = lesson.summarize(params, elapsed_s, float(report.get("work_s", 0.0)), gil)
        threads = params["threads"]
        self.elapsed_label.setText(f"{result.elapsed_s:.2f} s")
        if report.get("failed"):  # a run cut short has no speedup to show: none is made up
            self.sequential_label.setText("-")
            self.speedup_label.setText("no figure")
        else:
            self.sequential_label.setText(f"{result.sequential_s:.2f} s")
            self.speedup_label.setText(f"{result.speedup:.2f}x  (ideal {threads}x)")
        outcomes = report.get("outcomes", {})
        failed = [msg for state, msg in outcomes.values() if state == int(State.FAILED)]
        cancelled = sum(state == int(State.CANCELLED) for state, _ in outcomes.values())
        if report.get("failed"):
            verdict = f"The run was cut short: {report['failed']}."
        elif cancelled:
            verdict = f"Cancelled: {cancelled} of {threads} threads stopped at a checkpoint."
        else:
            verdict = result.verdict()
        self.verdict_label.setText(verdict)
        self.failures_label.setText(
            "<br>".join(f"<b>FAILED</b>: {msg}" for msg in failed) if failed else ""
        )

    last_params: dict[str, Any] = lesson.DEFAULTS
