"""The Synchronization primitives tab: Lock, Semaphore(N), Barrier(parties) and a bounded buffer
(Queue, with its Conditions and an Event), one page each, chosen at the top.

The figures each page shows after a run are worded in ``app.lessons.primitives_figures``.
Semaphore and queue runs also draw a small live plot (occupancy or queue depth against its
limit) from the values the threads report (``semaphore.OCCUPANCY``, ``bounded_buffer.DEPTH``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.lesson import LessonTab, heading, paragraph
from app.lessons import primitives_more
from app.lessons.primitives_figures import FIGURES, figure_texts
from app.palette import BLUE, ORANGE
from app.param_widgets import SettingSlider, SettingSwitch
from app.plot_wheel import pass_wheel_to_panel
from app.result_box import ResultBox
from app.settings import read_choice
from app.wheel_guard import steady
from demos import primitives
from demos.events import State
from demos.primitives import bounded_buffer, semaphore

LIMIT_COLOUR = ORANGE  # orange: the limit line
CURVE_COLOUR = BLUE  # blue: occupancy or depth
PLOT_HEIGHT_PX = 170

TITLES = {
    "lock": "Mutex (Lock)",
    "semaphore": "Semaphore(N)",
    "barrier": "Barrier(parties)",
    "queue": "Queue: bounded buffer",
    **primitives_more.TITLES,
}
EXPLANATIONS = {
    "lock": (
        "A <code>threading.Lock</code> has one owner at a time. Each thread works outside the "
        "lock, then calls <code>acquire()</code>: if another thread holds it, it is "
        "<b>blocked</b> until the owner calls <code>release()</code>. The owner's lane says "
        "<i>holds lock</i>; the others wait."
        "<br><br>Python promises no order among the waiters: the lock is not FIFO, and a thread "
        "that has just released it may take it again at once. So the lesson shows who waits, "
        "never a queue position. The figures check mutual exclusion: no two holds overlap."
    ),
    "semaphore": (
        "A semaphore holds N permits. <code>acquire()</code> takes one, or blocks while none is "
        "left; <code>release()</code> gives it back. Here more threads than permits each use a "
        "permit for a while, like connections from a pool of N."
        "<br><br>The plot counts the threads inside (raised just after acquire, lowered just "
        "before release). It touches the limit line and never crosses it. "
        "<code>BoundedSemaphore</code> also raises if a thread releases more than it acquired."
    ),
    "barrier": (
        "A <code>threading.Barrier(parties)</code> makes threads wait for each other. Each "
        "thread works a random time, then calls <code>wait()</code> and is blocked until the "
        "last party arrives; then all leave together (the dashed line on the timeline). The "
        "barrier resets itself for the next round."
        "<br><br>Tick <b>one thread is late</b> and the barrier gets a timeout: the first wait "
        "that times out breaks it, and every waiter, and the late thread when it comes, gets "
        "<code>BrokenBarrierError</code>. Here each one catches it and ends cleanly."
    ),
    "queue": (
        "Producers <code>put()</code> items into a <code>queue.Queue(capacity)</code>; consumers "
        "<code>get()</code> them. The queue is a <code>collections.deque</code> guarded by one "
        "lock and three <code>threading.Condition</code>s on it: <code>put()</code> waits on "
        "<i>not_full</i> while it is full, <code>get()</code> waits on <i>not_empty</i> while it "
        "is empty, and <code>join()</code> waits on <i>all_tasks_done</i> until every item got "
        "its <code>task_done()</code>. A "
        "<code>threading.Event</code> tells the consumers that the producers are done."
        "<br><br>Make the consumers slower and the queue fills: producers block. Make them "
        "faster and it stays empty: consumers block. The depth never exceeds the capacity."
    ),
    **primitives_more.EXPLANATIONS,
}
ROWS = {**FIGURES, **primitives_more.FIGURES}


class PrimitivesTab(LessonTab):
    """Lesson: what each synchronization primitive promises, shown on real threads."""

    title = "Synchronization primitives"
    scenario = "demos.primitives"
    speaker_notes = (
        "<p><b>Lock.</b> One lane at a time says <i>holds lock</i>; the rest are blocked. "
        "Point out that nobody can say who is next: <code>threading.Lock</code> is not FIFO. "
        "Zero overlapping holds is the whole promise.</p>"
        "<p><b>Semaphore.</b> 8 threads, 3 permits: the plot climbs to the orange line and "
        "stays there, never above. Try 1 permit: it behaves like a lock.</p>"
        "<p><b>Barrier.</b> Arrivals are spread over hundreds of ms; the release spread is "
        "well under a few ms. Then tick <i>one thread is late</i>: everyone gets "
        "<code>BrokenBarrierError</code>, handles it, and the run still ends.</p>"
        "<p><b>Queue.</b> Slow consumers: depth sits at capacity, producers blocked. Swap the "
        "paces: depth near zero, consumers blocked. Ask where the Conditions are: inside "
        "<code>queue.Queue</code>.</p>" + primitives_more.NOTES
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """The primitive selector, one page per primitive, and the live plot."""
        self.sliders: dict[str, dict[str, SettingSlider]] = {}
        self.result_boxes: dict[str, ResultBox] = {}
        self.figures: dict[str, dict[str, QLabel]] = {}
        self.verdicts: dict[str, QLabel] = {}
        self.plot_slots: dict[str, QVBoxLayout] = {}
        self.switches: dict[str, dict[str, SettingSwitch]] = {}
        layout.addWidget(heading("Synchronization primitives"))
        self.primitive = QComboBox()
        steady(self.primitive)  # the wheel scrolls the panel, not the page
        self.primitive.setAccessibleName("Primitive")
        self.primitive.setToolTip("Which primitive to explore")
        self.pages = QStackedWidget()
        for name in primitives.PRIMITIVES:
            self.primitive.addItem(TITLES[name], name)
            self.pages.addWidget(self._page(name))
        self.late = self.switches["barrier"]["late"]
        layout.addWidget(self.primitive)
        layout.addWidget(self.pages)
        self.plot = pg.PlotWidget()
        self.plot.setFixedHeight(PLOT_HEIGHT_PX)
        self.plot.setBackground("w")
        self.plot.setMouseEnabled(x=False, y=False)
        pass_wheel_to_panel(self.plot)
        self.plot.setLabel("bottom", "time", units="s")
        self.curve = self.plot.plot(pen=pg.mkPen(CURVE_COLOUR, width=2))
        self.curve.setClipToView(True)
        self.limit_line = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(LIMIT_COLOUR, width=2, style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.limit_line)
        self._seen_version = -1  # the store's version the plot last drew
        saved = read_choice(self.settings, "primitives/primitive", "lock", primitives.PRIMITIVES)
        self.primitive.currentIndexChanged.connect(self._on_primitive)
        self.primitive.setCurrentIndex(primitives.PRIMITIVES.index(saved))
        self._on_primitive()

    def _page(self, name: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(paragraph(EXPLANATIONS[name]))
        self.sliders[name], self.switches[name] = {}, {}
        for param in primitives.declaration(name).params:
            if param.kind is bool:  # the barrier's late thread, the Condition's bug
                switch = SettingSwitch(param, self.settings, f"primitives/{name}")
                self.switches[name][param.name] = switch
                layout.addWidget(switch)
            else:
                slider = SettingSlider(param, self.settings, f"primitives/{name}")
                self.sliders[name][param.name] = slider
                layout.addWidget(slider)
        # The live plot moves into the slot of the page on show (one widget, one parent).
        self.plot_slots[name] = QVBoxLayout()
        layout.addLayout(self.plot_slots[name])
        box = ResultBox(
            ROWS[name],
            big=ROWS[name][0][0],
            verdict="Press Start (Space) to run the threads.",
        )
        for label in box.values.values():
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
        self.result_boxes[name] = box
        self.figures[name], self.verdicts[name] = box.values, box.verdict
        layout.addWidget(heading("Figures"))
        layout.addWidget(box)
        return page

    # ------------------------------------------------------------ settings
    def current(self) -> str:
        """The selected primitive's name."""
        return str(self.primitive.currentData())

    @property
    def code_scenario(self) -> str:
        """The module the code panel shows: the selected primitive's own scenario."""
        return primitives.scenario(self.current()).__name__

    def _on_primitive(self, *_: object) -> None:
        self.pages.setCurrentIndex(self.primitive.currentIndex())
        self.plot_slots[self.current()].addWidget(self.plot)
        self.plot.setVisible(self.current() in ("semaphore", "queue"))
        self.settings.setValue("primitives/primitive", self.current())

    def params(self) -> dict[str, Any]:
        """The selected primitive and its sliders, as the scenario's parameters."""
        name = self.current()
        params: dict[str, Any] = {"primitive": name}
        params.update({key: s.value() for key, s in self.sliders[name].items()})
        params.update({key: s.isChecked() for key, s in self.switches[name].items()})
        return params

    def join_deadline_s(self) -> float:
        """Generous: the scenario's own bound on its duration."""
        return primitives.deadline_s(**self.params())

    last_params: dict[str, Any] = {"primitive": "lock"}

    # ------------------------------------------------------------ live plot
    def _limit(self) -> int | None:
        params = self.last_params
        return params.get("permits") or params.get("capacity")

    def clear_plots(self) -> None:
        """A new run or a reset: forget the samples too."""
        super().clear_plots()
        self._seen_version = -1
        self.curve.setData([], [])
        limit = self._limit()
        self.limit_line.setVisible(limit is not None)
        if limit is not None:
            self.limit_line.setValue(limit)
            self.plot.setYRange(0, limit + 1, padding=0)
            what = "threads inside" if "permits" in self.last_params else "items in the queue"
            self.plot.setLabel("left", what)

    def refresh_plots(self) -> None:
        """Besides the timeline, redraw the samples when the store changed (a few hundred)."""
        super().refresh_plots()
        store = self.lab.store
        name = {"semaphore": semaphore.OCCUPANCY, "queue": bounded_buffer.DEPTH}.get(
            str(self.last_params.get("primitive"))
        )
        if name is None or store.version == self._seen_version:
            return
        self._seen_version = store.version
        samples = store.values(name)  # in time order, whichever thread reported first
        if not samples or store.t0_ns is None:
            self.curve.setData([], [])
            return
        t = (np.array([s[0] for s in samples], dtype=np.float64) - store.t0_ns) / 1e9
        level = np.array([s[2] for s in samples], dtype=np.float64)
        # Steps: a value holds until the next sample.
        self.curve.setData(np.repeat(t, 2)[1:], np.repeat(level, 2)[:-1])

    def set_presenting(self, on: bool) -> None:
        """Dark plot background in the high-contrast theme."""
        super().set_presenting(on)
        self.plot.setBackground("k" if on else "w")

    # -------------------------------------------------------------- figures
    def clear_result(self, message: str) -> None:
        """Blank every page's figures before a run or after a reset."""
        for box in self.result_boxes.values():
            box.clear(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """Fill the page of the primitive that ran, with a verdict."""
        figures = report.get("result") or {}
        name = figures.get("primitive") or self.last_params.get("primitive", "lock")
        verdict_label = self.verdicts[name]
        if "error" in figures or not figures:
            verdict_label.setText(f"No figures: {figures.get('error', 'the run did not report')}.")
            return
        result = primitives.result_from_json(figures)
        labels = self.figures[result.primitive]
        for key, text in figure_texts(result).items():
            labels[key].setText(text)
        verdict = result.verdict()
        if report.get("failed"):
            verdict = f"The run was cut short: {report['failed']}. " + verdict
        cancelled = sum(
            state == int(State.CANCELLED) for state, _ in report.get("outcomes", {}).values()
        )
        if cancelled:
            verdict = f"Cancelled ({cancelled} threads stopped early). " + verdict
        verdict_label.setText(f"{verdict} ({elapsed_s:.2f} s)")
