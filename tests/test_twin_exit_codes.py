"""The twins' exit status: 0 for a run that completed as its lesson intends, 1 for a failed,
overdue or interrupted run (with one ``error:`` line on stderr), 2 for bad arguments."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demos import exit_status

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent

# Every twin, as run from a terminal (the primitives twin once per sub-command).
TWINS = [
    ["demos.multithreading"],
    ["demos.gil_or_not"],
    ["demos.race"],
    ["demos.scheduler"],
    ["demos.starvation"],
    ["demos.sync_overhead"],
    ["demos.nondeterminism"],
    ["demos.deadlock"],
    ["demos.parallelism"],
    ["demos.primitives", "lock"],
    ["demos.primitives", "semaphore"],
    ["demos.primitives", "barrier"],
    ["demos.primitives", "queue"],
    ["demos.processes"],
    ["demos.pools"],
    ["demos.pool_futures"],
    ["demos.coroutines"],
    ["demos.asyncio_modern"],
    ["demos.when_to_use"],
    ["demos.start_methods"],
    ["demos.process_thread"],
    ["demos.thread_states"],
]


def twin(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m <args>``; the timeout kills the child if it hangs."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


# Runs that end as their lessons intend, including the endings that look like trouble: a
# deadlock recovered by Cancel, a barrier broken by a late thread, Futures cancelled on purpose,
# a schedule that stops before every thread has finished.
COMPLETED = [
    ["demos.multithreading", "--threads", "2", "--steps", "2", "--step-ms", "20"],
    ["demos.race", "--threads", "2", "--increments", "1000"],
    ["demos.primitives", "barrier", "--parties", "3", "--rounds", "1", "--work-ms", "50"]
    + ["--late", "--timeout-ms", "200"],
    ["demos.thread_states", "--scenario", "futures"],
    ["demos.scheduler", "--schedule", "1,2"],
    ["demos.pools", "--tasks", "200", "--task-us", "20", "--chunksize", "50"],
    ["demos.pool_futures", "--futures", "4", "--task-ms", "20", "--cancel", "2"],
]


@pytest.mark.parametrize("args", COMPLETED, ids=lambda a: " ".join(a))
def test_a_run_that_completes_as_the_lesson_intends_exits_0(args: list[str]) -> None:
    proc = twin(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    assert error_lines(proc.stderr) == []
    assert "exit_reason" not in last_json(proc.stdout)


def test_the_deadlock_lesson_recovering_by_cancel_is_its_designed_ending() -> None:
    proc = twin("demos.deadlock", "--json")
    result = last_json(proc.stdout)
    assert result["deadlock_detected"]
    assert result["cancelled"]
    assert result["recovered"]
    assert proc.returncode == 0, proc.stderr


def test_a_failing_worker_exits_1_and_names_the_failure() -> None:
    args = ["--threads", "3", "--steps", "4", "--step-ms", "20", "--fail-worker", "2", "--json"]
    proc = twin("demos.multithreading", *args)
    assert proc.returncode == 1
    reason = "Thread-2 failed: RuntimeError: raised on purpose at step 3"
    assert error_lines(proc.stderr) == [f"error: {reason}"]
    result = last_json(proc.stdout)  # the JSON line is still there, with the reason
    assert result["exit_reason"] == reason
    assert result["threads"] == 3


def test_a_missed_deadline_cancels_the_run_and_exits_1() -> None:
    args = ["--threads", "2", "--steps", "30", "--step-ms", "200", "--deadline-s", "0.5", "--json"]
    t0 = time.perf_counter()
    proc = twin("demos.multithreading", *args)
    assert time.perf_counter() - t0 < 5.0, "the run should be cancelled, not run for 6 s"
    assert proc.returncode == 1
    reason = "the run missed its 0.5 s deadline and was cancelled"
    assert error_lines(proc.stderr) == [f"error: {reason}"]
    assert last_json(proc.stdout)["exit_reason"] == reason
    assert proc.stdout.count("CANCELLED") == 2


def test_ctrl_c_cancels_the_run_and_exits_1() -> None:
    args = ["--threads", "2", "--steps", "50", "--step-ms", "200", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "demos.multithreading", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3.0)  # well into the 10 s run
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, err
    assert error_lines(err) == ["error: cancelled by Ctrl+C"]
    result = last_json(out)
    assert result["exit_reason"] == "cancelled by Ctrl+C"
    assert result["elapsed_s"] < 8.0, "Ctrl+C should stop the threads at their next checkpoint"


@pytest.mark.parametrize("args", TWINS, ids=lambda a: " ".join(a))
def test_an_unknown_option_exits_2(args: list[str]) -> None:
    proc = twin(*args, "--no-such-option")
    assert proc.returncode == 2
    assert "unrecognized arguments: --no-such-option" in proc.stderr


# The check lives in the wrapper every twin's main has (demos.exit_status.twin_main); one thread
# twin, one process twin and one with sub-commands show it, test_every_twin_is_wrapped the rest.
TRACE_TWINS = [["demos.multithreading"], ["demos.processes"], ["demos.primitives", "lock"]]


@pytest.mark.parametrize("args", TRACE_TWINS, ids=lambda a: " ".join(a))
def test_a_trace_file_that_cannot_be_written_exits_2_before_the_run(
    args: list[str], tmp_path: Path
) -> None:
    started = time.monotonic()
    proc = twin(*args, "--trace", str(tmp_path / "no-such-folder" / "run.json"))
    assert proc.returncode == 2, proc.stderr
    assert "--trace" in proc.stderr
    assert "no folder" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 30, "refused before the run, not after it"


def test_every_twin_is_wrapped() -> None:
    import importlib

    for args in TWINS:
        module = importlib.import_module(
            args[0] + (".__main__" if args[0] == "demos.primitives" else "")
        )
        assert hasattr(module.main, "__wrapped__"), f"{args[0]}: main is not twin_main-wrapped"


def test_every_twin_is_checked() -> None:
    import importlib
    import pkgutil

    import demos

    modules = {
        f"demos.{m.name}"
        for m in pkgutil.iter_modules(demos.__path__)
        if m.name != "__main__"
        and callable(getattr(importlib.import_module(f"demos.{m.name}"), "main", None))
    }
    modules.add("demos.primitives")  # its main() lives in demos/primitives/__main__.py
    assert modules <= {args[0] for args in TWINS}


# ------------------------------------------------- the policy, in this process


def test_an_error_after_a_noted_failure_ends_with_that_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @exit_status.twin_main
    def main(argv: list[str] | None = None) -> int:
        exit_status.note_missed_deadline("the run missed its 3 s deadline and was cancelled")
        raise RuntimeError("the half-run cannot be summarised")

    assert main(["--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == {"exit_reason": "the run missed its 3 s deadline and was cancelled"}
    assert err == "error: the run missed its 3 s deadline and was cancelled\n"


def test_an_error_with_nothing_noted_is_a_bug_and_propagates() -> None:
    @exit_status.twin_main
    def main(argv: list[str] | None = None) -> int:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        main([])


def test_each_call_starts_with_a_clean_outcome() -> None:
    @exit_status.twin_main
    def main(argv: list[str] | None = None) -> int:
        if argv:
            exit_status.note_failure("Thread-1 failed: ValueError: x")
        return exit_status.current().exit_status

    assert main(["fail"]) == 1
    assert main([]) == 0
    assert exit_status.current().exit_status == 0  # outside a twin nothing is recorded


def test_ctrl_c_outranks_the_failures_it_causes() -> None:
    outcome = exit_status.TwinOutcome(failures=["Process-1 failed: process exited with code 1"])
    assert outcome.reason.startswith("Process-1 failed")
    outcome.interrupted = True
    assert (outcome.reason, outcome.exit_status) == ("cancelled by Ctrl+C", 1)
    assert exit_status.TwinOutcome().exit_status == 0
