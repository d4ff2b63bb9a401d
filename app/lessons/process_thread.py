"""The Program, process and thread tab: a live tree of what runs, memory isolation, and cost.

The tree is read with psutil twice a second while the tab is on screen and a run goes, and once
more when something happens (a lab starts, a run starts or ends); never while hidden or idle.
The isolation runs and the cost measurement are ordinary lab runs of ``demos.process_thread``:
their figures come back with the "finished" report, read in the lab where the run happened.
"""

from __future__ import annotations

import os
import threading
import time
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.lesson import LessonTab, heading, paragraph
from app.param_widgets import SettingChoice, SettingSlider
from demos import platform_support
from demos import process_thread as lesson
from demos.events import Kind
from demos.process_thread_result import CostResult, IsolationResult, read_result
from demos.process_tree import ProcessInfo, snapshot
from demos.scenario import Param

TREE_REFRESH_MS = 500
TREE_TAIL_S = 2.0  # after a run ends, the threads it joined leave the tree within this
TREE_HEIGHT_PX = 260
KEY_ROLE = Qt.ItemDataRole.UserRole
# One set of radio buttons picks the scenario's phase and model together: a model of the
# isolation run, or the cost run. GUI-only, remembered as before under process_thread/choice.
CHOICE = Param(
    "choice",
    str,
    "threads",
    choices=(*lesson.MODELS, "cost"),
    caption="Start runs",
    help="What Start runs: an isolation run with this model, or the cost measurement",
    cli=False,
)
CHOICES = CHOICE.choices
CHOICE_LABELS = {
    "threads": "&Threads add to one COUNTER",
    "processes": '&Processes add to "their" COUNTER',
    "value": "Processes add to a multiprocessing.V&alue",
    "cost": "&Cost: start time and memory, threads vs processes",
}
MODEL_TITLES = {"threads": "Threads", "processes": "Processes", "value": "Value"}
COST_COLUMNS = ("workers", "thread ms", "process ms", "thread MB", "process MB")
EXPLANATION = (
    "A <b>program</b> is code stored on disk: this app's files, the Python interpreter. "
    "A <b>process</b> is a program the operating system is running. It has its own memory, "
    "its own copy of every variable, and at least one thread. A <b>thread</b> is one path of "
    "execution through the code inside a process; all the threads of a process share its "
    "memory, so a variable changed by one is changed for all of them."
    "<br><br>The tree below is what runs right now: this window (the GUI process), the lab "
    "process it started to run the lessons' workers, any worker processes the lab starts, "
    "and the threads inside each, with the CPU time each has used. Names come from the "
    "lessons where a thread or process is one of their workers."
    "<br><br><b>Start</b> runs the choice below: N workers each add 1 to a global variable "
    "<code>COUNTER</code> K times, wait for one another, then read it. Threads all see one "
    "variable. Each spawned process imported the module afresh and owns a copy: its additions "
    "never reach the parent. A <code>multiprocessing.Value</code> lives in shared memory, so "
    "processes see each other's additions again, through its lock."
)


def _set_row(item: QTreeWidgetItem, texts: tuple[str, ...]) -> None:
    for column, text in enumerate(texts):
        if item.text(column) != text:  # setText repaints even when nothing changed
            item.setText(column, text)


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    """``item``'s child rows (``child(i)`` is None only for an index out of range)."""
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]


