"""``--self-test``: a headless smoke test of the installed or frozen app.

It runs one thread lesson through the real lab process (the GUI's own LabClient) and one process
lesson (spawned workers reporting over sockets), checks that every worker lane reached DONE and
that no child process is left, prints a short report and returns 0 or 1. Every wait has a
deadline, so a broken bundle fails within about half a minute instead of hanging CI.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

LAB_READY_DEADLINE_S = 15.0
THREAD_RUN_DEADLINE_S = 10.0
PROCESS_RUN_DEADLINE_S = 10.0
CHILDREN_GONE_DEADLINE_S = 3.0
POLL_S = 0.02
THREAD_PARAMS = {"threads": 2, "steps": 2, "step_ms": 50, "kind": "io"}
PROCESS_PARAMS = {"steps": 2, "step_ms": 20, "kind": "cpu"}
PROCESS_WORKERS = 2


class Report:
    """Collects check lines; writes to stdout, else stderr, else a file (windowed frozen apps)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = False

    def check(self, ok: bool, what: str) -> bool:
        """Record one check."""
        self.lines.append(f"{'ok  ' if ok else 'FAIL'} {what}")
        self.failed |= not ok
        return ok

    def note(self, text: str) -> None:
        """Record a line that is not a check."""
        self.lines.append(f"     {text}")

    def write(self) -> Path | None:
        """Print the report; returns the file used when there was no console."""
        text = "\n".join(self.lines) + "\n"
        stream: TextIO | None = sys.stdout or sys.stderr  # None in a windowed Windows/macOS build
        if stream is not None:
            stream.write(text)
            stream.flush()
            return None
        import platformdirs

        folder = Path(platformdirs.user_log_dir("concurrency-lab", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "self-test.txt"
        path.write_text(text, encoding="utf-8")
        return path


def _children() -> list:
    """Live child processes, ignoring multiprocessing's resource tracker (it serves the session)."""
    import psutil

    alive = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" in " ".join(proc.cmdline()):
                continue
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        except psutil.AccessDenied:
            alive.append(proc)
    return alive


async def _wait_until(condition: Callable[[], bool], deadline_s: float) -> bool:
    """Poll ``condition`` while the Qt loop keeps running; False once the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL_S)
    return True


def _worker_lanes_done(finals: dict, lane_ids: list[int]) -> bool:
    from demos.events import State

    return bool(lane_ids) and all(finals.get(i, (None,))[0] is State.DONE for i in lane_ids)


async def thread_lesson(report: Report) -> None:
    """demos.multithreading in the lab process, read through the GUI's LabClient."""
    from app.lab_client import LabClient
    from demos.intervals import IntervalStore
    from demos.lab import FIRST_WORKER_LANE_ID

    client = LabClient(IntervalStore())
    started_at: list[float] = []
    client.runStarted.connect(lambda _payload: started_at.append(time.monotonic()))
    t0 = time.monotonic()
    client.start_lab()
    try:
        alive = await _wait_until(client.is_alive, LAB_READY_DEADLINE_S)
        if not report.check(alive, f"lab process started (pid {client.pid})"):
            return
        # The lab reads the command once it has imported its modules: that is part of the wait.
        sent = client.start_run("demos.multithreading", dict(THREAD_PARAMS))
        if not report.check(sent, "thread lesson sent to the lab"):
            return
        finished = await _wait_until(
            lambda: not client.running, LAB_READY_DEADLINE_S + THREAD_RUN_DEADLINE_S
        )
        if started_at:
            report.note(f"lab ran its first lesson {started_at[0] - t0:.2f} s after spawn")
        client.poll_events()
        workers = [ln.lane_id for ln in client.store.lanes if ln.lane_id >= FIRST_WORKER_LANE_ID]
        report.check(finished, "thread lesson finished")
        report.check(
            _worker_lanes_done(client.store.final_states(), workers)
            and len(workers) == THREAD_PARAMS["threads"],
            f"thread lesson: {len(workers)} thread lanes DONE, "
            f"{client.events_received} events received",
        )
    finally:
        forced = client.stop_lab()
        report.check(forced is None, "lab process stopped cleanly")


def process_lesson(report: Report) -> None:
    """Spawned worker processes (the frozen executable relaunched by freeze_support)."""
    from demos.events import Kind
    from demos.multithreading import step_worker
    from demos.twin import run_locally
    from demos.worker import WorkerSpec

    specs = [
        WorkerSpec(f"Process-{i + 1}", step_worker, dict(PROCESS_PARAMS))
        for i in range(PROCESS_WORKERS)
    ]
    t0 = time.monotonic()
    # run_locally drains each worker's socket with a SocketPump into a ListSink; it joins with
    # the deadline and escalates (terminate, then kill) past it.
    run, store = run_locally(Kind.PROCESS, specs, timeout_s=PROCESS_RUN_DEADLINE_S)
    lane_ids = [w.lane_id for w in run.workers]
    idents = [ln.ident for ln in store.lanes if ln.ident]
    report.check(
        _worker_lanes_done(store.final_states(), lane_ids),
        f"process lesson: {len(lane_ids)} process lanes DONE in {time.monotonic() - t0:.2f} s, "
        f"{store.count} events, pids {idents}",
    )


def _check_icon(report: Report) -> None:
    # Proves resources/ and the SVG image plugin made it into the bundle.
    from app.resources import app_icon

    report.check(not app_icon().pixmap(32, 32).isNull(), "icon loads from resources/")


def _check_plot(report: Report) -> None:
    # pyqtgraph imports parts of itself lazily; a missing module shows here, not at start-up.
    import pyqtgraph as pg

    widget = pg.PlotWidget()
    widget.plot([0, 1, 2], [0, 1, 0])
    widget.resize(160, 120)
    ok = not widget.grab().isNull()
    widget.deleteLater()
    report.check(ok, "pyqtgraph draws offscreen")


async def _run_checks(report: Report) -> None:
    await thread_lesson(report)
    process_lesson(report)
    gone = await _wait_until(lambda: not _children(), CHILDREN_GONE_DEADLINE_S)
    left = _children()
    report.check(gone, f"no child process left ({len(left)} found)")
    for proc in left:  # leave nothing behind even when failing
        proc.kill()


def run_self_test(argv: list[str]) -> int:
    """Run the checks headless; 0 when all pass, 1 otherwise."""
    # Headless always: CI has no display, and a self-test should never open a window.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.startup import make_application, setup_logging

    log_path = setup_logging()
    app = make_application([a for a in argv if a != "--self-test"])
    import qasync  # after PySide6 (imported by startup), so qasync picks this binding

    from app import __version__

    report = Report()
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    report.note(f"Concurrency Lab {__version__} self-test ({frozen}, {sys.platform})")
    t0 = time.monotonic()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        _check_icon(report)
        _check_plot(report)
        with loop:
            loop.run_until_complete(_run_checks(report))
    except Exception as exc:  # noqa: BLE001 - a crash is a failed check, with its reason
        report.check(False, f"self-test crashed: {type(exc).__name__}: {exc}")
    report.note(f"log: {log_path}")
    result = "FAILED" if report.failed else "PASSED"
    report.lines.append(f"self-test {result} in {time.monotonic() - t0:.1f} s")
    report.write()
    return 1 if report.failed else 0
