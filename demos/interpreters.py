"""Every Python on this machine the lessons can run on: found, probed once each, deduplicated.

Candidates: the running interpreter; ``python3.X`` and ``python3.Xt`` on PATH; pyenv versions;
uv-managed installs; ``py -0p`` on Windows; paths the user added. Each is asked about itself in
a subprocess (a tiny stdlib-only script printing JSON) under a short timeout: version, build
(free-threaded or not), whether the GIL is on now, subinterpreter support and its real path.
A free-threaded build is listed twice: GIL off, and with ``PYTHON_GIL=1``. Candidates that are
broken, too old or too slow to answer are kept apart as "skipped", with the reason.

``python -m demos.interpreters [--json] [--add PATH ...]``
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

MINIMUM = (3, 11)
PROBE_TIMEOUT_S = 5.0  # a cold interpreter behind a pyenv shim can take a second to start
NEWEST_MINOR = 20  # python3.11 ... python3.20 are looked for on PATH
# Variables that would make another interpreter import this one's packages (or our venv's).
FOREIGN_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHON_GIL")

# Runs on any Python 3 (so an old one can say how old it is): no f-strings, no walrus. The same
# function describes the running interpreter in-process (a frozen app cannot run "-c").
PROBE_FUNCTION = r"""
def describe_me():
    import importlib.util, platform, sys, sysconfig

    def importable(name):
        try:
            return importlib.util.find_spec(name) is not None
        except Exception:
            return False

    names = ["concurrent.interpreters"]
    if sys.version_info[:2] in ((3, 12), (3, 13)):
        names += ["interpreters_backport", "backports.interpreters"]
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return {
        "version": platform.python_version(),
        "version_info": list(sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": bool(gil),
        "subinterpreters": ([n for n in names if importable(n)] + [""])[0],
        # what some twins need beyond the standard library
        "packages": [n for n in ("numpy", "psutil") if importable(n)],
    }
"""
PROBE_SCRIPT = PROBE_FUNCTION + "\nimport json\nprint(json.dumps(describe_me()))\n"


@dataclass(frozen=True)
class Interpreter:
    """One way to run lessons: an interpreter, and for a free-threaded one the GIL setting."""

    executable: str  # what to run (for the running one: sys.executable, venv and all)
    realpath: str
    version: str  # "3.13.0"
    implementation: str  # "cpython"
    free_threaded: bool
    gil_enabled: bool  # as it will run (PYTHON_GIL included)
    subinterpreters: str  # the importable module offering them, or ""
    source: str  # "running", "PATH", "pyenv", "uv", "py launcher", "added"
    running: bool = False
    packages: tuple[str, ...] = ()  # of numpy and psutil, those it can import
    env: dict[str, str] = field(default_factory=dict)  # e.g. {"PYTHON_GIL": "1"}

    @property
    def label(self) -> str:
        """ "Python 3.13.0 (GIL)", "Python 3.14.1t (free-threaded)", "... (PYTHON_GIL=1)"."""
        if not self.free_threaded:
            build = "GIL"
        elif self.env.get("PYTHON_GIL") == "1":
            build = "free-threaded, PYTHON_GIL=1"
        else:
            build = "free-threaded" if not self.gil_enabled else "free-threaded, GIL on"
        name = "Python" if self.implementation == "cpython" else self.implementation
        return f"{name} {self.version}{'t' if self.free_threaded else ''} ({build})"

    @property
    def key(self) -> str:
        """What the app remembers: the path, plus the GIL setting of a free-threaded build."""
        gil = self.env.get("PYTHON_GIL")
        return f"{self.executable}|PYTHON_GIL={gil}" if gil else self.executable

    def as_json(self) -> dict[str, Any]:
        """A plain dict for --json, with the label."""
        return {**asdict(self), "label": self.label}


@dataclass(frozen=True)
class Skipped:
    """A candidate that cannot run the lessons, and why."""

    path: str
    source: str
    reason: str


def child_env(extra: Mapping[str, str] | None = None, pythonpath: str = "") -> dict[str, str]:
    """This process's environment without what would leak our packages into another Python."""
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    env.update(extra or {})
    return env


def probe(path: str, timeout_s: float = PROBE_TIMEOUT_S) -> dict[str, Any] | str:
    """What ``path`` says about itself, or why it could not say (a one-line reason)."""
    try:
        done = subprocess.run(
            [path, "-c", PROBE_SCRIPT],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        return f"did not answer within {timeout_s:g} s"
    except OSError as exc:
        return f"cannot be started: {exc.strerror or exc}"
    if done.returncode != 0:
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        return f"exit status {done.returncode}: {(lines or ['no message'])[0]}"
    try:
        info = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "did not print what a Python prints"
    if not isinstance(info, dict):
        return "did not print what a Python prints"
    return info


def _from_probe(path: str, source: str, info: dict[str, Any]) -> list[Interpreter] | str:
    version = tuple(info.get("version_info", ()))[:2]
    if version < MINIMUM:
        return f"Python {info.get('version')} is older than {'.'.join(map(str, MINIMUM))}"
    running = source == "running"
    executable = sys.executable if running else str(info.get("executable") or path)
    base = Interpreter(
        executable=executable,
        realpath=os.path.realpath(executable),
        version=str(info["version"]),
        implementation=str(info.get("implementation", "")),
        free_threaded=bool(info.get("free_threaded")),
        gil_enabled=bool(info.get("gil_enabled", True)),
        subinterpreters=str(info.get("subinterpreters") or ""),
        source=source,
        running=running,
        packages=tuple(str(p) for p in info.get("packages", ())),
    )
    if not base.free_threaded or running:
        return [base]  # the running one runs as it is: its GIL setting is already chosen
    off = Interpreter(**{**asdict(base), "gil_enabled": False, "env": {"PYTHON_GIL": "0"}})
    on = Interpreter(**{**asdict(base), "gil_enabled": True, "env": {"PYTHON_GIL": "1"}})
    return [off, on]


def running() -> Interpreter:
    """The interpreter running this code, described in-process (no subprocess)."""
    namespace: dict[str, Any] = {}
    exec(PROBE_FUNCTION, namespace)  # noqa: S102 - our own constant, the probe's very code
    found = _from_probe(sys.executable, "running", namespace["describe_me"]())
    assert isinstance(found, list)  # the running one is never too old: we run on 3.11+
    return found[0]


def describe(
    path: str, source: str = "added", timeout_s: float = PROBE_TIMEOUT_S
) -> list[Interpreter] | str:
    """The interpreter(s) at ``path`` (two for a free-threaded build), or why it is unusable."""
    info = probe(path, timeout_s)
    return info if isinstance(info, str) else _from_probe(path, source, info)


def candidates(added: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, source) of every place a Python may be, in order of preference; not probed yet."""
    found: list[tuple[str, str]] = [(sys.executable, "running")]
    for minor in range(MINIMUM[1], NEWEST_MINOR + 1):
        for name in (f"python3.{minor}", f"python3.{minor}t"):
            path = shutil.which(name)
            if path:
                found.append((path, "PATH"))
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for path in sorted(glob.glob(os.path.join(pyenv, "versions", "*", "bin", "python3"))):
        found.append((path, "pyenv"))
    uv = os.environ.get("UV_PYTHON_INSTALL_DIR") or os.path.expanduser("~/.local/share/uv/python")
    for pattern in ("*/bin/python3", "*/python.exe"):
        found += [(p, "uv") for p in sorted(glob.glob(os.path.join(uv, pattern)))]
    found += [(p, "py launcher") for p in _py_launcher()]
    found += [(os.path.expanduser(p), "added") for p in added if p]
    return found


def _py_launcher() -> list[str]:
    """Interpreters Windows' ``py -0p`` knows (nothing elsewhere, or without the launcher)."""
    if sys.platform != "win32" or not shutil.which("py"):
        return []
    try:
        out = subprocess.run(
            ["py", "-0p"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    # " -V:3.13 *        C:\...\python.exe": the path is what follows the tag and the marker.
    return [m.group(1).strip() for m in re.finditer(r"(?m)^\s*-\S+\s+(?:\*\s+)?(.+\.exe)\s*$", out)]


def discover(added: Iterable[str] = ()) -> tuple[list[Interpreter], list[Skipped]]:
    """Every usable interpreter (the running one first) and the skipped candidates."""
    seen_paths: dict[str, str] = {}
    unique: list[tuple[str, str]] = []
    for path, source in candidates(added):
        if path not in seen_paths:
            seen_paths[path] = source
            unique.append((path, source))
    with ThreadPoolExecutor(max_workers=4) as pool:  # probes wait on subprocesses, not CPU
        answers = [[running()]] + list(pool.map(lambda c: describe(c[0], c[1]), unique[1:]))
    found: list[Interpreter] = []
    skipped: list[Skipped] = []
    real_seen: set[str] = set()
    for (path, source), answer in zip(unique, answers, strict=True):
        if isinstance(answer, str):
            skipped.append(Skipped(path, source, answer))
            continue
        if answer[0].realpath in real_seen:
            continue  # the same binary reached another way (a shim, a symlink, a venv)
        real_seen.add(answer[0].realpath)
        found += answer
    return found, skipped


def list_interpreters(argv: list[str] | None = None) -> int:
    """List the interpreters (``--json``: one JSON object with "interpreters" and "skipped")."""
    parser = argparse.ArgumentParser(prog="python -m demos.interpreters", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--add", action="append", default=[], metavar="PATH", help="also probe")
    args = parser.parse_args(argv)
    found, skipped = discover(args.add)
    if args.json:
        print(
            json.dumps(
                {
                    "interpreters": [i.as_json() for i in found],
                    "skipped": [asdict(s) for s in skipped],
                }
            )
        )
        return 0
    for interp in found:
        subs = f", subinterpreters: {interp.subinterpreters}" if interp.subinterpreters else ""
        mark = "  (running)" if interp.running else ""
        print(f"{interp.label:<42} {interp.executable}  [{interp.source}{subs}]{mark}")
    if skipped:
        print(f"({len(skipped)} candidates skipped: --json lists them with the reasons)")
    return 0


if __name__ == "__main__":
    raise SystemExit(list_interpreters())  # not "main": it is no twin
