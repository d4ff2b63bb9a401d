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
import subprocess
import sys
from pathlib import Path
from typing import Any

from demos.interpreters import Interpreter, child_env, describe

REPO = str(Path(__file__).resolve().parent.parent)  # the directory holding demos/
TIMEOUT_S = 3600.0  # a bound on any twin run, however large its settings
REPORT_VARIABLE = "CONCURRENCY_LAB_REPORT_PYTHON"  # the twin then names its interpreter
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


def report_if_asked() -> None:
    """In a twin started by :func:`run_on`: print :func:`python_line` first."""
    if os.environ.get(REPORT_VARIABLE):
        print(python_line(), flush=True)


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
    held = None  # a line that may be the JSON one: it is the last one only once output ends
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if held is not None:
                print(held, end="", flush=True)
            held = line if line.startswith("{") else None
            if held is None:
                print(line, end="", flush=True)
        process.wait(TIMEOUT_S)
    except KeyboardInterrupt:  # the twin hears Ctrl+C too and cancels its run: wait for it
        process.wait(TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        print(f"{program}: error: no answer within {TIMEOUT_S:g} s", file=sys.stderr)
        return 1
    if held is not None:
        print(_with_python(held.rstrip("\n"), interp) if "--json" in words else held.rstrip())
    sys.stdout.flush()
    return process.returncode
