"""The Thread states tab: Python's one question (is_alive), the lesson's states, the kernel's
states and a pool's Future states, side by side, each labelled with where it comes from."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.lesson import LessonTab, heading, paragraph
from app.palette import STATE_HELP
from app.param_widgets import SettingCombo
from app.state_diagram import StateDiagram
from demos import future_states
from demos import thread_states as lesson
from demos.events import State
from demos.kernel_states import available, kernel_state_meaning, kernel_states
from demos.lab import MAIN_LANE_ID
from demos.thread_states_result import ThreadStatesResult

OS_REFRESH_S = 0.5  # the kernel view is read about twice a second, not on every frame

SCENARIO_TITLES = {
    "deck": "The deck's example: is_alive() four times",
    "mix": "Sleep, CPU and a contended lock at once",
    "futures": "ThreadPoolExecutor: Future states and cancel()",
}

EXPLANATION = (
    "<code>threading.Thread</code> has <b>no state enum</b>. The only question Python answers "
    "about a thread is <code>is_alive()</code>: False before <code>start()</code>, True from "
    "then until its function returns, False again afterwards. Once started it also has an "
    "<code>ident</code> and a <code>native_id</code> (the OS thread id); before that both are "
    "None. That is all."
    "<br><br>The deck's slide lists RUNNING, FINISHED, CANCELLED, NEW, STARTING, WAITING, "
    "LOCKED and TERMINATED (and notes that <i>Runnable</i> is part of WAITING). No Python "
    "object has those states; the list mixes three things. NEW, STARTING and TERMINATED "
    "describe a thread's life, which Python reports only as <code>is_alive()</code>. WAITING and "
    "LOCKED say what a thread is doing (sleeping; waiting for a lock): the lesson's own labels "
    "below call these WAITING and BLOCKED. RUNNING, CANCELLED and FINISHED (with PENDING, "
    "which the slide leaves out) are the states of a <code>concurrent.futures.Future</code>: a "
    "piece of work handed to a pool, not a thread."
    "<br><br>Where each state here comes from:"
    "<ul>"
    "<li><b>Timeline and diagram</b>: the lesson's own labels. Each worker reports what it is "
    "about to do (run Python, sleep, wait for a lock) at the moment it does it.</li>"
    "<li><b>is_alive() answers</b>: <code>Thread.is_alive()</code>, asked by the <i>main</i> "
    "lane.</li>"
    "<li><b>Kernel column</b>: the OS scheduler's letter for each thread, read from "
    "<code>/proc/&lt;pid&gt;/task/&lt;tid&gt;/stat</code>. On a standard (GIL) build a thread "
    "that wants the GIL but does not hold it sleeps in the kernel (S) although the lesson calls "
    "it running; on a free-threaded build every computing thread shows R (running, or "
    "ready for a core).</li>"
    "<li><b>Futures table</b>: <code>cancelled()</code>, <code>done()</code> and "
    "<code>running()</code> of each Future, polled by <i>main</i>.</li>"
    "</ul>"
)

FUTURES_EXPLANATION = (
    "Two pool threads, six tasks: four wait in the pool's queue as PENDING. "
    "<code>cancel()</code> on a queued future returns True: the pool simply never starts it. "
    "On a running future it returns False: the task is already executing on a pool thread, "
    "and Python has no way to stop a thread from outside. Only the task itself can stop, by "
    "checking a flag, as the lab's workers do when you press Cancel."
)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(150)
    return table


def _set_row(
    table: QTableWidget, row: int, values: list[str], tips: list[str] | None = None
) -> None:
    for column, value in enumerate(values):
        item = table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            table.setItem(row, column, item)
        if item.text() != value:
            item.setText(value)
        if tips and tips[column]:
            item.setToolTip(tips[column])


class ThreadStatesTab(LessonTab):
    """Lesson: what "thread state" means in Python, for the OS, and for a Future."""

    title = "Thread states"
    scenario = "demos.thread_states"
    speaker_notes = (
        "<p><b>Start with the deck's example.</b> Before pressing Start, ask the room what "
        "<code>is_alive()</code> prints four times. Then watch the answers appear: False, True, "
        "True, False. Point at <i>main</i> turning vermillion while it sits in "
        "<code>join()</code>.</p>"
        "<p>Say it plainly: that boolean is <i>all</i> Python tells you. The coloured states are "
        "the lesson's labels; the diagram counts them.</p>"
        "<p><b>Mix</b>: green, blue and vermillion at once. Now the OS table: the sleepers and "
        "the queued lockers are S, and on a GIL build so are the computing threads that are "
        "waiting for the GIL: only the thread holding it shows R. (Free-threaded: all of "
        "them R.)</p>"
        "<p><b>Futures</b>: the slide's RUNNING/CANCELLED/FINISHED come from here, with "
        "PENDING, which the slide leaves out. "
        "cancel() on future 0 says False (it is running), on futures 4 and 5 True (still "
        "queued). Ask why: nothing in Python can stop a running thread from outside.</p>"
    )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """Explanation, scenario selector, diagram, answers, OS view and futures table."""
        layout.addWidget(heading("Thread states: what Python really exposes"))
        layout.addWidget(paragraph(EXPLANATION))
        # A drop-down, not radio buttons: the titles are long.
        param = lesson.SCENARIO.param("scenario")
        scenario_label = QLabel(param.caption)
        layout.addWidget(scenario_label)
        self.scenario_box = SettingCombo(param, self.settings, "thread_states", SCENARIO_TITLES)
        scenario_label.setBuddy(self.scenario_box)
        self.scenario_box.currentIndexChanged.connect(self._on_scenario_changed)
        layout.addWidget(self.scenario_box)

        layout.addWidget(heading("State diagram (threads in each state now)"))
        self.diagram = StateDiagram()
        self.diagram.setToolTip(
            "<br>".join(f"<b>{s.name}</b>: {STATE_HELP[s]}" for s in StateDiagram.NODES)
        )
        layout.addWidget(self.diagram)

        self.answers_heading = heading("is_alive() answers, as main asked")
        layout.addWidget(self.answers_heading)
        self.answers = QListWidget()
        self.answers.setMaximumHeight(100)
        layout.addWidget(self.answers)

        self.futures_box = QFrame()
        futures_layout = QVBoxLayout(self.futures_box)
        futures_layout.setContentsMargins(0, 0, 0, 0)
        futures_layout.addWidget(heading("Futures (public API: running(), done(), cancelled())"))
        self.futures_table = _table(["future", "now", "states seen", "cancel()"])
        self.futures_table.setAccessibleName("Futures and their states")
        futures_layout.addWidget(self.futures_table)
        futures_layout.addWidget(paragraph(FUTURES_EXPLANATION))
        layout.addWidget(self.futures_box)

        layout.addWidget(heading("OS view: the lab's threads"))
        self.os_note = paragraph("")
        layout.addWidget(self.os_note)
        self.os_table = _table(["native id", "lane", "lesson state", "kernel"])
        self.os_table.setAccessibleName("The lab's threads: lesson state and kernel state")
        layout.addWidget(self.os_table)
        if not available():
            self.os_table.hide()
            self.os_note.setText(
                "Not available on this system: per-thread kernel states are read from "
                "<code>/proc</code>, which only Linux provides."
            )

        layout.addWidget(heading("Last run"))
        self.verdict_label = paragraph("Press Start (Space) to play the scenario.")
        layout.addWidget(self.verdict_label)
        self._os_refreshed = 0.0
        self._seen_version = -1
        self._on_scenario_changed()

    # ------------------------------------------------------------ settings
    def chosen_scenario(self) -> str:
        """The key of the selected scenario."""
        return str(self.scenario_box.currentData())

    def _on_scenario_changed(self, *_: object) -> None:
        scenario = self.chosen_scenario()
        self.futures_box.setVisible(scenario == "futures")
        deck = scenario == "deck"
        self.answers_heading.setVisible(deck)
        self.answers.setVisible(deck)

    def params(self) -> dict[str, Any]:
        """The scenario to play."""
        return {"scenario": self.chosen_scenario()}

    def join_deadline_s(self) -> float:
        """Every scenario ends within a few seconds; this leaves ample room."""
        return 20.0

    # --------------------------------------------------------------- live
    def refresh_plots(self) -> None:
        """Timeline as usual; the diagram, answers and futures when the store changed; the
        kernel view about twice a second."""
        super().refresh_plots()
        store = self.lab.store
        if store.version != self._seen_version:
            self._seen_version = store.version
            self.update_live_views()
        now = time.monotonic()
        if now - self._os_refreshed >= OS_REFRESH_S:
            self._os_refreshed = now
            self.update_os_view()

    def lesson_lanes(self) -> list[Any]:
        """The scenario's lanes: every lane but the lab's own MainThread."""
        return [lane for lane in self.lab.store.lanes if lane.lane_id != MAIN_LANE_ID]

    def state_counts(self) -> dict[State, int]:
        """How many of the scenario's lanes are in each state now (latest event per lane)."""
        counts: dict[State, int] = {}
        for lane in self.lesson_lanes():
            state = self.lab.store.current_state(lane.lane_id)
            if state is not None:
                counts[state] = counts.get(state, 0) + 1
        return counts

    def alive_answers(self) -> list[tuple[str, bool]]:
        """The deck's checks seen so far: main's IS_ALIVE values."""
        return [
            (v["step"], bool(v["alive"])) for _t, _ln, v in self.lab.store.values(lesson.IS_ALIVE)
        ]

    def future_rows(self) -> dict[int, dict[str, Any]]:
        """Each future's states and cancel() answer, from main's FUTURE_STATE and FUTURE_CANCEL
        values."""
        store = self.lab.store
        rows: dict[int, dict[str, Any]] = {}
        for _t, _ln, value in store.values(future_states.FUTURE_STATE):
            entry = rows.setdefault(int(value["task"]), {"states": [], "cancel": None})
            if not entry["states"] or entry["states"][-1] != value["state"]:
                entry["states"].append(value["state"])
        for _t, _ln, value in store.values(future_states.FUTURE_CANCEL):
            entry = rows.setdefault(int(value["task"]), {"states": [], "cancel": None})
            entry["cancel"] = bool(value["returned"])
        return rows

    def update_live_views(self) -> None:
        """Diagram counts, the is_alive() list and the futures table, from the store."""
        self.diagram.set_counts(self.state_counts())
        answers = self.alive_answers()
        if self.answers.count() != len(answers):
            self.answers.clear()
            for step, alive in answers:
                self.answers.addItem(f"{step}: is_alive() -> {alive}")
        rows = {} if self.futures_box.isHidden() else self.future_rows()
        self.futures_table.setRowCount(len(rows))
        for r, (index, entry) in enumerate(sorted(rows.items())):
            cancel = entry["cancel"]
            states = entry["states"]
            _set_row(
                self.futures_table,
                r,
                [
                    f"future {index}",
                    states[-1] if states else "-",
                    " -> ".join(states),
                    "-" if cancel is None else str(cancel),
                ],
            )

    def update_os_view(self) -> None:
        """The lab's threads: native id, the lane on it, the lesson's state, the kernel's."""
        if not available():
            return
        pid = self.lab.pid
        states = kernel_states(pid) if pid else {}
        if not states:
            self.os_note.setText("No lab process to look at yet.")
            self.os_table.setRowCount(0)
            return
        self.os_note.setText(
            f"Lab process {pid}: {len(states)} threads, read from "
            f"<code>/proc/{pid}/task/*/stat</code>. Threads without a lane are the lab's own "
            "helpers (message flusher, watcher) or idle pool threads."
        )
        store = self.lab.store
        lane_of: dict[int, Any] = {}
        for lane in store.lanes:
            if not lane.ident:
                continue
            # Pool threads run several futures in turn: show the one not yet ended.
            current = lane_of.get(lane.ident)
            state = store.current_state(lane.lane_id)
            if current is None or (state is not None and not state.is_terminal):
                lane_of[lane.ident] = lane
        ordered = sorted(states, key=lambda tid: (tid not in lane_of, tid))
        self.os_table.setRowCount(len(ordered))
        for r, tid in enumerate(ordered):
            letter = states[tid]
            tid_lane = lane_of.get(tid)
            state = store.current_state(tid_lane.lane_id) if tid_lane is not None else None
            _set_row(
                self.os_table,
                r,
                [
                    str(tid),
                    tid_lane.name if tid_lane is not None else "-",
                    state.name if state is not None else "-",
                    f"{letter}  {kernel_state_meaning(letter)}",
                ],
                ["", "", STATE_HELP[state] if state is not None else "", ""],
            )

    # ------------------------------------------------------------ results
    def clear_result(self, message: str) -> None:
        """Forget the last run's answers and tables."""
        self.verdict_label.setText(message)
        self.answers.clear()
        self.futures_table.setRowCount(0)
        self.diagram.set_counts({})
        self._seen_version = -1

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """What the run showed, in a sentence or two, from the lab's own record."""
        outcomes = report.get("outcomes", {})
        cancelled = any(state == int(State.CANCELLED) for state, _ in outcomes.values())
        figures = report.get("result") or {}
        if report.get("failed"):
            text = f"The run was cut short: {report['failed']}."
        elif cancelled:
            text = f"Cancelled after {elapsed_s:.2f} s: every thread stopped at a checkpoint."
        elif "checks" not in figures:
            text = f"No figures: {figures.get('error', 'the run did not report')}."
        else:
            result = ThreadStatesResult.from_json(figures)
            together = result.all_three_at_once_s
            if result.scenario == "mix" and together is None:
                trio = (State.RUNNING, State.WAITING, State.BLOCKED)
                store = self.lab.store
                together = round(lesson.states_at_once_s(store, trio, 5_000_000, MAIN_LANE_ID), 3)
            result = replace(result, all_three_at_once_s=together, elapsed_s=elapsed_s)
            text = result.verdict()
        self.verdict_label.setText(text)
        self._seen_version = -1
        self.update_live_views()

    last_params: dict[str, Any] = lesson.DEFAULTS
