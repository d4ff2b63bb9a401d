"""The Concurrency vs parallelism tab: one job split over N threads or N processes, side by side."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.lesson import LessonTab, heading, paragraph
from app.param_widgets import SettingChoice, SettingSlider, SettingSwitch
from app.result_box import ResultBox
from demos import parallelism as lesson
from demos.events import State
from demos.parallelism_result import ModelRun, ParallelismResult, summarize

EXPLANATION = (
    "<b>Concurrency</b>: several jobs are under way during the same stretch of time, taking "
    "turns on the CPU. <b>Parallelism</b>: several jobs execute at the same instant, each on its "
    "own core. Parallel work is always concurrent; concurrent work is not always parallel."
    "<br><br>Here one job of pure-Python arithmetic is cut into equal shares, one per worker. "
    "On a standard (GIL) build, as <b>threads</b> the shares interleave: the GIL lets only one "
    "thread run bytecode at a time, so the CPU plot shows about one core's worth and the "
    "speedup stays near 1x. On a free-threaded build (no GIL, PEP 703) the threads can run in "
    "parallel, and the verdict says which one this run measured. As <b>processes</b> each share "
    "gets its own interpreter (and, on a GIL build, its own GIL; since 3.12 subinterpreters can "
    "each have one too, PEP 684), so the shares run in parallel, one per core, up to the number "
    "of cores."
    "<br><br><b>One core</b> pins every worker to the same CPU: now even processes can only take "
    "turns. That is concurrency without parallelism."
    "<br><br>With <b>I/O</b> work the shares wait instead of compute. Waiting releases any GIL "
    "and needs no core, so threads finish sooner too: they still interleave, but their waits "
    "overlap."
    "<br><br>Workers meet at a start gate so the job begins for all at once; the time spent "
    "spawning processes before it is shown apart as start-up."
)
NO_ONE_CORE_NOTE = (
    "<i>One core is not available here: pinning a worker to a CPU needs "
    "<code>os.sched_setaffinity</code>, which this operating system does not provide.</i>"
)


def _same_settings(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two runs are comparable when only the model differs."""
    return all(a.get(k) == b.get(k) for k in ("workers", "total_ms", "work", "one_core"))


