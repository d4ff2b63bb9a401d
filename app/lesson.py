"""What every thread/process lesson tab shares: a side panel, the live timeline and CPU plots.

A lesson subclass provides its explanation, its sliders (``build_side_panel``), the scenario the
lab runs (``scenario`` and ``params``) and what to show when a run ends (``show_result``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cpu_plot import CpuPlotWidget
from app.glossary import linked_label
from app.lab_client import LabClient
from app.layout_items import item_at
from app.lesson_lab import LessonLab
from app.prediction_box import PredictionBox
from app.side_panel import SidePanel
from app.timeline import TimelineWidget
from demos.cpu_sampler import CpuSampler
from demos.intervals import IntervalStore
from demos.predictions import QUESTIONS

SIDE_PANEL_WIDTH_PX = 410  # the widest page (Challenges) needs about 395
SIDE_PANEL_MAX_SHARE = 0.4  # of the screen's width, in presenter mode
CPU_SIDE_BY_SIDE_MIN_PX = 1600  # presenter mode puts the two CPU plots side by side from here
CPU_STACKED_MIN_HEIGHT_PX = 900  # and on screens less tall than this


class LessonTab(QWidget):
    """Base class of a lesson tab whose workers run in the lab process."""

    title = ""
    scenario = ""  # the demos module whose build_workers() the lab calls
    speaker_notes = ""  # HTML for presenter mode's notes window: what to say, what to point at
    # True for a lesson whose workers run in this process's own event loop (coroutines), not in
    # the lab: the window then sends Start/Pause/Join/Cancel/Reset to the *_local methods below.
    runs_locally = False
    localRunChanged = Signal()  # a local run started, paused, resumed or ended

    def __init__(
        self,
        lab: LabClient,
        sampler: CpuSampler,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Every lesson keeps its own run: the lab writes into this store only while the run
        # it is doing is this lesson's, so no other tab ever draws or counts it.
        self.store = IntervalStore()
        self.lab = LessonLab(lab, self.store)
        self.sampler = sampler
        self.clock: Callable[[], int] | None = None  # set while a recorded run replays
        self.settings = settings
        self.timeline = TimelineWidget(self.store)
        self.cpu_plot = CpuPlotWidget(sampler)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 8, 8, 8)
        self.build_side_panel(side_layout)
        self.prediction = self._add_prediction(side_layout)
        side_layout.addStretch(1)
        self._prose = prose_blocks(side)
        scroll = SidePanel(side, SIDE_PANEL_WIDTH_PX)
        self._side_fit_pending = False

        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.timeline)
        plots.addWidget(self.cpu_plot)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 2)

        self.side_scroll = scroll
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(plots)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([SIDE_PANEL_WIDTH_PX, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        # The run on screen is known from the start: before any run, the lesson's defaults
        # (a subclass's own ``last_params`` first), so Save, Open and figures never miss one.
        self.last_params = {**self.param_defaults(), **getattr(self, "last_params", {})}

    def _add_prediction(self, layout: QVBoxLayout) -> PredictionBox | None:
        """A "Guess first" box after the opening explanation, for lessons that ask one."""
        lesson_id = type(self).__module__.rpartition(".")[2]
        if lesson_id not in QUESTIONS:
            return None
        box = PredictionBox(lesson_id, self.params)
        start, prose = leading_prose(layout)
        layout.insertWidget(start + len(prose), box)
        side = layout.parentWidget()
        if side is not None:
            box.watch_settings(side)
        box.refresh()
        return box

    def prediction_figures(self) -> dict[str, Any]:
        """Figures of the last run a question may be answered from, besides its elapsed time
        (a lesson that computes a speedup adds it)."""
        return {}

    # -------------------------------------------------------- for subclasses
    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Add the explanation, sliders and result widgets."""
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The scenario's parameters from the current slider settings."""
        raise NotImplementedError

    def join_deadline_s(self) -> float:
        """How long a Join may wait before the GUI escalates."""
        return 60.0

    def param_defaults(self) -> dict[str, Any]:
        """Every parameter of the lesson with a default value (saved runs are checked against
        their types): the scenario's ``DEFAULTS``, then the controls' current values."""
        return scenario_defaults(self.scenario, self.params())

    def run_params(self) -> dict[str, Any]:
        """The parameters of the run on screen (what Save run stores)."""
        return dict(self.last_params)

    def run_page(self) -> str:
        """The page the run on screen came from, for a lesson with pages; "" otherwise."""
        return ""

    def saved_figures(self) -> dict[str, Any]:
        """Figures a local lesson keeps of its run on screen (its ``last_result``); {} for lab
        lessons, whose report the window keeps."""
        return dict(getattr(self, "last_result", None) or {}) if self.runs_locally else {}

    def show_saved_figures(self, figures: dict[str, Any]) -> None:
        """Show a saved run's figures from :meth:`saved_figures`."""
        if figures and self.runs_locally:
            self.show_local_result(figures)

    def show_local_result(self, result: dict[str, Any]) -> None:
        """Show the figures of a finished local run (local lessons)."""

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Show the figures of a finished run."""
        raise NotImplementedError

    def clear_result(self, message: str) -> None:
        """Forget the last run's figures (Start and Reset) and say what happens now."""

    # ------------------------------------------- local runs (runs_locally only)
    def start_local(self) -> None:
        """Start the lesson's workers in the running loop of this process."""
        raise NotImplementedError

    def is_running_locally(self) -> bool:
        """True while a local run has workers that have not ended."""
        return False

    def is_paused_locally(self) -> bool:
        """True while a local run is paused."""
        return False

    def pause_local(self) -> None:
        """Hold the local workers at their next step boundary."""

    def resume_local(self) -> None:
        """Let paused local workers go on."""

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """Await the local run up to ``timeout_s``; seconds waited, or None if it escalated."""
        return 0.0

    async def cancel_local(self) -> bool:
        """Cancel the local run; True if every worker ended in time."""
        return True

    async def reset_local(self) -> None:
        """Cancel any local run and clear the local store and figures."""

    # ---------------------------------------------------------------- shared
    def refresh_plots(self) -> None:
        """Called by the window's draw timer while this tab is visible.

        "Now" is the replay clock while replaying, the moment of the last event once the run
        has ended (so the finished run stays in view), and the real clock while it runs.
        """
        store = self.store
        if self.clock is not None:
            self.timeline.refresh(self.clock())
        elif not self.is_running() and store.count:
            self.timeline.refresh(store.t_last_ns)
        else:
            self.timeline.refresh()

    def is_running(self) -> bool:
        """True while this lesson's own run (in the lab, or local) has workers going."""
        return self.is_running_locally() if self.runs_locally else self.lab.running

    def current_store(self) -> IntervalStore:
        """The store of the run on screen (exports, saved runs and replays use it)."""
        return self.store

    def refresh_cpu(self) -> None:
        """Called after each CPU sample while this tab is visible."""
        self.cpu_plot.refresh()

    def on_lanes_changed(self) -> None:
        """New workers: name their CPU curves."""
        self.cpu_plot.set_lanes(self.store.lanes)

    def clear_plots(self) -> None:
        """A new run or a reset."""
        self.timeline.clear()
        self.cpu_plot.clear()

    def set_scale(self, factor: float) -> None:
        """Presenter scale for the plots and the side panel's width."""
        self.timeline.set_scale(factor)
        self.cpu_plot.set_scale(factor)
        # Wider for big type, but never more than a share of the screen (a 1280 px projector);
        # the normal width at the normal scale.
        width = SIDE_PANEL_WIDTH_PX
        if factor > 1.0:
            screen = self.screen().availableGeometry().width() if self.screen() else 1600
            width = min(int(width * factor), int(screen * SIDE_PANEL_MAX_SHARE))
        self.side_scroll.set_base_width(width)
        # After the new type size has reached every layout (posted events), and for a hidden
        # tab when it is next shown: a width measured in the old size would stay, too wide,
        # after leaving presenter mode.
        self._side_fit_pending = True
        if self.isVisible():
            QTimer.singleShot(0, self, self._fit_side_panel)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Fit the side panel to a scale that changed while this tab was hidden."""
        super().showEvent(event)
        if self._side_fit_pending:
            QTimer.singleShot(0, self, self._fit_side_panel)

    def _fit_side_panel(self) -> None:
        if not self.isVisible():
            return
        self._side_fit_pending = False
        self.side_scroll.refresh()
        width = self.side_scroll.minimumSizeHint().width()
        total = max(self.splitter.width(), width + 400)
        self.splitter.setSizes([width, total - width])

    def set_dark(self, on: bool) -> None:
        """Dark plots (dark theme or the presenter's high contrast)."""
        self.timeline.set_dark(on)
        self.cpu_plot.set_dark(on)

    def set_presenting(self, on: bool) -> None:
        """CPU plots side by side for big type; dark plots while presenting."""
        # Side by side where the screen is wide, or short (stacked they would be slivers);
        # otherwise they stack and the timeline keeps the width. Decided here, once: moving a
        # plot within its graphics layout on every resize was followed by crashes in paints.
        screen = self.screen()
        size = screen.geometry() if screen is not None else None
        roomy = size is not None and (
            size.width() >= CPU_SIDE_BY_SIDE_MIN_PX or size.height() < CPU_STACKED_MIN_HEIGHT_PX
        )
        self.cpu_plot.set_side_by_side(on and roomy)
        self._put_prose_last(on)
        if on:
            self.set_dark(True)

    def _put_prose_last(self, on: bool) -> None:
        """In a talk the controls come first and the explanation after them (the speaker tells
        it); otherwise the explanation leads, as a learner reads."""
        for layout, start, widgets in self._prose:
            for widget in widgets:
                layout.removeWidget(widget)
            if on:  # at the end, before a closing stretch
                end = layout.count()
                last_is_spacer = end > 0 and item_at(layout, end - 1)[1]
                at = end - 1 if last_is_spacer else end
                for offset, widget in enumerate(widgets):
                    layout.insertWidget(at + offset, widget)
            else:  # back where the lesson put it
                for offset, widget in enumerate(widgets):
                    layout.insertWidget(start + offset, widget)

    def set_side_panel_shown(self, shown: bool) -> None:
        """Hide the side panel to give the stage the whole width (H), or show it again."""
        self.side_scroll.setVisible(shown)


def scenario_defaults(scenario: str, params: dict[str, Any]) -> dict[str, Any]:
    """A scenario module's ``DEFAULTS`` (with those of the sub-scenarios it lists in a
    ``SCENARIOS`` dict, as ``demos.primitives`` does) overlaid with ``params``."""
    module = importlib.import_module(scenario) if scenario else None
    merged: dict[str, Any] = {}
    subs = getattr(module, "SCENARIOS", None)
    for sub in subs.values() if isinstance(subs, dict) else ():
        merged.update(getattr(sub, "DEFAULTS", {}))
    return {**merged, **getattr(module, "DEFAULTS", {}), **params}


def leading_prose(layout: QVBoxLayout) -> tuple[int, list[QLabel]]:
    """Where a layout's opening explanation starts (after a heading, if any) and its wrapped
    paragraphs; none when nothing but more text follows them."""
    title, _ = item_at(layout, 0)
    start = 1 if isinstance(title, QLabel) and not title.wordWrap() else 0
    prose: list[QLabel] = []
    for index in range(start, layout.count()):
        widget, _ = item_at(layout, index)
        if isinstance(widget, QLabel) and widget.wordWrap():
            prose.append(widget)
            continue
        return (start, prose) if widget is not None else (start, [])
    return start, []


def prose_blocks(side: QWidget) -> list[tuple[QVBoxLayout, int, list[QLabel]]]:
    """Every opening explanation in a side panel: its own, and each page's (Challenges,
    Synchronization primitives)."""
    layouts = [side.layout(), *(child.layout() for child in side.findChildren(QWidget))]
    blocks = []
    for layout in layouts:
        if isinstance(layout, QVBoxLayout):
            start, prose = leading_prose(layout)
            if prose:
                blocks.append((layout, start, prose))
    return blocks


def heading(text: str) -> QLabel:
    """A bold section heading for side panels."""
    label = QLabel(f"<b>{text}</b>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def paragraph(html: str) -> QLabel:
    """Wrapped explanatory text; known terms link to their definitions (app.glossary)."""
    label = linked_label(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    # Word wrap marks the policy height-for-width; a plain setSizePolicy() would drop that mark,
    # and the label would keep the height of its one-long-line size hint (last lines cut off).
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    label.setOpenExternalLinks(False)
    return label
