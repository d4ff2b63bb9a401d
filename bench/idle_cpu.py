"""GUI process CPU when idle, with a finished or paused run on screen, and during a 64-thread run.

The real MainWindow runs offscreen in a process of its own (so nothing else of the benchmark
counts): that child measures its own CPU time (psutil, every thread of the GUI process, not the
lab) over a window of the Qt event loop, then counts repaints in a shorter window of its own (the
paint counter is an event filter, kept out of the CPU windows because it costs CPU itself).
It prints one JSON row per line; :func:`run` turns them into benchmark rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

IDLE_GOAL_PCT = 1.0
RUN_GOAL_PCT = 10.0
MEASURE_S = 12.0
PAINT_S = 3.0
SETTLE_S = 2.0
LESSON_MEASURE_S = 4.0
CHILD_TIMEOUT_S = 300.0


def run() -> list[dict]:
    """Start the measuring child and return its rows (name, value, goal, ok)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.idle_cpu", "--child"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not rows:
        raise RuntimeError(f"idle_cpu child failed ({done.returncode}): {done.stderr[-2000:]}")
    return rows


def _row(name: str, cpu_pct: float, goal_pct: float, paints: float | None = None) -> dict:
    value = f"{cpu_pct:.2f} % of one core"
    if paints is not None:
        value += f", {paints:.1f} paint events/s"
    return {
        "name": name,
        "value": value,
        "goal": f"<= {goal_pct:g} %" + (", 0 paint events/s" if paints is not None else ""),
        "ok": cpu_pct <= goal_pct and (paints is None or paints == 0),
        "cpu_pct": cpu_pct,
        "paints_per_s": paints,
    }


# ----------------------------------------------------------------------------- the child
def _child() -> int:  # noqa: PLR0915 - one scripted session, read top to bottom
    """The measuring process: one window, each situation in turn, one JSON row each."""

    import psutil
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    from app.main_window import MainWindow
    from bench.bench_app import bench_application

    app, loop = bench_application()  # settings of its own, never the user's
    me = psutil.Process()

    class PaintCounter(QObject):
        count = 0

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    def spin(seconds: float) -> None:
        # A real event loop, as the app runs: it sleeps in the OS until something is due.
        waiter = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), waiter.quit)
        waiter.exec()

    def wait(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("benchmark set-up did not reach its condition")
            spin(0.02)

    def cpu_pct(seconds: float) -> float:
        before, t0 = me.cpu_times(), time.perf_counter()
        spin(seconds)
        after, t1 = me.cpu_times(), time.perf_counter()
        used = (after.user - before.user) + (after.system - before.system)
        return 100.0 * used / (t1 - t0)

    def paints_per_s(seconds: float) -> float:
        counter = PaintCounter()
        app.installEventFilter(counter)
        spin(seconds)
        app.removeEventFilter(counter)
        return counter.count / seconds

    def emit(row: dict[str, Any]) -> None:
        print(json.dumps(row), flush=True)

    def idle_row(name: str) -> None:
        emit(_row(name, cpu_pct(MEASURE_S), IDLE_GOAL_PCT, paints_per_s(PAINT_S)))

    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    try:
        wait(window.lab.is_alive)
        spin(SETTLE_S + 1.0)  # the lab's start and the first paints are not idle time
        first = window.current_lesson().title
        idle_row(f"GUI idle, first lesson ({first})")

        titles = [lesson.title for lesson in window.lessons]
        window.tabs.setCurrentIndex(titles.index("Multithreading"))
        tab = window.current_lesson()
        tab.kind_cpu.setChecked(True)
        tab.threads.setValue(4)
        tab.steps.setValue(3)
        tab.step_ms.setValue(50)
        window.start()
        wait(lambda: not window.runs.is_running() and window.store.count > 0)
        spin(SETTLE_S)
        idle_row("GUI idle, Multithreading, finished run on screen")

        tab.threads.setValue(8)
        tab.steps.setValue(50)
        tab.step_ms.setValue(1000)
        window.start()
        wait(lambda: len(window.store.lanes) >= 9)
        window.toggle_pause()
        spin(SETTLE_S)
        idle_row("GUI idle, Multithreading, paused run (8 threads)")
        window.cancel()
        wait(lambda: not window.runs.is_running())

        tab.threads.setValue(64)
        tab.steps.setValue(50)
        tab.step_ms.setValue(1000)
        window.start()
        wait(lambda: len(window.store.lanes) >= 65)
        spin(SETTLE_S)
        name = "GUI during a 64-thread CPU run (GUI process only)"
        emit(_row(name, cpu_pct(MEASURE_S), RUN_GOAL_PCT))
        window.cancel()
        wait(lambda: not window.runs.is_running())

        worst, worst_title = -1.0, ""
        for index, title in enumerate(titles):
            window.tabs.setCurrentIndex(index)
            spin(SETTLE_S)
            pct = cpu_pct(LESSON_MEASURE_S)
            if pct > worst:
                worst, worst_title = pct, title
        emit(_row(f"GUI idle, worst lesson ({worst_title})", worst, IDLE_GOAL_PCT))
    finally:
        window.close()
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        raise SystemExit(_child())
    for row in run():
        print(row)