class ParallelismTab(LessonTab):
    """Lesson: threads interleave (concurrency), processes overlap on separate cores."""

    title = "Concurrency vs parallelism"
    scenario = "demos.parallelism"
    speaker_notes = (
        "<p>Write two words on the board: <i>concurrency</i> (taking turns, all in progress) and "
        "<i>parallelism</i> (at the same instant). Ask which one Python threads give you (on a "
        "GIL build: concurrency; on a free-threaded build: both).</p>"
        "<p><b>Compare both</b> with the defaults (2 workers, 1200 ms of CPU work). Threads, on "
        "a GIL build: the lanes alternate and the CPU plot stays at one core, about 1x. "
        "Processes: the lanes run side by side, every core busy, close to 2x on two cores.</p>"
        "<p>Point at the lanes: process lanes carry their pid, thread lanes their native id.</p>"
        "<p>Tick <b>One core</b> and compare again: the processes now take turns, about 1x. "
        "Same code, no parallel hardware: concurrency without parallelism.</p>"
        "<p>Switch the work to <b>I/O</b>: threads gain as much as processes, because waiting "
        "releases any GIL. That is why threads (or asyncio) suit I/O.</p>"
        "<p>If asked about start-up: spawning an interpreter costs about 0.1-0.3 s; the "
        "Multiprocessing lesson measures it.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, sliders, model and work kind, one core, and the comparison box."""
        s = self.settings
        self.figures: dict[str, tuple[ModelRun, dict[str, Any]]] = {}  # model -> run, settings
        self._compare_pending = False
        layout.addWidget(heading("Concurrency vs parallelism"))
        layout.addWidget(paragraph(EXPLANATION))
        param = lesson.SCENARIO.param
        self.workers = SettingSlider(param("workers"), s, "parallelism")
        self.total_ms = SettingSlider(param("total_ms"), s, "parallelism")
        for slider in (self.workers, self.total_ms):
            layout.addWidget(slider)

        model = param("model")
        layout.addWidget(QLabel(model.caption))
        self.model_choice = SettingChoice(
            model,
            s,
            "parallelism",
            {
                "threads": "Threa&ds (one interpreter)",
                "processes": "&Processes (one interpreter each)",
            },
            self,
        )
        buttons = self.model_choice.buttons
        self.model_threads, self.model_processes = buttons["threads"], buttons["processes"]
        for button in buttons.values():
            layout.addWidget(button)

        work = param("work")
        layout.addWidget(QLabel(work.caption))
        self.work_choice = SettingChoice(
            work,
            s,
            "parallelism",
            {"cpu": "CP&U: pure-Python arithmetic", "io": "&I/O: waiting (time.sleep)"},
            self,
        )
        buttons = self.work_choice.buttons
        self.work_cpu, self.work_io = buttons["cpu"], buttons["io"]
        for button in buttons.values():
            layout.addWidget(button)

        self.one_core = SettingSwitch(param("one_core"), s, "parallelism")
        self.one_core_note = paragraph(NO_ONE_CORE_NOTE)
        layout.addWidget(self.one_core)
        layout.addWidget(self.one_core_note)
        if lesson.one_core_supported():
            self.one_core_note.hide()
        else:  # never checked where the OS cannot pin a process to one core
            self.one_core.setChecked(False)
            self.one_core.hide()

        self.compare_button = QPushButton("&Compare both: threads, then processes")
        self.compare_button.setToolTip("Run the same job twice, once per model, one after another")
        self.compare_button.clicked.connect(self.compare_both)
        layout.addWidget(self.compare_button)

        self.result_box = ResultBox(
            [
                ("cores", "Cores:"),
                ("threads", "Threads:"),
                ("threads_detail", ""),
                ("processes", "Processes:"),
                ("processes_detail", ""),
            ],
            big=("threads", "processes"),
            verdict="Press Start (Space) to run the chosen model, or Compare both.",
            fixed={"cores": f"{lesson.usable_cores()} usable"},
        )
        figures = self.result_box.values
        self.cores_label = figures["cores"]
        self.threads_speedup, self.threads_detail = figures["threads"], figures["threads_detail"]
        self.processes_speedup = figures["processes"]
        self.processes_detail = figures["processes_detail"]
        self.verdict_label = self.result_box.verdict
        layout.addWidget(heading("Speedup: one after another / elapsed"))
        layout.addWidget(self.result_box)

    # -------------------------------------------------------------- settings
    def model(self) -> str:
        """ "threads" or "processes"."""
        return self.model_choice.value()

    def work(self) -> str:
        """ "cpu" or "io"."""
        return self.work_choice.value()

    def params(self) -> dict[str, Any]:
        """Slider values as the scenario's parameters."""
        return {
            "workers": self.workers.value(),
            "total_ms": self.total_ms.value(),
            "model": self.model(),
            "work": self.work(),
            "one_core": lesson.one_core_supported() and self.one_core.isChecked(),
        }

    def join_deadline_s(self) -> float:
        """The job one after another, three times over, plus time to spawn 16 interpreters."""
        return 3.0 * self.total_ms.value() / 1000.0 + 30.0

    # --------------------------------------------------------------- compare
    def compare_both(self) -> None:
        """Run threads now and processes when the threads have finished."""
        if self.lab.running:
            return
        self.model_threads.setChecked(True)
        self._compare_pending = self._start_run()

    def _start_run(self) -> bool:
        """Start this lesson's run through the run controller (it owns the lab's lifecycle)."""
        self.lab.start_next_run()
        return self.lab.running

    def _start_processes_half(self) -> None:
        # The comparison is one run in two halves: it goes on in whichever tab is on screen.
        self.model_processes.setChecked(True)
        self._start_run()

    # --------------------------------------------------------------- results
    @staticmethod
    def _rows(model: str) -> tuple[str, str]:
        """The model's rows in the result box: its speedup and the detail line under it."""
        return model, f"{model}_detail"

    def clear_result(self, message: str) -> None:
        """Blank the row of the model about to run; the other model's figures stay to compare."""
        model = self.model()
        self.figures.pop(model, None)
        self.result_box.clear(message, keys=self._rows(model))

    def prediction_figures(self) -> dict[str, Any]:
        """The speedup of the run just shown, for the "Guess first" question."""
        kept = self.figures.get(self.last_params.get("model", ""))
        return {"speedup": kept[0].speedup} if kept and kept[1] == self.last_params else {}

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """This model's speedup beside the other model's last one, and what they show."""
        params = self.last_params
        model = params["model"]
        compare_next = self._compare_pending and model == "threads"
        self._compare_pending = False
        outcomes = report.get("outcomes", {})
        ended = {state for state, _ in outcomes.values()}
        if report.get("failed") or ended - {int(State.DONE)}:
            failed = [msg for state, msg in outcomes.values() if state == int(State.FAILED)]
            why = report.get("failed") or (failed[0] if failed else "cancelled")
            self.result_box.clear(
                f"No figure: the run did not complete ({why}).", keys=self._rows(model)
            )
            return
        run = self._measure(elapsed_s, report)
        self.figures[model] = (run, dict(params))
        facts = report.get("result", {})
        if "usable_cores" in facts:
            pinned = facts.get("pinned_cpu", -1)
            on = f", workers pinned to CPU {pinned}" if pinned >= 0 else ""
            self.cores_label.setText(f"{facts['usable_cores']} usable of {facts['cores']}{on}")
        self._show_row(model)
        other = "processes" if model == "threads" else "threads"
        kept = self.figures.get(other)
        comparable = kept is not None and _same_settings(kept[1], params)
        if kept is not None:
            self._show_row(other, stale=not comparable)
        runs = {model: run, other: kept[0] if kept is not None and comparable else None}
        result = ParallelismResult(
            workers=params["workers"],
            work=params["work"],
            one_core=params["one_core"],
            cores=int(facts.get("cores", 0)) or lesson.usable_cores(),
            usable_cores=int(facts.get("usable_cores", 0)) or lesson.usable_cores(),
            threads=runs["threads"],
            processes=runs["processes"],
        )
        self.result = result
        self.verdict_label.setText(result.verdict())
        if compare_next:
            # After this slot returns, so the window has finished handling "run finished".
            QTimer.singleShot(0, self._start_processes_half)

    def _measure(self, elapsed_s: float, report: dict[str, Any]) -> ModelRun:
        """Gate open to last share done (paused time excluded), as the terminal twin measures."""
        result = report.get("result", {})
        opened, done = int(result.get("gate_opened_ns", 0)), int(result.get("last_done_ns", 0))
        t_start, t_end = int(report["t_start_ns"]), int(report["t_end_ns"])
        startup_s = 0.0
        if t_start < opened < done <= t_end:
            t_end = done  # process exit and its notice by the lab are not part of the job
            elapsed_s = (t_end - opened - self.lab.paused_ns_between(opened, t_end)) / 1e9
            startup_s = (opened - t_start - self.lab.paused_ns_between(t_start, opened)) / 1e9
        return summarize(elapsed_s, float(report.get("work_s", 0.0)), startup_s)

    def _show_row(self, model: str, stale: bool = False) -> None:
        f, settings = self.figures[model]
        big, detail = self._rows(model)
        self.result_box.set(big, f"{f.speedup:.2f}x  (ideal {settings['workers']}x)")
        text = (
            f"elapsed {f.elapsed_s:.2f} s, one after another {f.sequential_s:.2f} s, "
            f"start-up {f.startup_s:.2f} s (not counted)"
        )
        if stale:
            text += "<br><i>from a run with other settings</i>"
        self.result_box.set(detail, text)

    last_params: dict[str, Any] = lesson.DEFAULTS
    result: ParallelismResult | None = None  # the comparison on screen
