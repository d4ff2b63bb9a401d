"""The Pools tab's "submit + as_completed" view: tasks of different lengths submitted one by one,
each result taken as it completes, and every Future's state on its own timeline lane.

The view's button asks the tab for a lab run of ``demos.pool_futures`` (the tab's one run at a
time). When the run ends it shows the order of submission beside the order of results, what
``cancel()`` did, and how early a pool calls a future RUNNING.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.lesson import heading, paragraph
from app.param_widgets import SettingChoice, SettingSlider
from app.result_box import ResultBox
from app.run_report import cancelled, failure
from demos import pool_futures as lesson
from demos.pool_futures_result import PoolFuturesResult, summarize

GROUP = "pool_futures"  # QSettings group of the controls
EXPLANATION = (
    "<code>pool.map()</code> hands results back in the order of its inputs. "
    "<code>pool.submit(task, x)</code> returns a <b>Future</b> at once, a promise of the result; "
    "<code>for f in as_completed(futures)</code> then gives each future as soon as its task "
    "ends, so short tasks do not wait behind long ones."
    "<br><br>The tasks here have different lengths (shown in each lane's name). Each future has "
    "a lane drawn from what the Future itself says: <b>PENDING</b> (yellow, queued), "
    "<b>RUNNING</b>, <b>FINISHED</b> or <b>CANCELLED</b>. The pool's workers have lanes too, "
    "with a bar for each task they really ran: compare when a future <i>says</i> RUNNING with "
    "when a worker <i>takes</i> it. <code>cancel()</code> works only on a future still queued."
)


class PoolFuturesView(QWidget):
    """The view: its settings, a Run button, and the orders and figures of the last run."""

    def __init__(self, settings: Any, run: Callable[[], None]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("submit() and as_completed()"))
        layout.addWidget(paragraph(EXPLANATION))
        param = lesson.SCENARIO.param
        layout.addWidget(QLabel("Pool"))
        labels = {"process": "ProcessPoolExecutor (spawn)", "thread": "ThreadPoolExecutor"}
        self.kind = SettingChoice(param("kind"), settings, GROUP, labels, self)
        for button in self.kind.buttons.values():
            layout.addWidget(button)
        layout.addWidget(QLabel("Each task"))
        labels = {"cpu": "computes (pure Python)", "io": "sleeps (stands in for I/O)"}
        self.work = SettingChoice(param("work"), settings, GROUP, labels, self)
        for button in self.work.buttons.values():
            layout.addWidget(button)
        self.futures = SettingSlider(param("futures"), settings, GROUP)
        self.task_ms = SettingSlider(param("task_ms"), settings, GROUP)
        self.workers = SettingSlider(param("workers"), settings, GROUP)
        self.cancel = SettingSlider(param("cancel"), settings, GROUP)
        for slider in (self.futures, self.task_ms, self.workers, self.cancel):
            layout.addWidget(slider)
        self.button = QPushButton("Run submit() + &as_completed()")
        self.button.setToolTip("One lab run: submit every task, then take results as they come")
        self.button.clicked.connect(run)
        layout.addWidget(self.button)
        self.result_box = ResultBox(
            [
                ("submitted", "Submitted:"),
                ("yielded", "as_completed gave:"),
                ("cancelled", "cancel():"),
                ("running", "RUNNING at once:"),
                ("time", "Time:"),
            ],
            big="yielded",
            verdict="Press Run submit() + as_completed() to submit the tasks to a pool.",
        )
        for label in self.result_box.values.values():
            label.setWordWrap(True)  # long orders wrap: the side panel keeps its width
        layout.addWidget(self.result_box)
        self.figures: PoolFuturesResult | None = None

    def params(self) -> dict[str, Any]:
        """The scenario's parameters from the controls."""
        return {
            "kind": self.kind.value(),
            "work": self.work.value(),
            "futures": self.futures.value(),
            "task_ms": self.task_ms.value(),
            "workers": self.workers.value(),
            "cancel": min(self.cancel.value(), self.futures.value()),  # at most all of them
        }

    def clear(self, message: str) -> None:
        """Blank the figures."""
        self.figures = None
        self.result_box.clear(message)

    def show_report(
        self,
        params: dict[str, Any],
        report: dict[str, Any],
        paused_ns: Callable[[int, int], int] | None,
    ) -> None:
        """Both orders, what cancel() did, the RUNNING count and the verdict."""
        raw = report.get("result", {})
        why = failure(report)
        if why is not None:
            self.result_box.verdict.setText(f"The run did not complete: {why}.")
            return
        if cancelled(report) or not raw.get("yields"):
            self.result_box.verdict.setText(
                "Cancelled: the pool was shut down, queued futures dropped."
            )
            return
        self.figures = f = summarize(params, raw, paused_ns)
        self.result_box.set("submitted", " ".join(map(str, f.submit_order)))
        self.result_box.set("yielded", " ".join(map(str, f.yield_order)))
        said = [
            f"{r.index}: {r.cancel_returned}" for r in f.records if r.cancel_returned is not None
        ]
        self.result_box.set("cancelled", ", ".join(said) if said else "not called")
        self.result_box.set("running", f"up to {f.most_running} futures on {f.workers} workers")
        self.result_box.set(
            "time",
            f"{f.elapsed_s:.2f} s; {f.at_once:.2f} tasks under way at once, each "
            f"{f.stretch:.1f}x its time alone",
        )
        self.result_box.verdict.setText(f.verdict())
