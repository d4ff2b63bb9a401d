"""Other platforms degrade, never break: each feature Linux has and others lack is taken away here
(the check in demos.platform_support, or the os/psutil function itself) and the lesson still
runs and says what is missing."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from demos import kernel_states, parallelism, platform_support, process_tree, processes
from demos.cpu_sampler import CpuSampler
from demos.events import Kind, Lane, State
from demos.schedstat import SchedstatReader
from demos.twin import run_locally

pytestmark = pytest.mark.timeout(120)
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks Linux's answers")


@linux
def test_linux_has_everything() -> None:
    assert platform_support.has_proc()
    assert platform_support.has_affinity()
    assert platform_support.has_fork()
    assert platform_support.default_start_method() == multiprocessing.get_all_start_methods()[0]
    summary = platform_support.summary()
    assert summary["proc"] is True
    assert "spawn" in summary["start_methods"]  # type: ignore[operator]


# ----------------------------------------------------------------------------- no /proc
@pytest.fixture
def no_proc(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows: no /proc."""
    monkeypatch.setattr(platform_support, "has_proc", lambda: False)


@pytest.fixture
def spinning_thread() -> Iterator[int]:
    """A pure-Python thread spinning until the test ends; yields its native id."""
    stop = threading.Event()
    ready = threading.Event()
    ident: list[int] = []

    def spin() -> None:
        ident.append(threading.get_native_id())
        ready.set()
        while not stop.is_set():
            pass

    thread = threading.Thread(target=spin, name="spinner")
    thread.start()
    try:
        assert ready.wait(5)
        yield ident[0]
    finally:
        stop.set()
        thread.join(5)


def _sample_until_measured(sampler: CpuSampler, lane_id: int, deadline_s: float = 10.0) -> float:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        sampler.sample()
        values = sampler.worker_series().get(lane_id)
        if values is not None and len(values) and values[-1] == values[-1]:  # not NaN
            return float(values[-1])
        time.sleep(0.1)
    raise AssertionError("no CPU figure for the thread")


def test_without_proc_kernel_states_are_absent_not_broken(no_proc: None) -> None:
    assert not kernel_states.available()
    assert kernel_states.kernel_states(os.getpid()) == {}
    assert not SchedstatReader.available(os.getpid())


def test_without_proc_threads_still_get_cpu_figures(no_proc: None, spinning_thread: int) -> None:
    sampler = CpuSampler()
    sampler.watch_process(os.getpid())  # psutil's threads() instead of schedstat
    sampler.set_lanes([Lane(1, Kind.THREAD, "spinner", spinning_thread)])
    try:
        assert _sample_until_measured(sampler, 1) >= 0.0
        assert sampler.thread_cpu_readable
    finally:
        sampler.close()


def test_without_proc_the_tree_lists_threads_without_kernel_names(no_proc: None) -> None:
    me = threading.get_native_id()
    root = process_tree.snapshot(os.getpid(), {me: "named by a lesson"})
    assert root is not None
    assert any(t.tid == me and t.name == "named by a lesson" for t in root.threads)
    assert process_tree.os_thread_name(os.getpid(), threading.get_native_id()) == ""


@pytest.mark.gui
def test_without_proc_the_lessons_say_so(no_proc: None, plain_window) -> None:  # noqa: ANN001
    win = plain_window
    win.tabs.setCurrentIndex(0)
    tree_tab = win.current_lesson()
    tree_tab.refresh_tree()
    assert not tree_tab.tree_note.isHidden()
    assert "/proc" in tree_tab.tree_note.text()
    assert tree_tab.tree_rows()[0][1] == "GUI process"  # the tree itself still works

    win.tabs.setCurrentIndex(win.lessons.titles.index("Thread states"))
    states_tab = win.current_lesson()
    assert states_tab.os_table.isHidden()
    assert "/proc" in states_tab.os_note.text()
    states_tab.update_os_view()  # nothing to read, nothing raised
    win.tabs.setCurrentIndex(0)


# ------------------------------------------ macOS: another process's threads are not listed
@pytest.fixture
def threads_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS without root: psutil may list only this process's own threads."""
    real = psutil.Process.threads
    me = os.getpid()

    def threads(self: psutil.Process) -> list:  # type: ignore[type-arg]
        if self.pid != me:
            raise psutil.AccessDenied(self.pid)
        return real(self)

    monkeypatch.setattr(psutil.Process, "threads", threads)


@pytest.fixture
def child() -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


def test_unreadable_threads_keep_the_process_in_the_tree(
    threads_denied: None, child: subprocess.Popen
) -> None:
    root = process_tree.snapshot(os.getpid())
    assert root is not None
    assert root.threads_readable
    assert root.threads
    found = {node.pid: node for node in root.walk()}
    assert child.pid in found, "a process whose threads are hidden is still listed"
    assert not found[child.pid].threads_readable
    assert found[child.pid].threads == []


