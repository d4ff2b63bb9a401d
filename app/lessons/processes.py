"""The Multiprocessing tab: a live speedup sweep over 1..N processes, start-up cost, and IPC cost.

One press of Start runs a sequence of ordinary lab runs: one per worker count (1, 2, ... max),
then the IPC pair. Each is a real run with its own process lanes on the timeline and its own CPU
curves; the tab starts the next when one finishes, the way the parallelism tab's "Compare both"
does, and plots each point as it arrives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout

from app.lesson import LessonTab, heading, paragraph, scenario_defaults
from app.lessons.processes_start_methods import StartMethodsView
from app.palette import BLUE, BLUISH_GREEN, VERMILLION
from app.param_widgets import SettingSlider
from app.plot_wheel import pass_wheel_to_panel
from app.result_box import ResultBox
from app.theme import style_plot
from demos import processes as lesson
from demos import start_methods
from demos.events import State
from demos.parallelism import usable_cores
from demos.processes_result import (
    ProcessesResult,
    SweepPoint,
    expected_speedup,
    summarize,
)

PLOT_HEIGHT_PX = 240
EXPLANATION = (
    "A process has its own interpreter and its own memory, and so its own GIL on a standard "
    "build (a GIL belongs to an interpreter: since Python 3.12, PEP 684, subinterpreters in one "
    "process can each have one too; free-threaded builds, PEP 703 and 779, have none). So "
    "CPU-bound Python code in N processes can keep N cores busy at once on any build. That is "
    "the gain. The price comes in two parts: <b>starting</b> a process (under "
    "<code>spawn</code> a fresh interpreter imports Python and your module) and <b>moving "
    "data</b> between processes, since they share no objects: everything sent is pickled and "
    "copied through the operating system."
    "<br><br><b>Start</b> runs the same job with 1, 2, ... up to <i>max workers</i> processes, "
    "one run after another, and plots the speedup of each (time with one process / time with "
    "N). Past the core count (the dashed line) extra processes can only take turns."
    "<br><br><b>Serial fraction</b>: that share of the job runs first in one process while the "
    "others wait. Amdahl's law says the speedup can never exceed 1 / serial fraction, however "
    "many cores you add."
    "<br><br>Last, a <b>Sender</b> process sends a payload to an <b>Echo</b> process and back "
    "over a <code>Pipe</code>, then passes the same bytes through "
    "<code>multiprocessing.shared_memory</code>, where only a short signal crosses the pipe and "
    "the echo changes the bytes where they lie."
)


SWEEP = "demos.processes"


def is_start_methods(params: dict[str, Any]) -> bool:
    """True for the parameters of a Start methods run (not a step of the sweep)."""
    return "repeats" in params


def size_text(kb: float) -> str:
    """1024 KB -> "1 MB"."""
    return f"{kb / 1024:g} MB" if kb >= 1024 else f"{kb:g} KB"


class ProcessesTab(LessonTab):
    """Lesson: processes scale CPU work over cores, at a start-up and a data-moving price."""

    title = "Multiprocessing"
    speaker_notes = (
        "<p><b>Press Start</b> with the defaults. Each worker count is its own run: watch the "
        "timeline fill with Process lanes (each carries its pid) and the CPU plot climb to "
        "all cores, then the next run begins.</p>"
        "<p>Point at the speedup plot: the dots follow the diagonal up to the dashed core line, "
        "then flatten. More processes than cores only take turns.</p>"
        "<p>Set <b>serial fraction</b> to 50% and run again: the dots drop onto the Amdahl curve, "
        "which can never pass 2x. Ask: what would 1,000 cores give? Still under 2x.</p>"
        "<p>Read out the <b>start-up</b> figure: a fresh interpreter per process, a few hundred "
        "milliseconds under spawn. Short jobs do not amortise that.</p>"
        "<p>Drag <b>payload</b> to 64 MB: the pipe's round trip now costs more than each "
        "process's work and the verdict turns. Shared memory moves the same bytes far faster, "
        "because nothing is pickled or copied through the kernel.</p>"
        "<p>Scroll to <b>Start methods</b> and press <b>Measure</b>: fork starts a child in a "
        "few milliseconds, spawn and forkserver take far longer. Then point at the lane of the "
        "fork child that takes the lock: blocked, while the parent's lock was freed long ago. "
        "Its copy stays locked; the lesson stops it at the deadline. Read out the default "
        "line: Python 3.14 moved Linux from fork to forkserver.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, sliders, the speedup plot and the results box."""
        s = self.settings
        self.cores = usable_cores()
        self.points: list[SweepPoint] = []
        self.result: ProcessesResult | None = None  # the last complete sweep's figures
        self.spawn_ms: list[float] = []
        self.ipc: dict[str, Any] = {}
        self._queue: list[dict[str, Any]] = []
        self._chaining = False
        layout.addWidget(heading("Multiprocessing"))
        layout.addWidget(paragraph(EXPLANATION))
        param = lesson.SCENARIO.param
        self.total_ms = SettingSlider(param("total_ms"), s, "processes")
        self.max_workers = SettingSlider(param("max_workers"), s, "processes")
        self.serial_pct = SettingSlider(param("serial_pct"), s, "processes")
        # Doubling steps, 1 KB to 64 MB: the spin box would show the step, the caption the size.
        self.payload = SettingSlider(param("payload_pos"), s, "processes")
        self.payload.spin.hide()
        self.payload.slider.setPageStep(2)
        self.payload.slider.setAccessibleName("Payload size")
        self.payload_caption = self.payload.caption
        self.payload_caption.setBuddy(self.payload.slider)
        self._show_payload()
        for slider in (self.total_ms, self.max_workers, self.serial_pct, self.payload):
            layout.addWidget(slider)

        layout.addWidget(heading("Speedup: time with 1 process / time with N"))
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(x=False, y=False)  # the wheel scrolls the side panel
        pass_wheel_to_panel(self.plot)  # which pyqtgraph's view would otherwise keep
        self.plot.setMinimumHeight(PLOT_HEIGHT_PX)
        self.plot.setLabel("bottom", "processes")
        self.plot.setLabel("left", "speedup")
        self.plot.setBackground("w")  # light by default, like the other plots; see set_dark
        # Legend bottom-right: the curves rise from the bottom left, the core label sits on top.
        self.plot.addLegend(offset=(-5, -5))
        self.ideal_curve = self.plot.plot(name="ideal (y = x)", pen=pg.mkPen("#888888", width=1))
        self.amdahl_curve = self.plot.plot(name="Amdahl, this machine", pen=pg.mkPen(VERMILLION))
        self.measured = self.plot.plot(
            name="measured", pen=None, symbol="o", symbolBrush=BLUE, symbolSize=9
        )
        self.core_line = pg.InfiniteLine(
            self.cores,
            angle=90,
            pen=pg.mkPen(BLUISH_GREEN, style=Qt.PenStyle.DashLine),
            label=f"{self.cores} cores",
            labelOpts={"position": 0.95},
        )
        self.plot.addItem(self.core_line)
        layout.addWidget(self.plot)

        method, default = lesson.start_methods()
        self.result_box = ResultBox(
            [
                ("method", "Start method:"),
                ("spawn", "Start-up per process:"),
                ("sweep", ""),
                ("pipe", "Pipe, there and back:"),
                ("shm", "Shared memory:"),
                ("work", "Work per process:"),
            ],
            big="pipe",
            verdict="Press Start (Space) to run the sweep and the IPC test.",
            fixed={"method": f"{method} (platform default: {default})"},
        )
        figures = self.result_box.values
        self.method_label, self.spawn_label = figures["method"], figures["spawn"]
        self.sweep_label, self.pipe_label = figures["sweep"], figures["pipe"]
        self.shm_label, self.work_label = figures["shm"], figures["work"]
        self.verdict_label = self.result_box.verdict
        layout.addWidget(heading("Last sweep"))
        layout.addWidget(self.result_box)
        # Its own button asks for a run of demos.start_methods, through the same lab.
        self._want_start_methods = False
        self.start_methods = StartMethodsView(s, self.run_start_methods)
        layout.addWidget(self.start_methods)
        self._draw_model()
        self.serial_pct.valueChanged.connect(self._draw_model)
        self.max_workers.valueChanged.connect(self._draw_model)
        self.payload.valueChanged.connect(self._show_payload)

    # -------------------------------------------------------------- settings
    def _show_payload(self, *_: object) -> None:
        size = size_text(lesson.payload_kb_at(self.payload.value()))
        self.payload_caption.setText(f"{self.payload.param.caption}: {size}")

    def _plan(self) -> list[dict[str, Any]]:
        """The runs of one sweep: 1..max workers, then the IPC pair."""
        base = {
            "total_ms": self.total_ms.value(),
            "serial_pct": self.serial_pct.value(),
            "payload_kb": lesson.payload_kb_at(self.payload.value()),
            "max_workers": self.max_workers.value(),
        }
        steps = [
            {**base, "phase": "sweep", "workers": n} for n in range(1, base["max_workers"] + 1)
        ]
        return [*steps, {**base, "phase": "ipc", "workers": 1}]

    @property
    def scenario(self) -> str:  # type: ignore[override]
        """The sweep's scenario, or the start methods' while the run on screen is theirs."""
        return start_methods.SCENARIO.module if is_start_methods(self.last_params) else SWEEP

    def param_defaults(self) -> dict[str, Any]:
        """The sweep's, always: a saved Start methods run brings its own (``repeats`` among
        them), and a saved sweep opened after one must not gain them."""
        return scenario_defaults(SWEEP, self._plan()[0])

    def run_start_methods(self) -> None:
        """The Start methods view's button: its run, started like any other (one at a time)."""
        self._want_start_methods = True
        if not self.lab.start_next_run():
            self._want_start_methods = False
            return
        self.side_scroll.ensureWidgetVisible(self.start_methods.result_box)

    def params(self) -> dict[str, Any]:
        """The next run's parameters (no side effect: the code panel asks too)."""
        if self._want_start_methods:
            return self.start_methods.params()
        return (self._queue if self._chaining and self._queue else self._plan())[0]

    def join_deadline_s(self) -> float:
        """One run's job three times over, plus time to spawn 16 interpreters."""
        if is_start_methods(self.last_params):
            return start_methods.deadline_s(self.last_params)
        return 3.0 * self.total_ms.value() / 1000.0 + 30.0

    # ------------------------------------------------------------ the sweep
    def clear_result(self, message: str) -> None:
        """A run of the sweep begins (keep its figures), or a new sweep or a reset (forget)."""
        if is_start_methods(self.last_params) or message != "Running...":
            self._want_start_methods = False
            self.start_methods.clear(message)
            if message == "Running...":
                return  # a start methods run: the sweep's figures stay
        step = self.last_params
        what = (
            f"{step['workers']} of {step['max_workers']} processes"
            if step.get("phase") == "sweep"
            else "the IPC test"
        )
        text = f"{message} ({what})" if message == "Running..." else message
        if self._chaining:
            self._chaining = False
            self.verdict_label.setText(text)
        else:
            self._queue = self._plan()
            self.points, self.spawn_ms, self.ipc, self.result = [], [], {}, None
            self.result_box.clear(text)
            self._draw_model()

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Record this run's figures, then start the next run of the sweep."""
        if is_start_methods(self.last_params):
            self.start_methods.show_report(report)
            return
        step = self.last_params
        outcomes = report.get("outcomes", {})
        ended = {state for state, _ in outcomes.values()}
        result = report.get("result", {})
        # Judged by CANCELLED/FAILED and by the figures, not by "all DONE": the lab's watcher
        # can miss noting a process that exits while it joins another (its outcome stays NEW),
        # though that process finished and its figures are in shared memory.
        stopped = ended & {int(State.CANCELLED), int(State.FAILED)}
        complete = result.get("ipc_ms") if step.get("phase") == "ipc" else result.get("entry_ns")
        if report.get("failed") or stopped or "error" in result or not complete:
            failed = [msg for state, msg in outcomes.values() if msg]
            why = report.get("failed") or result.get("error") or (failed or ["cancelled"])[0]
            self._queue = []
            self.verdict_label.setText(f"The sweep stopped: the run did not complete ({why}).")
            return
        if step.get("phase") == "ipc":
            self.ipc = result
            self._show_ipc(step)
        else:
            self._add_point(step, report, result)
        if self._queue and self._queue[0] == step:
            self._queue.pop(0)
        # A sweep is one run of several steps, whichever tab is on screen (not in a replay).
        if self._queue and self.clock is None:
            self._chaining = True
            # After this slot returns, so the window has finished handling "run finished".
            QTimer.singleShot(0, self._start_next)

    def _start_next(self) -> None:
        self.lab.start_next_run()
        if not self.lab.running:
            self._chaining = False

    def sweep_done(self) -> bool:
        """True once the last sweep has all its figures (the tests wait for this)."""
        return bool(self.ipc) and not self._queue and not self._chaining

    def _add_point(self, step: dict[str, Any], report: dict[str, Any], result: dict) -> None:
        opened, done = int(result.get("gate_opened_ns", 0)), int(result.get("last_done_ns", 0))
        if not opened < done:
            return
        # From the start gate to the last share done, paused time excluded, as the twin does.
        elapsed_s = (done - opened - self.lab.paused_ns_between(opened, done)) / 1e9
        baseline = self.points[0].elapsed_s if self.points else elapsed_s
        point = summarize(
            elapsed_s,
            baseline,
            float(report.get("work_s", 0.0)),
            step["workers"],
            step["serial_pct"] / 100,
            int(result.get("cores", self.cores)),
        )
        self.points.append(point)
        spawn = lesson.startup_ms(int(report["t_start_ns"]), result.get("entry_ns", []))
        if spawn:
            self.spawn_ms.append(spawn)
            median = float(np.median(self.spawn_ms))
            self.spawn_label.setText(f"{median:.0f} ms (Process.start() to its first line)")
        self.measured.setData([p.workers for p in self.points], [p.speedup for p in self.points])
        self.sweep_label.setText(
            "<br>".join(
                f"{p.workers} processes: {p.elapsed_s:.2f} s, {p.speedup:.2f}x "
                f"(Amdahl {p.amdahl:.2f}x)"
                for p in self.points
            )
        )

    def _show_ipc(self, step: dict[str, Any]) -> None:
        """The IPC figures, and the whole sweep's result and verdict."""
        method, default = lesson.start_methods()
        r = self.result = ProcessesResult(
            cores=int(self.ipc.get("cores", self.cores)),
            start_method=str(self.ipc.get("start_method", method)),
            default_start_method=str(self.ipc.get("default_start_method", default)),
            total_ms=step["total_ms"],
            serial_pct=step["serial_pct"],
            workers=len(self.points),
            sweep=tuple(self.points),
            spawn_ms=round(float(np.median(self.spawn_ms)), 1) if self.spawn_ms else 0.0,
            payload_kb=step["payload_kb"],
            ipc_ms=float(self.ipc["ipc_ms"]),
            shm_ms=float(self.ipc["shm_ms"]),
            pickle_ms=float(self.ipc["pickle_ms"]),
            rounds=int(self.ipc.get("rounds", 0)),
        )
        size = size_text(r.payload_kb)
        self.pipe_label.setText(f"{r.ipc_ms:.2f} ms for {size}")
        self.pipe_label.setToolTip(f"of which pickling alone: {r.pickle_ms:.2f} ms")
        self.shm_label.setText(f"{r.shm_ms:.2f} ms for {size}")
        self.work_label.setText(f"{r.work_ms_per_process:.0f} ms (one process per core)")
        self.verdict_label.setText(r.verdict())

    def _draw_model(self, *_: object) -> None:
        """The ideal line and Amdahl's curve for the current sliders."""
        top = max(self.max_workers.value(), self.cores)
        xs = np.linspace(1, top, 200)
        self.ideal_curve.setData(xs, xs)
        fraction = self.serial_pct.value() / 100
        amdahl = [expected_speedup(x, fraction, self.cores) for x in xs]
        self.amdahl_curve.setData(xs, amdahl)
        self.plot.setXRange(0.5, top + 0.5, padding=0)
        self.plot.setYRange(0, top + 0.5, padding=0)

    last_params: dict[str, Any] = dict(lesson.DEFAULTS)

    def set_dark(self, on: bool) -> None:
        """The speedup plot follows the theme too."""
        super().set_dark(on)
        style_plot(self.plot, on)
        self.start_methods.set_dark(on)
