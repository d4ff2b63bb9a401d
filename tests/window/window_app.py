"""The real app as a subprocess, seen only from outside: its window through X, its processes
through psutil, its state through its log file."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from window_screen import Screen

from demos import registry

ROOT = Path(__file__).resolve().parents[2]
LAB_PID = re.compile(r"lab process started, pid (\d+)")
EXIT_DEADLINE_S = 3.0  # the goal for closing mid-run (issue 9)
LEFTOVER_GRACE_S = 10.0  # after any test: slower than the goal is slow, later still is left
FIGURES: list[str] = []  # measured figures, printed at the end of the run (conftest)


def figure(line: str) -> None:
    """A figure a test measured: printed now and listed again at the end of the run."""
    FIGURES.append(line)
    print(line)


def wait_for(what: str, condition: Callable[[], object], timeout: float) -> object:
    """Poll ``condition`` (every 20 ms) until it gives something true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(0.02)


class PidRecorder:
    """Records every process started under a pid (children and theirs) while it runs, so that
    the end check can see the ones orphaned when a parent was killed."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.seen: dict[int, tuple[float, str]] = {}  # pid -> (create time, name)
        self.commands: dict[int, str] = {}
        self.parents: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pid-recorder", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.05)

    def sample(self) -> None:
        """Add the processes under the root now."""
        try:
            root = psutil.Process(self.root)
            found = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for proc in found:
            try:
                self.seen.setdefault(proc.pid, (proc.create_time(), proc.name()))
                self.parents.setdefault(proc.pid, proc.ppid())
                self.commands.setdefault(proc.pid, " ".join(proc.cmdline()))
            except psutil.Error:
                continue

    def workers_of(self, pid: int) -> list[int]:
        """Recorded pids whose parent was ``pid``, but for multiprocessing's resource tracker."""
        return [
            child
            for child, parent in self.parents.items()
            if parent == pid and "resource_tracker" not in self.commands.get(child, "")
        ]

    def stop(self) -> None:
        """Stop recording (one last sample first)."""
        self.sample()
        self._stop.set()
        self._thread.join(5)

    def alive(self) -> list[psutil.Process]:
        """Recorded processes still running (the same process: pid and start time match)."""
        left = []
        for pid, (created, _name) in self.seen.items():
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    left.append(proc)
            except psutil.Error:
                continue
        return left


class App:
    """One running app on a screen."""

    def __init__(
        self,
        screen: Screen,
        command: list[str],
        home: Path,
        name: str,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.screen = screen
        self.name = name
        self.home = home
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env.update(
            DISPLAY=screen.display,
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CACHE_HOME=str(home / "cache"),
            PYTHONPATH=str(ROOT),
        )
        env.update(extra_env or {})
        self.output = open(home / "output.txt", "wb")  # noqa: SIM115 - closed in close()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT
        )
        self.pid = self.proc.pid
        self.pids = PidRecorder(self.pid)
        self.log_path = home / "state" / "concurrency-lab" / "log" / "concurrency-lab.log"
        self.window = 0
        self.window_s = 0.0

    def wait_window(self) -> None:
        """Until the app's main window is mapped (found by the app's pid)."""
        out = self.screen.run(
            "xdotool", "search", "--sync", "--onlyvisible", "--pid", str(self.pid),
            timeout=60.0,
        )  # fmt: skip
        self.window = int(out.split()[0])
        self.window_s = time.monotonic() - self.started

    # ------------------------------------------------------------ seen from outside
    def title(self) -> str:
        """The main window's title."""
        return self.screen.title(self.window)

    def client_size(self) -> str:
        """The window's inside, WIDTHxHEIGHT."""
        inner = self.screen.client_geometry(self.window)
        return f"{inner.width}x{inner.height}"

    def log(self) -> str:
        """The app's log file so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern: str, timeout: float, after: int = 0) -> re.Match[str]:
        """The first line matching ``pattern`` past offset ``after`` of the log."""

        def found() -> re.Match[str] | None:
            return re.compile(pattern).search(self.log(), after)

        match = wait_for(f"{pattern!r} in the log", found, timeout)
        assert isinstance(match, re.Match)
        return match

    def lab(self) -> psutil.Process:
        """The lab process (the last one the log names)."""
        match = wait_for("the lab's pid in the log", lambda: LAB_PID.findall(self.log()), 30.0)
        assert isinstance(match, list)
        return psutil.Process(int(match[-1]))

    def key(self, *keys: str) -> None:
        """Real key presses through the window manager's focus: activate the window, then
        type into whatever has the focus (``xdotool key --window`` would bypass it)."""
        self.screen.run("xdotool", "windowactivate", "--sync", str(self.window))
        self.screen.run("xdotool", "key", "--delay", "30", *keys)

    def wait_title(self, title: str, timeout: float = 10.0) -> None:
        """Until the main window's title is ``title``."""
        wait_for(f"title {title!r} (now {self.title()!r})", lambda: self.title() == title, timeout)

    # ------------------------------------------------------------ the end
    def close(self, wait_s: float = EXIT_DEADLINE_S) -> float:
        """Close the window as the window manager does (wmctrl -ic); seconds until the app and
        every process recorded from it have exited (waits at most ``wait_s``)."""
        self.pids.sample()
        t0 = time.monotonic()
        if self.window:
            self.screen.run("wmctrl", "-ic", hex(self.window), check=False)
        else:  # it never showed a window: ask it to stop as a session manager would
            self.proc.terminate()
        deadline = t0 + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is None:
                self.pids.sample()  # a worker started at the last moment is recorded too
            elif not self.pids.alive():
                break
            time.sleep(0.02)
        return time.monotonic() - t0

    def finish(self) -> list[str]:
        """After the test: stop recording, kill whatever is left; the leftovers' names."""
        self.pids.stop()
        left = self.pids.alive()
        names = [f"pid {p.pid} {self.pids.seen[p.pid][1]}" for p in left]
        for proc in left:
            try:
                proc.kill()
            except psutil.Error:
                continue
        psutil.wait_procs(left, timeout=5)
        if self.proc.poll() is None:
            self.proc.wait(5)
        self.output.close()
        return names


def steps_between(first: str, last: str) -> int:
    """How many Ctrl+PgDown presses lead from lesson ``first`` to ``last`` (registry order)."""
    ids = [entry.id for entry in registry.LESSONS]
    return ids.index(last) - ids.index(first)