def test_unreadable_threads_are_reported_by_the_sampler(
    threads_denied: None, child: subprocess.Popen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform_support, "has_proc", lambda: False)  # macOS has no schedstat
    sampler = CpuSampler()
    sampler.watch_process(child.pid)
    sampler.set_lanes([Lane(1, Kind.THREAD, "main", child.pid)])
    try:
        sampler.sample()
        sampler.sample()
        assert not sampler.thread_cpu_readable
    finally:
        sampler.close()


@pytest.mark.gui
def test_unreadable_threads_are_said_in_the_tree(
    threads_denied: None,
    child: subprocess.Popen,
    plain_window,  # noqa: ANN001
) -> None:
    win = plain_window
    win.tabs.setCurrentIndex(0)
    tab = win.current_lesson()
    tab.refresh_tree()
    assert str(child.pid) in {ident for _, _, ident in tab.tree_rows()}
    assert not tab.tree_note.isHidden()
    assert "list another's threads" in tab.tree_note.text()


# ---------------------------------------------------------------- no CPU affinity (macOS)
@pytest.fixture
def no_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_setaffinity", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)


def test_without_affinity_parallelism_runs_and_refuses_one_core(no_affinity: None) -> None:
    assert not platform_support.has_affinity()
    assert not parallelism.one_core_supported()
    assert parallelism.usable_cores() == (os.cpu_count() or 1)
    with pytest.raises(ValueError, match="sched_setaffinity, which this OS does not have"):
        parallelism.build_workers(2, 200, "threads", "cpu", one_core=True)
    specs = parallelism.build_workers(2, 200, "threads", "cpu")
    run, store = run_locally(Kind.THREAD, specs, timeout_s=30)
    finals = store.final_states()
    assert all(finals[w.lane_id][0] is State.DONE for w in run.workers)


@pytest.mark.gui
def test_without_affinity_the_lesson_says_so(no_affinity: None, plain_window) -> None:  # noqa: ANN001
    win = plain_window
    win.tabs.setCurrentIndex(win.lessons.titles.index("Concurrency vs parallelism"))
    tab = win.current_lesson()
    assert tab.one_core.isHidden()
    assert not tab.one_core_note.isHidden()
    assert "sched_setaffinity" in tab.one_core_note.text()
    assert tab.params()["one_core"] is False
    win.tabs.setCurrentIndex(0)


# ------------------------------------------------------------------- no fork (Windows)
@pytest.fixture
def no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows: spawn is the only start method, and asking for fork is an error."""
    real = multiprocessing.get_context

    def get_context(method: str | None = None):  # noqa: ANN202
        if method in ("fork", "forkserver"):
            raise ValueError(f"cannot find context for {method!r}")
        return real(method if method is not None else "spawn")

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(multiprocessing, "get_context", get_context)


def test_without_fork_process_workers_still_run(no_fork: None) -> None:
    assert not platform_support.has_fork()
    assert processes.start_methods() == ("spawn", "spawn")
    specs = processes.build_workers("sweep", workers=2, total_ms=200)
    run, store = run_locally(Kind.PROCESS, specs, timeout_s=60)
    finals = store.final_states()
    assert all(finals[w.lane_id][0] is State.DONE for w in run.workers)
    figures = processes.result(specs)
    assert figures["start_method"] == figures["default_start_method"] == "spawn"


@pytest.mark.gui
def test_without_fork_the_lesson_names_spawn_as_the_default(no_fork: None, plain_window) -> None:  # noqa: ANN001
    win = plain_window
    win.tabs.setCurrentIndex(win.lessons.titles.index("Multiprocessing"))
    tab = win.current_lesson()
    assert tab.method_label.text() == "spawn (platform default: spawn)"
    win.tabs.setCurrentIndex(0)


def test_every_process_is_started_through_the_spawn_context() -> None:
    # The default context is fork on Linux and spawn elsewhere: code that used it would work
    # here and differently (or not at all) on Windows and macOS.
    default_context = (
        "multiprocessing.Process(",
        "multiprocessing.Queue(",
        "multiprocessing.Pool(",
        "multiprocessing.Value(",
        "multiprocessing.Array(",
        "multiprocessing.Manager(",
        "multiprocessing.Pipe(",
        "ProcessPoolExecutor(max_workers",
        "set_start_method(",
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    offenders = []
    for folder in ("app", "demos"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8") as source:
                        text = source.read()
                    offenders += [f"{name}: {use}" for use in default_context if use in text]
    assert offenders == []