class ProcessThreadTab(LessonTab):
    """Lesson: a program, its processes and their threads; who shares memory, and the cost."""

    title = "Program, process and thread"
    scenario = "demos.process_thread"
    speaker_notes = (
        "<p><b>Start with the tree.</b> Point at the top row: this window is one process, "
        "with its pid. Open it: the GUI's threads, Qt's own among them. Below it, the lab "
        "process, a child of the GUI: its MainThread and the helpers that deliver events.</p>"
        "<p><b>Threads</b>, 4 workers: press Start and watch four thread ids appear inside the lab "
        "and go. Every worker saw 40,000, and so does the lab: one variable, one memory.</p>"
        "<p><b>Processes</b>: the same code. Watch four new processes appear under the lab, each "
        "with its own threads. Each saw only its own 10,000 and the lab still reads 0. Ask: "
        "where did the 40,000 additions go? Into four copies that died with their processes.</p>"
        "<p><b>Value</b>: the processes now add to shared memory, through its lock, and 40,000 "
        "is back. Sharing between processes is something you ask for explicitly.</p>"
        "<p><b>Cost</b>: a thread starts in a fraction of a millisecond and adds kilobytes; a "
        "spawned process takes a hundred milliseconds or more and tens of megabytes, because "
        "it is a whole new interpreter.</p>"
        "<p>Close with what else a process owns: its own interpreter, and so its own GIL on a "
        "standard build. The threads of one process take turns at it; separate processes each "
        "have one. Two caveats: since Python 3.12 (PEP 684) each subinterpreter inside one "
        "process can have its own GIL too, and free-threaded builds (PEP 703, supported since "
        "3.14 by PEP 779) have none at all. The next tabs show what that means for speed.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, the live tree, the choice of run, sliders and the two result views."""
        s = self.settings
        self.isolation: dict[str, IsolationResult] = {}
        self.rows_changed = False  # set by a refresh that added or dropped rows
        self.cost: CostResult | None = None
        layout.addWidget(heading("Program, process and thread"))
        layout.addWidget(paragraph(EXPLANATION))

        layout.addWidget(heading("Running now"))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["process / thread", "pid/tid", "CPU s", "MB"])
        self.tree.setIndentation(14)  # the side panel is narrow: leave the width to the names
        self.tree.setMinimumHeight(TREE_HEIGHT_PX)
        self.tree.setUniformRowHeights(True)  # cheap relayout on every refresh
        self.tree.setAccessibleName("Processes and threads running now")
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree)
        self.tree_note = paragraph("")  # what this OS does not show; hidden on Linux
        self.tree_note.hide()
        layout.addWidget(self.tree_note)
        self.tree_timer = QTimer(self)
        self.tree_timer.setInterval(TREE_REFRESH_MS)
        self.tree_timer.timeout.connect(self._tree_tick)
        self._tree_quiet_after = 0.0
        client = self.lab.client
        for signal in (client.labStarted, client.runStarted, client.runFinished):
            signal.connect(lambda *_args: self._wake_tree())

        layout.addWidget(QLabel(CHOICE.caption))
        self.run_choice = SettingChoice(CHOICE, s, "process_thread", CHOICE_LABELS, self)
        self.choice_buttons = self.run_choice.buttons
        for button in self.choice_buttons.values():
            layout.addWidget(button)
        param = lesson.SCENARIO.param
        self.workers = SettingSlider(param("workers"), s, "process_thread")
        self.increments = SettingSlider(param("increments"), s, "process_thread")
        for slider in (self.workers, self.increments):
            layout.addWidget(slider)

        layout.addWidget(heading("Each worker saw / the parent sees"))
        self.isolation_label = paragraph("")
        self.isolation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.isolation_label)
        self.status_label = paragraph("Press Start (Space) to run the choice above.")
        layout.addWidget(self.status_label)

        layout.addWidget(heading("Cost per worker (start() to first line; memory)"))
        self.cost_table = QTableWidget(0, len(COST_COLUMNS))
        self.cost_table.setAccessibleName("Start time and memory per worker, threads and processes")
        self.cost_table.setHorizontalHeaderLabels(list(COST_COLUMNS))
        self.cost_table.verticalHeader().setVisible(False)
        self.cost_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cost_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.cost_table.setMinimumHeight(160)
        layout.addWidget(self.cost_table)
        self.cost_label = paragraph("Choose Cost and press Start to measure this machine.")
        layout.addWidget(self.cost_label)
        self._show_isolation()

    # ------------------------------------------------------------- settings
    def choice(self) -> str:
        """The run Start begins: a model of the isolation demo, or "cost"."""
        return self.run_choice.value()

    def params(self) -> dict[str, Any]:
        """The scenario's parameters from the current settings."""
        choice = self.choice()
        return {
            "phase": "cost" if choice == "cost" else "isolation",
            "model": "threads" if choice == "cost" else choice,
            "workers": self.workers.value(),
            "increments": self.increments.value(),
        }

    def join_deadline_s(self) -> float:
        """Spawning up to 63 processes on a loaded machine can take a while; then escalate."""
        return 180.0 if self.choice() == "cost" else 90.0

    # ---------------------------------------------------------------- the tree
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Refresh the tree while the tab is on screen."""
        super().showEvent(event)
        self.refresh_tree()
        self._wake_tree()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """A hidden tab reads nothing."""
        self.tree_timer.stop()
        super().hideEvent(event)

    def _wake_tree(self) -> None:
        """Something changed: refresh the tree for at least ``TREE_TAIL_S`` (if on screen)."""
        self._tree_quiet_after = time.monotonic() + TREE_TAIL_S
        if self.isVisible() and not self.tree_timer.isActive():
            self.tree_timer.start()

    def _tree_tick(self) -> None:
        self.refresh_tree()
        if self.lab.client.running:
            self._tree_quiet_after = time.monotonic() + TREE_TAIL_S
        elif time.monotonic() >= self._tree_quiet_after:
            self.tree_timer.stop()  # idle: the tree would only show the same rows again

    def _names(self) -> tuple[dict[int, str], dict[int, str]]:
        """Thread names by native id, and process names by pid, from what we know."""
        threads = {t.native_id: t.name for t in threading.enumerate() if t.native_id}
        processes = {os.getpid(): "GUI process"}
        if self.lab.pid:
            processes[self.lab.pid] = "Lab process"
        for lane in self.lab.store.lanes:
            if not lane.ident:
                continue
            if lane.kind is Kind.PROCESS:
                processes[lane.ident] = f"worker {lane.name}"
            else:
                threads[lane.ident] = lane.name
        return threads, processes

    def refresh_tree(self) -> None:
        """Read the process tree from the GUI process down and update the rows in place."""
        threads, processes = self._names()
        root = snapshot(os.getpid(), threads, processes)
        self.rows_changed = False
        self._sync(self.tree.invisibleRootItem(), [root] if root else [])
        self._show_tree_note(root.walk() if root else [])
        if self.rows_changed:
            # With ResizeToContents columns the view repaints only the cells whose text changed,
            # not rows added or dropped (seen on xcb and offscreen): new rows showed a CPU figure
            # and no name, and rows of ended threads stayed on screen. Repaint the tree then.
            self.tree.viewport().update()

    def _show_tree_note(self, nodes: list[ProcessInfo]) -> None:
        """Say what this system does not let the tree show (nothing on Linux)."""
        lines = []
        if not platform_support.has_proc():
            lines.append(
                "Threads the lessons did not start show without a name here: the kernel's "
                f"names for threads are read from {platform_support.PROC_MISSING}."
            )
        hidden = [node.name for node in nodes if not node.threads_readable]
        if hidden:
            lines.append(
                "This system does not let one process list another's threads (macOS allows it "
                f"only to root), so no threads are shown for: {escape(', '.join(hidden))}."
            )
        text = "<br>".join(f"<i>{line}</i>" for line in lines)
        if text != self.tree_note.text():
            self.tree_note.setText(text)
            self.tree_note.setVisible(bool(text))

    def _sync(self, parent: QTreeWidgetItem, nodes: list[ProcessInfo]) -> None:
        """Make ``parent``'s process rows match ``nodes``: update, add, remove; keep expansion."""
        existing = {child.data(0, KEY_ROLE): child for child in _children(parent)}
        for node in nodes:
            key = f"p{node.pid}"
            item = existing.pop(key, None)
            if item is None:
                self.rows_changed = True
                item = QTreeWidgetItem(parent)
                item.setData(0, KEY_ROLE, key)
                item.setExpanded(True)
                font = item.font(0)
                font.setBold(True)  # processes stand out from the threads inside them
                item.setFont(0, font)
            texts = (node.name, str(node.pid), f"{node.cpu_s:.2f}", f"{node.rss_mb:.0f}")
            _set_row(item, texts)
            count = f"{len(node.threads)} threads" if node.threads_readable else "threads unknown"
            tip = f"process {node.pid}: {count}, RSS {node.rss_mb:.0f} MB"
            if item.toolTip(0) != tip:
                item.setToolTip(0, tip)
            self._sync_threads(item, node)
            self._sync(item, node.children)
        for key, item in existing.items():
            if key.startswith("p"):
                self.rows_changed = True
                parent.removeChild(item)

    def _sync_threads(self, item: QTreeWidgetItem, node: ProcessInfo) -> None:
        existing = {child.data(0, KEY_ROLE): child for child in _children(item)}
        for thread in node.threads:
            key = f"t{thread.tid}"
            row = existing.pop(key, None)
            if row is None:
                self.rows_changed = True
                row = QTreeWidgetItem(item)
                row.setData(0, KEY_ROLE, key)
            name = thread.name or "(thread, no name reported)"
            _set_row(row, (name, str(thread.tid), f"{thread.cpu_s:.2f}", ""))
        for key, row in existing.items():
            if key.startswith("t"):
                self.rows_changed = True
                item.removeChild(row)

    def tree_rows(self) -> list[tuple[int, str, str]]:
        """Every row as (depth, first column, id column): for tests and screen readers."""
        rows: list[tuple[int, str, str]] = []

        def visit(item: QTreeWidgetItem, depth: int) -> None:
            for child in _children(item):
                rows.append((depth, child.text(0), child.text(1)))
                visit(child, depth + 1)

        visit(self.tree.invisibleRootItem(), 0)
        return rows

    # ------------------------------------------------------------- results
    def clear_result(self, message: str) -> None:
        """Keep earlier models' columns (they are the comparison); say what happens now."""
        self.status_label.setText(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """An isolation column, or the cost table, from the lab's figures."""
        figures = report.get("result", {})
        if report.get("failed") or "error" in figures:
            reason = report.get("failed") or figures.get("error")
            self.status_label.setText(f"The run did not complete: {escape(str(reason))}.")
            return
        try:
            result = read_result(figures)
        except (KeyError, TypeError, ValueError) as exc:
            self.status_label.setText(f"The run did not complete: {escape(str(exc))}.")
            return
        if isinstance(result, CostResult):
            self.cost = result
            self._show_cost(result)
            self.status_label.setText(f"Measured in {elapsed_s:.1f} s.")
            return
        if not result.complete():
            self.status_label.setText("Cancelled before every worker had read COUNTER.")
            return
        self.isolation[result.model] = result
        self._show_isolation()
        self.status_label.setText(result.verdict())

    def _show_isolation(self) -> None:
        """The three models as columns: what the workers saw, what the parent sees."""
        cells: dict[str, list[str]] = {"saw": [], "parent": [], "who": []}
        for model in MODEL_TITLES:
            figures = self.isolation.get(model)
            if figures is None:
                for row in cells.values():
                    row.append("-")
                continue
            saw = sorted(set(figures.saw))
            cells["saw"].append(f"{saw[0]:,} each" if len(saw) == 1 else ", ".join(map(str, saw)))
            cells["parent"].append(f"{figures.parent_sees:,}")
            who = figures.processes()
            where = "1 process" if who == 1 else f"{who} processes"
            cells["who"].append(f"{figures.workers} in {where}")
        head = "".join(f"<th>{t}</th>" for t in MODEL_TITLES.values())
        rows = "".join(
            f"<tr><td>{label}</td>{''.join(f'<td>{c}</td>' for c in cells[key])}</tr>"
            for key, label in (("who", "workers"), ("saw", "each saw"), ("parent", "parent sees"))
        )
        self.isolation_label.setText(
            f"<table cellpadding='3'><tr><th></th>{head}</tr>{rows}</table>"
        )

    def _show_cost(self, cost: CostResult) -> None:
        self.cost_table.setRowCount(len(cost.rows))
        for r, row in enumerate(cost.rows):
            texts = (
                f"{row.workers:g}",
                f"{row.thread_start_ms:.3f}",
                f"{row.process_start_ms:g}",
                f"{row.thread_rss_mb:.3f}",
                f"{row.process_rss_mb:g}",
            )
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.cost_table.setItem(r, c, item)
        self.cost_label.setText(cost.verdict())

    last_params: dict[str, Any] = lesson.DEFAULTS
