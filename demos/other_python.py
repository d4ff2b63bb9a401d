"""``--python PATH`` for every twin: run the same twin, with the same words, on another Python.

The twin is started as ``PATH -c <boot> demos.<id> <words>`` (the boot runs the module as
``__main__``, like ``-m``) with this repository on PYTHONPATH and none of our virtual
environment's packages. Its output passes through as it comes; with ``--json`` its last line
gains ``"python": {"version", "executable", "gil"}``. A twin that needs a package the other
Python lacks (numpy, psutil) ends with exit status 2 and a line saying which.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from demos.exit_status import REPORT_VARIABLE
from demos.interpreters import Interpreter, child_env, describe

REPO = str(Path(__file__).resolve().parent.parent)  # the directory holding demos/
TIMEOUT_S = 3600.0  # a bound on any twin run, however large its settings
MISSING_STATUS = 2
# What a twin needs beyond the standard library, where it is needed in a worker process (which
# cannot say so through BOOT) or only after a long run: checked before the run starts.
NEEDS = {
    "demos.processes": ("numpy",),  # the echo worker touches shared memory with numpy
    "demos.thread_states": ("numpy",),  # the summary of the sampled states
    "demos.process_thread": ("psutil",),  # the memory of each worker process
}

# Stdlib only, on the other Python. A module it lacks that is not ours and not the standard
# library is a package the twin needs: say which, with exit status 2, instead of a traceback.
BOOT = r"""
import runpy, sys
name = sys.argv[1]
del sys.argv[1]
try:
    runpy.run_module(name, run_name="__main__", alter_sys=True)
except ModuleNotFoundError as exc:
    top = (exc.name or "").split(".")[0]
    if not top or top == "demos" or top in sys.stdlib_module_names:
        raise
    print("python -m %s: error: it needs %s, which %s does not have (%s -m pip install %s)"
          % (name, top, sys.executable, sys.executable, top), file=sys.stderr)
    sys.exit(2)
"""


def split_python(words: list[str]) -> tuple[str | None, list[str]]:
    """(PATH of ``--python PATH`` or ``--python=PATH``, the other words); None if absent."""
    for index, word in enumerate(words):
        if word == "--python" and index + 1 < len(words):
            return words[index + 1], words[:index] + words[index + 2 :]
        if word.startswith("--python="):
            return word.split("=", 1)[1], words[:index] + words[index + 1 :]
    return None, words


def python_line() -> str:
    """The line a twin prints to name the interpreter it runs on."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    version = sys.version.split()[0]
    return f"running on Python {version} (GIL {'on' if gil else 'off'}): {sys.executable}"


def _with_python(line: str, interp: Interpreter) -> str:
    try:
        result: Any = json.loads(line)
    except ValueError:
        return line
    if not isinstance(result, dict):
        return line
    result["python"] = {
        "version": interp.version,
        "executable": interp.executable,
        "gil": interp.gil_enabled,
    }
    return json.dumps(result, sort_keys=True)


def run_on(python: str, module: str, words: list[str], program: str) -> int:
    """Run twin ``module`` with ``words`` on ``python``; returns its exit status."""
    found = describe(python)
    if isinstance(found, str):
        print(f"{program}: error: --python {python}: {found}", file=sys.stderr)
        return MISSING_STATUS
    gil = os.environ.get("PYTHON_GIL")
    interp = next((i for i in found if gil is None or i.env.get("PYTHON_GIL") == gil), found[0])
    missing = [p for p in NEEDS.get(module, ()) if p not in interp.packages]
    if missing:
        print(
            f"{program}: error: it needs {', '.join(missing)}, which {interp.executable} does "
            f"not have ({interp.executable} -m pip install {' '.join(missing)})",
            file=sys.stderr,
        )
        return MISSING_STATUS
    env = child_env({**interp.env, REPORT_VARIABLE: "1"}, pythonpath=REPO)
    process = subprocess.Popen(
        [interp.executable, "-c", BOOT, module, *words],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    relay = _Relay()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(TIMEOUT_S, expire)
    timer.start()  # bounds the whole run, the reading of its output included
    # The twin hears Ctrl+C too: it cancels its run and says so. Here Ctrl+C must do nothing at
    # all: a KeyboardInterrupt raised between reading a line and keeping it lost the JSON line.
    quiet = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, lambda _signum, _frame: None) if quiet else None
    try:
        relay.pump(process)
        process.wait()
    finally:
        timer.cancel()
        if quiet:
            signal.signal(signal.SIGINT, before)
    if expired.is_set():
        print(f"{program}: error: no answer within {TIMEOUT_S:g} s", file=sys.stderr)
        return 1
    if relay.held is not None:
        held = relay.held.rstrip("\n")
        print(_with_python(held, interp) if "--json" in words else held)
    sys.stdout.flush()
    return process.returncode


class _Relay:
    """Passes the twin's lines on as they come, holding back one that may be its JSON line."""

    def __init__(self) -> None:
        self.held: str | None = None  # the JSON line only once nothing follows it

    def pump(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if self.held is not None:
                print(self.held, end="", flush=True)
            self.held = line if line.startswith("{") else None
            if self.held is None:
                print(line, end="", flush=True)
