"""The frozen bundle (``make package``), started as a user starts it: a thread lesson and a
process lesson through its lab, then closed with nothing left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from window_app import ROOT, figure, steps_between, wait_for

# CONCURRENCY_LAB_BUNDLE points at another build (one made outside dist/, say).
BUNDLE = Path(
    os.environ.get("CONCURRENCY_LAB_BUNDLE", ROOT / "dist" / "ConcurrencyLab" / "ConcurrencyLab")
)


@pytest.mark.timeout(150)
def test_frozen_bundle_runs_a_thread_and_a_process_lesson(launch) -> None:  # noqa: ANN001
    if not BUNDLE.exists():
        pytest.skip(f"no frozen bundle at {BUNDLE}: `make package` builds it")
    app = launch(
        "--lesson", "multithreading", "--set", "threads=4", "--set", "kind=cpu",
        "--set", "steps=2", "--set", "step-ms=300", exe=BUNDLE,
    )  # fmt: skip
    app.wait_title("Concurrency Lab - Multithreading")
    app.wait_log(r"lab \d+ ready", 60.0)
    lab = app.lab()
    threads_before = lab.num_threads()
    app.key("space")
    wait_for("4 more threads in the lab", lambda: lab.num_threads() >= threads_before + 4, 20.0)
    app.wait_log(r"finished: multithreading \(done", 30.0)
    app.screen.screenshot("bundle-threads")

    for _ in range(steps_between("multithreading", "processes")):
        app.key("ctrl+Next")
    app.wait_title("Concurrency Lab - Multiprocessing")
    mark = len(app.log())
    app.key("space")
    app.wait_log(r"run started: processes", 10.0, after=mark)
    workers = wait_for("worker processes under the lab", lambda: app.pids.workers_of(lab.pid), 30)
    finished = app.wait_log(r"finished: processes \((\w+)", 60.0, after=mark)
    app.screen.screenshot("bundle-processes")
    figure(
        f"bundle {BUNDLE}: 4 threads in its lab, then worker processes {workers} under the lab; "
        f"{finished.group(0)}"
    )
    assert finished.group(1) == "done"
    assert lab.is_running(), "the lab should serve both lessons"
