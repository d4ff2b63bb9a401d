"""Condition, Event and RLock pages: each twin's truth measured on real threads (wait_for never
loses a wake-up, if does; one set() wakes every waiter within a few ms; an RLock re-enters where
a Lock deadlocks on itself, detected and recovered), and the tab runs each through the lab."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from demos import primitives
from demos.events import Kind, State
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = [pytest.mark.timeout(120)]
ROOT = Path(__file__).resolve().parent.parent


def run_here(primitive: str, **params: Any) -> tuple[dict[str, Any], ListSink, Run]:
    """One run in this process; returns its figures, its events and the run."""
    sink = ListSink()
    specs = primitives.build_workers(primitive, **params)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    assert run.join(primitives.deadline_s(primitive, **params)).ended
    return primitives.result(specs), sink, run


def details(sink: ListSink, state: State) -> list[str]:
    return [d for _, _, s, d in sink.events if s == int(state)]


def marks(sink: ListSink) -> list[str]:
    return [payload[1] for kind, payload in sink.messages if kind == "mark"]


def no_worker_thread_left(run: Run) -> bool:
    names = {w.spec.name for w in run.workers}
    return not any(t.name in names for t in threading.enumerate())


# Consumers faster than the producer, so all three wait whenever an item comes.
QUICK_CONDITION = {"producers": 1, "consumers": 3, "items": 6, "produce_ms": 30, "consume_ms": 5}


# ---------------------------------------------------------------- condition
def test_condition_wait_for_loses_no_wake_up() -> None:
    figures, sink, run = run_here("condition", **QUICK_CONDITION)
    assert figures["stolen"] == 0
    assert figures["consumed"] == figures["items"] == 6
    # The same contention as with if: woken for an item another consumer took, it waited again.
    assert figures["rechecked"] > 0, figures
    assert figures["verdict"].startswith("0 stolen wake-ups")
    assert any("wait_for" in d for d in details(sink, State.BLOCKED))
    assert all(w.outcome.state is State.DONE for w in run.workers)


def test_condition_if_instead_of_while_steals_wake_ups() -> None:
    figures, sink, run = run_here("condition", **QUICK_CONDITION, if_not_while=True)
    # Each item wakes three waiting consumers and only one finds it.
    assert figures["stolen"] >= 6, figures
    assert figures["consumed"] == 6
    told = f"{figures['stolen']} of {figures['wakeups']} wake-ups were stolen"
    assert told in figures["verdict"]
    assert any("IndexError" in d for d in details(sink, State.RUNNING))
    assert [m for m in marks(sink) if m.startswith("first stolen wake-up")] == [marks(sink)[0]]
    assert all(w.outcome.state is State.DONE for w in run.workers)


def test_a_waiting_consumer_is_cancelled_promptly() -> None:
    sink = ListSink()
    specs = primitives.build_workers("condition", consumers=2, items=5, produce_ms=500)
    run = Run(Kind.THREAD, specs, sink)
    run.start()
    deadline = time.monotonic() + 10
    while not details(sink, State.BLOCKED):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    report = run.cancel(3.0)
    assert report.ended
    assert not report.escalations
    assert all(w.outcome.state is State.CANCELLED for w in run.workers)


# -------------------------------------------------------------------- event
@pytest.mark.serial  # measures wake-up latency: alone, not beside other tests
def test_one_set_releases_eight_waiters_within_a_few_ms() -> None:
    figures, sink, _ = run_here("event", waiters=8, rounds=2, delay_ms=50)
    assert figures["released"] == [8, 8]
    assert figures["spread_ms"] < 20, figures
    assert figures["latency_ms"] < 20, figures
    assert marks(sink) == ["Event.set() (round 1)", "Event.set() (round 2)"]
    blocked = details(sink, State.BLOCKED)
    assert sum("event.wait()" in d for d in blocked) == 16  # every waiter, every round


# -------------------------------------------------------------------- rlock
def test_rlock_re_enters_where_a_lock_deadlocks_on_itself_and_recovers() -> None:
    t0 = time.perf_counter()
    figures, sink, run = run_here("rlock", depth=4, level_ms=20, detect_ms=200)
    assert time.perf_counter() - t0 < 5
    assert figures["rlock_ok"]
    assert figures["rlock_depth"] == 4
    assert figures["lock_deadlocked"]
    assert figures["lock_stuck_at"] == 2
    assert figures["lock_depth"] == 1
    assert figures["recovered"] is True
    assert figures["verdict"].startswith("Lock deadlocked on itself at depth 2, RLock fine")
    assert "Lock deadlocked on itself at depth 2" in marks(sink)
    assert any("waits for itself" in d for d in details(sink, State.BLOCKED))
    assert any("RLock held 4x" in d for d in details(sink, State.RUNNING))
    assert all(w.outcome.state is State.DONE for w in run.workers)
    assert no_worker_thread_left(run)


# --------------------------------------------------------------------- twin
def run_twin(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.primitives", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_twins_print_their_truths() -> None:
    quick = ["--items", "4", "--produce-ms", "30", "--consume-ms", "5"]
    assert run_twin("condition", *quick)["stolen"] == 0
    assert run_twin("condition", *quick, "--if-not-while")["stolen"] > 0
    event = run_twin("event", "--waiters", "4", "--rounds", "1", "--delay-ms", "20")
    assert event["released"] == [4]
    rlock = run_twin("rlock", "--depth", "3", "--level-ms", "10", "--detect-ms", "100")
    assert (rlock["rlock_depth"], rlock["lock_stuck_at"], rlock["recovered"]) == (3, 2, True)


# ---------------------------------------------------------------------- GUI
@pytest.mark.gui
def test_tab_runs_condition_event_and_rlock_through_the_lab(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lessons.primitives import PrimitivesTab
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.lab.is_alive() and win.lab.pid is not None, timeout=20_000)
    index = next(i for i, t in enumerate(win.lessons) if isinstance(t, PrimitivesTab))
    win.tabs.setCurrentIndex(index)
    tab = win.current_lesson()
    assert isinstance(tab, PrimitivesTab)
    saved = tab.current(), tab.switches["condition"]["if_not_while"].isChecked()

    def run(primitive: str, **values: int) -> None:
        tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index(primitive))
        for key, value in values.items():
            tab.sliders[primitive][key].setValue(value)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=30_000)
        qtbot.waitUntil(lambda: tab.verdicts[primitive].text() != "Running...", timeout=5000)

    try:
        tab.switches["condition"]["if_not_while"].setChecked(True)
        run("condition", consumers=3, items=4, produce_ms=30, consume_ms=5)
        assert "wake-ups were stolen" in tab.verdicts["condition"].text()
        assert tab.last_params["if_not_while"] is True
        assert ">0<" not in tab.figures["condition"]["stolen"].text()
        assert tab.code_scenario == "demos.primitives.condition"

        run("event", waiters=4, rounds=1, delay_ms=20)
        assert "released all 4 waiters" in tab.verdicts["event"].text()
        assert "ms" in tab.figures["event"]["spread"].text()
        assert any(m.label.startswith("Event.set()") for m in win.store.marks)

        run("rlock", depth=3, level_ms=10, detect_ms=100)
        verdict = tab.verdicts["rlock"].text()
        assert "Lock deadlocked on itself at depth 2, RLock fine" in verdict
        assert "3 / 3" in tab.figures["rlock"]["rlock"].text()

        win.code_panel.show()  # the page's own module, written with `with`
        win.code_panel.update_view()
        code = win.code_panel.source.toPlainText()
        assert "def descend(" in code
        assert "    with lock:\n" in code
        assert "demos.primitives rlock --depth 3" in win.code_panel.command.text()
    finally:
        win.code_panel.hide()
        tab.primitive.setCurrentIndex(primitives.PRIMITIVES.index(saved[0]))
        tab.switches["condition"]["if_not_while"].setChecked(saved[1])
        win.tabs.setCurrentIndex(0)  # leave the remembered tab as other GUI tests expect it
        win.close()
