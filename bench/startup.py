"""Cold start to the first painted window: Concurrency Lab against a bare PySide6 + pyqtgraph
window. Each child prints when its window gets its first paint event; the parent times from
launch to that line."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(pg.PlotWidget()); w.resize(1400, 860)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            print('painted', flush=True); app.removeEventFilter(self); app.quit()
        return False
f = F(); app.installEventFilter(f); w.show(); app.exec()
"""


def _time_to_paint(args: list[str], mode: str = "1") -> float:
    # A first start every time, and the user's own settings left alone.
    with tempfile.TemporaryDirectory(prefix="bench-config-") as config:
        env = {
            **os.environ,
            "CONCURRENCY_LAB_QUIT_AFTER_PAINT": mode,
            "XDG_CONFIG_HOME": config,
        }
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("painted"):
                elapsed = time.perf_counter() - t0
                break
        else:
            raise RuntimeError(f"{args} never painted")
        proc.wait(30)
    return elapsed


def run() -> list[dict]:
    """Median of interleaved rounds, and the ratio to the bare window."""
    app, lesson, bare = [], [], []
    for _ in range(ROUNDS):
        bare.append(_time_to_paint([sys.executable, "-c", BARE]))
        app.append(_time_to_paint([sys.executable, "-m", "app"]))
        lesson.append(_time_to_paint([sys.executable, "-m", "app"], mode="lesson"))
    base = statistics.median(bare)
    ratio = statistics.median(app) / base
    lesson_ratio = statistics.median(lesson) / base
    return [
        {
            "name": "cold start to first painted window",
            "value": f"{statistics.median(app) * 1000:.0f} ms = {ratio:.2f}x bare "
            f"({base * 1000:.0f} ms)",
            "goal": "<= 1.5x a bare PySide6 + pyqtgraph window",
            "ok": ratio <= 1.5,
        },
        {
            "name": "cold start to the first lesson's timeline painted",
            "value": f"{statistics.median(lesson) * 1000:.0f} ms = {lesson_ratio:.2f}x bare",
            "goal": "(no goal; the lesson is built right after the first paint)",
            "ok": True,
        },
    ]


if __name__ == "__main__":
    print(run())
