"""Soak: the real window runs lesson after lesson through the lab for minutes, and the memory of
the GUI and the lab is read every 30 s. A leak shows as memory that keeps climbing instead of
levelling off. Not part of ``make bench`` (it takes minutes):

    QT_QPA_PLATFORM=offscreen python -m bench.soak --minutes 10
"""

from __future__ import annotations

import argparse
import sys
import time

import psutil

# Lab lessons and short settings: a run every few seconds, threads and processes both.
RUNS = [
    ("Multithreading", {"threads": 8, "steps": 3, "step_ms": 100}),
    ("Concurrency vs parallelism", {"workers": 2, "total_ms": 400}),
    ("Multiprocessing", {}),
    ("Synchronization primitives", {}),
]
SAMPLE_S = 30.0


def _mb(pid: int | None) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / 2**20 if pid else 0.0
    except psutil.NoSuchProcess:
        return 0.0


def main(argv: list[str] | None = None) -> int:
    """Run lessons for ``--minutes`` and print the memory table."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--minutes", type=float, default=10.0)
    minutes = parser.parse_args(argv).minutes

    from bench.bench_app import bench_application

    app, _loop = bench_application()
    from app.main_window import MainWindow

    window = MainWindow()
    window.resize(1600, 900)
    window.show()

    def pump(seconds: float, until: object = None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if callable(until) and until():
                return
            time.sleep(0.005)

    pump(30, lambda: window.lab.is_alive() and window.lab.pid is not None)
    finished: list[object] = []
    window.lab.runFinished.connect(finished.append)  # lab runs that really ended
    t0 = time.monotonic()
    runs = failures = 0
    rows = [(0.0, psutil.Process().memory_info().rss / 2**20, _mb(window.lab.pid))]
    next_sample = t0 + SAMPLE_S
    while time.monotonic() - t0 < minutes * 60:
        title, values = RUNS[runs % len(RUNS)]
        window.tabs.setCurrentIndex(window.lessons.titles.index(title))
        lesson = window.current_lesson()
        for name, value in values.items():
            widget = getattr(lesson, name, None)
            if widget is not None:
                widget.setValue(value)
        window.start()
        pump(5, lambda: window.runs.is_running())
        pump(30, lambda: not window.runs.any_running())
        if window.runs.any_running():  # a run that will not end: cancel it, as a user would
            failures += 1
            window.cancel()
            pump(10, lambda: not window.runs.any_running())
        runs += 1
        if time.monotonic() >= next_sample:
            rows.append(
                (
                    time.monotonic() - t0,
                    psutil.Process().memory_info().rss / 2**20,
                    _mb(window.lab.pid),
                )
            )
            next_sample += SAMPLE_S
    window.close()
    pump(3)
    print(
        f"{runs} runs started, {len(finished)} lab runs finished, in {minutes:g} min "
        f"({failures} cancelled after 30 s)"
    )
    print("| minute | GUI RSS MB | lab RSS MB |")
    print("|---|---|---|")
    for at, gui, lab in rows:
        print(f"| {at / 60:.1f} | {gui:.1f} | {lab:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
