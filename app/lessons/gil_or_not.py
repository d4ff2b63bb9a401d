"""The "GIL or no GIL" tab: one CPU-bound job as threads, processes and subinterpreters, on every
Python ticked in the list, with a speedup bar per Python and model.

Each Python is measured by the terminal twin (``python -m demos.gil_or_not --python PATH``) in a
QProcess of its own, one after another (two measurements at once would share the cores and
spoil both). The timeline shows one lane per Python; the figures are the twin's JSON line, never
parsed from its text. Nothing goes through the lab.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout

from app.lesson import LessonTab, heading, paragraph
from app.lessons.gil_or_not_bars import GilBars
from app.lessons.gil_or_not_pythons import PythonList
from app.lessons.gil_or_not_runner import TwinQueue
from app.param_widgets import SettingSlider
from app.snippet_console import frozen
from app.theme import style_plot
from demos import gil_or_not as lesson
from demos.events import Kind, Lane, Mark, State, now_ns
from demos.gil_or_not_result import GilOrNotResult
from demos.interpreters import Interpreter

log = logging.getLogger(__name__)
JOIN_POLL_S = 0.05

EXPLANATION = (
    "One CPU-bound job of pure-Python arithmetic, cut into equal chunks, run four ways on each "
    "Python you tick: in <b>one thread</b> (the baseline), as <b>threads</b>, as "
    "<b>processes</b> and as <b>subinterpreters</b> (PEP 734: several interpreters in one "
    "process, each with its own GIL per interpreter, PEP 684)."
    "<br><br>Where the <b>GIL</b> is on, threads take turns and gain nothing on this work; on "
    "a free-threaded build with the GIL off they can run on every core. Processes run in "
    "parallel on any build but pay a start-up and copy the data; subinterpreters start "
    "faster than processes and copy data too. The costs are timed apart from the work, and "
    "each verdict comes from the figures of that run."
)


class GilOrNotTab(LessonTab):
    """Lesson: the GIL measured, Python by Python."""

    title = "GIL or no GIL"
    scenario = "demos.gil_or_not"
    runs_locally = True
    speaker_notes = (
        "<p><b>Tick every Python in the list</b> and press Start: each is measured in turn, "
        "one lane per Python on the timeline.</p>"
        "<p><b>Threads bar</b>: about 1x on a GIL build. Ask the room what a free-threaded "
        "build would show before pointing at one (if the machine has it).</p>"
        "<p><b>Processes bar</b>: near the core count, but read the start-up and data "
        "columns: that is the price.</p>"
        "<p><b>Subinterpreters</b>: where the list says they are missing, read out how to get "
        "them (a backport on 3.12-3.13, built in from 3.14).</p>"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runner = TwinQueue(self)
        self.runner.started_one.connect(self._on_started)
        self.runner.finished_one.connect(self._on_finished)
        self.runner.finished_all.connect(self._on_all_done)
        self.runner.line.connect(self._on_line)
        self.results: list[GilOrNotResult] = []
        self.last_result: dict[str, Any] | None = None
        self._lanes: dict[str, int] = {}
        self._filter_installed = False
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self.bars: GilBars = GilBars()
        layout.insertWidget(0, self.bars)  # above the plots: the bars are the point
        layout.setStretch(1, 1)

    # ----------------------------------------------------------------- widgets
    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, the Pythons and the sliders."""
        layout.addWidget(heading("GIL or no GIL"))
        layout.addWidget(paragraph(EXPLANATION))
        layout.addWidget(heading("Run on"))
        self.pythons = PythonList(self.settings)
        layout.addWidget(self.pythons)
        param = lesson.SCENARIO.param
        self.workers = SettingSlider(param("workers"), self.settings, "gil_or_not")
        self.total_ms = SettingSlider(param("total_ms"), self.settings, "gil_or_not")
        self.data_kb = SettingSlider(param("data_kb"), self.settings, "gil_or_not")
        for slider in (self.workers, self.total_ms, self.data_kb):
            layout.addWidget(slider)

    def params(self) -> dict[str, Any]:
        """Slider values as the twin's parameters."""
        return {
            "workers": self.workers.value(),
            "total_ms": self.total_ms.value(),
            "data_kb": self.data_kb.value(),
        }

    def join_deadline_s(self) -> float:
        """Per Python: the job about four times over (baseline, threads, processes,
        subinterpreters), three times that on a loaded machine, plus start-up slack."""
        count = max(1, len(self.pythons.ticked()))
        return count * (3 * 4 * self.total_ms.value() / 1000.0 + 30.0)

    # -------------------------------------------------------------- local runs
    def start_local(self) -> None:
        """Measure on each ticked Python, one after another."""
        self._install_close_filter()
        chosen = self.pythons.ticked()
        self.last_params = self.params()
        self.store.clear()
        self._lanes.clear()
        self.clear_plots()
        self.results = []
        self.last_result = None
        if not chosen:
            self.clear_result("Tick at least one Python in the list, then Start.")
            return
        if frozen():  # the twin runs as "python -m": a packaged app has no python to run it
            self.clear_result(
                "The packaged app cannot start the measuring program: run "
                "python -m demos.gil_or_not from the source instead."
            )
            return
        self.clear_result(f"Measuring on {len(chosen)} Python(s), one after another...")
        for lane_id, interp in enumerate(chosen):
            self._lanes[interp.key] = lane_id
            self.store.add_lane(Lane(lane_id, Kind.PROCESS, interp.label, 0))
        self.timeline.set_follow(True)
        self.runner.start(chosen, self.last_params)
        self.localRunChanged.emit()

    def _on_line(self, text: str) -> None:
        self.bars.status.setText(text.strip())

    def _on_started(self, interp: Interpreter) -> None:
        lane = self._lanes.get(interp.key)
        if lane is not None:
            self.store.add_events([(now_ns(), lane, int(State.RUNNING), "measuring")])

    def _on_finished(self, interp: Interpreter, result: dict[str, Any] | None, why: str) -> None:
        lane = self._lanes.get(interp.key)
        if result is None:
            log.warning("GIL-or-not run on %s failed: %s", interp.label, why)
            self.bars.status.setText(f"{interp.label}: the run failed: {why}")
            if lane is not None:
                self.store.add_events([(now_ns(), lane, int(State.FAILED), why[:40])])
            return
        typed = GilOrNotResult.from_json(result)
        self.results.append(typed)
        if lane is not None:
            best = max(typed.model(m).speedup for m in ("threads", "processes"))
            self.store.add_events([(now_ns(), lane, int(State.DONE), f"best {best:.2f}x")])
        self.bars.show_results(self.results)
        self.last_result = {"runs": [r.as_json() for r in self.results]}

    def _on_all_done(self) -> None:
        self.bars.status.setText(f"Done: measured on {len(self.results)} Python(s).")
        self.localRunChanged.emit()

    def is_running_locally(self) -> bool:
        """Until the last Python has been measured, or Cancel."""
        return self.runner.running

    def pause_local(self) -> None:
        """A measurement cannot pause: the pause would be measured. Say so instead."""
        text = "A measurement cannot pause (the pause would be measured)."
        self.bars.status.setText(text)
        # That line gives the progress and is overwritten within a second: the banner stays.
        show_banner = getattr(self.window(), "show_banner", None)
        if show_banner is not None:
            show_banner(text)

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """Wait (without blocking the loop) for every Python; past the deadline, cancel."""
        t0 = time.perf_counter()
        # A QProcess end is a Qt signal, not something the loop can await: poll it.
        while self.runner.running:  # noqa: ASYNC110
            if time.perf_counter() - t0 > timeout_s:
                await self.cancel_local()
                return None
            await asyncio.sleep(JOIN_POLL_S)
        waited = time.perf_counter() - t0
        self.store.add_mark(Mark(now_ns(), f"join returned after {waited:.2f} s"))
        return waited

    async def cancel_local(self) -> bool:
        """End the twin and its children: a half-measured Python means nothing."""
        if self.runner.cancel():
            self.store.add_mark(Mark(now_ns(), "measurement cancelled"))
            for lane in self._lanes.values():
                self.store.add_events([(now_ns(), lane, int(State.CANCELLED), "cancelled")])
            self.bars.status.setText("Cancelled: the measuring processes were ended.")
        self.localRunChanged.emit()
        return True

    async def reset_local(self) -> None:
        """Cancel what runs, then forget the figures and the timeline."""
        self.runner.cancel()
        self.store.clear()
        self._lanes.clear()
        self.timeline.clear()
        self.results = []
        self.last_result = None
        self.localRunChanged.emit()

    # ------------------------------------------------------------ window close
    def _install_close_filter(self) -> None:
        """Closing the window ends the measurement (the window's shutdown knows only the lab)."""
        if not self._filter_installed:
            self.window().installEventFilter(self)
            self._filter_installed = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """On the window's close: end the twin and its children, with a deadline."""
        if event.type() == QEvent.Type.Close:
            self.stop_now()
        return False

    def stop_now(self) -> None:
        """End any measurement at once (window close, application quit)."""
        self.runner.cancel()

    def set_dark(self, on: bool) -> None:
        """The speedup bars go dark with the stage (they were a white slab when presenting)."""
        super().set_dark(on)
        style_plot(self.bars.chart, on)

    # --------------------------------------------------------------- results
    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Lab reports never concern this tab (it measures in its own processes)."""

    def clear_result(self, message: str) -> None:
        """Blank the figures before a new run or after a reset."""
        self.bars.clear(message)

    def show_local_result(self, result: dict[str, Any]) -> None:
        """The figures of a finished (or saved) measurement, rebuilt as typed results
        (KeyError/TypeError/ValueError for figures that do not fit)."""
        runs = result["runs"]
        if not isinstance(runs, list):
            raise TypeError("runs must be a list")
        self.results = [GilOrNotResult.from_json(run) for run in runs]
        self.last_result = dict(result)
        self.bars.show_results(self.results)
