"""The README's screenshots, taken from a real window: ``python tools/screenshots.py``.

For each shot it starts a virtual X screen (Xvfb) with a window manager (openbox), starts the app
there with ``python -m app --lesson ... --set ...`` (and ``--presenter``) and a settings folder of
its own (a first start, the user's settings untouched), presses Space with xdotool as a user would
to start the run, lets the timeline fill for a few seconds, and writes a PNG of the screen to
``resources/screenshots/``. Needs Xvfb, openbox, xdotool, wmctrl and ImageMagick (``import``,
``convert``).

    python tools/screenshots.py [--only normal|presenter] [--display 97] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "screenshots"
TOOLS = ("Xvfb", "openbox", "xdotool", "wmctrl", "import", "convert")
WINDOW_DEADLINE_S = 30.0  # start-up on a busy 2-core machine, lab process included
CLOSE_DEADLINE_S = 10.0
MAX_BYTES = 300_000


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file, the screen size and how the app is started."""

    name: str
    size: tuple[int, int]
    app_args: tuple[str, ...]
    run_s: float  # how long the run goes on before the picture is taken
    maximise: bool = False  # fill the screen (presenter mode is full screen by itself)
    # Presenting, the first Space puts the lesson's question to the room; the second runs it.
    keys: tuple[str, ...] = ("space",)


MULTITHREADING = ("--lesson", "multithreading", "--set", "threads=8", "--set", "kind=cpu")
SHOTS = (
    Shot(
        "normal",
        (1366, 768),
        (*MULTITHREADING, "--set", "steps=20", "--set", "step-ms=200"),
        8,
        maximise=True,
    ),
    Shot(
        "presenter",
        (1920, 1080),
        (*MULTITHREADING, "--set", "steps=20", "--set", "step-ms=200", "--presenter"),
        8,
        keys=("space", "space"),
    ),
    # Alt+A: the Pools tab's "submit + as_completed" view, a lane per Future.
    Shot("pools", (1366, 768), ("--lesson", "pools"), 5, maximise=True, keys=("alt+a",)),
)


def wait_for(what: str, check: Callable[[], str | None], deadline_s: float) -> str:
    """Poll ``check`` until it returns a value; fail with ``what`` after the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"screenshots: {what} did not happen within {deadline_s:.0f} s")


def start_x(display: int | None, size: tuple[int, int]) -> tuple[subprocess.Popen, str]:
    """Xvfb on the given display, or on a free one it picks itself (-displayfd)."""
    geometry = f"{size[0]}x{size[1]}x24"
    if display is not None:
        name = f":{display}"
        xvfb = subprocess.Popen(["Xvfb", name, "-screen", "0", geometry, "-nolisten", "tcp"])
        wait_for("Xvfb start", lambda: _x_answers(name), 10)
        return xvfb, name
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", geometry, "-nolisten", "tcp"],
        pass_fds=(write,),
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        name = ":" + pipe.readline().strip()
    if name == ":":
        raise SystemExit("screenshots: Xvfb did not start")
    return xvfb, name


def _x_answers(name: str) -> str | None:
    done = subprocess.run(["xdotool", "getdisplaygeometry"], env=_x_env(name), capture_output=True)
    return name if done.returncode == 0 else None


def _x_env(display: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display, **extra}


def _app_window(display: str) -> str | None:
    listing = subprocess.run(
        ["wmctrl", "-l"], env=_x_env(display), capture_output=True, text=True
    ).stdout
    for line in listing.splitlines():
        if "Concurrency Lab" in line:
            return line.split()[0]
    return None


def _lab_of(pid: int) -> str | None:
    """The app's lab process (a child that is not multiprocessing's resource tracker)."""
    import psutil

    for child in psutil.Process(pid).children():
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                return str(child.pid)
        except psutil.Error:
            continue
    return None


def take(shot: Shot, display: int | None, out: Path) -> Path:
    """Start X, the window manager and the app; press Space; save the screen."""
    xvfb, name = start_x(display, shot.size)
    openbox = subprocess.Popen(["openbox"], env=_x_env(name), stderr=subprocess.DEVNULL)
    config = tempfile.mkdtemp(prefix="screenshots-config-")
    app = None
    try:
        env = _x_env(name, XDG_CONFIG_HOME=config, XDG_STATE_HOME=config, QT_QPA_PLATFORM="xcb")
        app = subprocess.Popen([sys.executable, "-m", "app", *shot.app_args], cwd=ROOT, env=env)
        window = wait_for("the app's window", lambda: _app_window(name), WINDOW_DEADLINE_S)
        # The lab process starts right after the window; Space before it is up starts nothing.
        wait_for("the lab process", lambda: _lab_of(app.pid), WINDOW_DEADLINE_S)
        if shot.maximise:
            subprocess.run(
                ["wmctrl", "-ir", window, "-b", "add,maximized_vert,maximized_horz"], env=env
            )
        subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, check=False)
        for key in shot.keys:
            subprocess.run(["xdotool", "key", "--window", window, key], env=env, check=True)
            time.sleep(0.5)
        time.sleep(shot.run_s)
        raw = out / f"{shot.name}.raw.png"
        subprocess.run(["import", "-window", "root", str(raw)], env=env, check=True)
        final = out / f"{shot.name}.png"
        optimise(raw, final)
        subprocess.run(["wmctrl", "-ic", window], env=env, check=False)
        app.wait(CLOSE_DEADLINE_S)
        return final
    finally:
        if app is not None and app.poll() is None:
            app.kill()  # only past the deadline: closing the window ends the app and its lab
            app.wait()
        for proc in (openbox, xvfb):
            proc.terminate()
            proc.wait(CLOSE_DEADLINE_S)
        shutil.rmtree(config, ignore_errors=True)


def optimise(raw: Path, final: Path) -> None:
    """A palette PNG without metadata: a UI of flat colours keeps its look at a third the size."""
    subprocess.run(
        ["convert", str(raw), "-strip", "-colors", "256", "-define", "png:compression-level=9",
         f"PNG8:{final}"],
        check=True,
    )  # fmt: skip
    raw.unlink()
    size = final.stat().st_size
    if size > MAX_BYTES:
        print(f"screenshots: {final.name} is {size // 1000} KB, over {MAX_BYTES // 1000} KB")


def main(argv: list[str] | None = None) -> int:
    """Take the shots asked for (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[s.name for s in SHOTS], help="one shot only")
    parser.add_argument("--display", type=int, help="X display number (default: a free one)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    args = parser.parse_args(argv)
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(f"screenshots: missing {', '.join(missing)} (apt: xvfb openbox xdotool wmctrl "
              "imagemagick)", file=sys.stderr)  # fmt: skip
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for shot in SHOTS:
        if args.only in (None, shot.name):
            path = take(shot, args.display, args.out)
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"{shot.size[0]}x{shot.size[1]}, {path.stat().st_size // 1000} KB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
