"""A real X screen for the window suite: Xvfb on a free display with openbox on it, and the
outside views of a window that X gives (geometry, frame, focus, window state, screenshots)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("Xvfb", "openbox", "xdotool", "wmctrl", "xwininfo", "xprop", "import", "convert")
SHOTS = Path("/tmp/realwin-shots")
START_DEADLINE_S = 15.0


def missing_tools() -> list[str]:
    """The programs this suite needs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@dataclass
class Geometry:
    """A rectangle on the screen: x, y of the top-left corner, width, height."""

    x: int
    y: int
    width: int
    height: int

    def inside(self, width: int, height: int) -> bool:
        """True if the rectangle lies within a screen of this size."""
        fits_across = self.x >= 0 and self.x + self.width <= width
        fits_down = self.y >= 0 and self.y + self.height <= height
        return fits_across and fits_down

    def __str__(self) -> str:
        return f"{self.width}x{self.height}+{self.x}+{self.y}"


@dataclass
class Screen:
    """One Xvfb display with a window manager."""

    display: str
    width: int
    height: int

    def run(self, *args: str, timeout: float = 10.0, check: bool = True) -> str:
        """An X tool on this display; its stdout."""
        env = {**os.environ, "DISPLAY": self.display}
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def active_window(self) -> int:
        """The window that has the keyboard focus, as the window manager says."""
        out = self.run("xdotool", "getactivewindow", check=False).strip()
        return int(out) if out.isdigit() else 0

    def title(self, window: int) -> str:
        """The window's title."""
        return self.run("xdotool", "getwindowname", str(window)).strip()

    def client_geometry(self, window: int) -> Geometry:
        """The window's inside (without the frame the window manager draws), in root
        coordinates."""
        info = self.run("xwininfo", "-id", str(window))
        fields = {}
        for line in info.splitlines():
            key, _, value = line.strip().partition(":")
            fields[key] = value.strip()
        return Geometry(
            int(fields["Absolute upper-left X"]),
            int(fields["Absolute upper-left Y"]),
            int(fields["Width"]),
            int(fields["Height"]),
        )

    def frame_geometry(self, window: int) -> Geometry:
        """The window with the frame the window manager draws around it."""
        inner = self.client_geometry(window)
        out = self.run("xprop", "-id", str(window), "_NET_FRAME_EXTENTS", check=False)
        left = right = top = bottom = 0
        if "=" in out:
            left, right, top, bottom = (int(v) for v in out.split("=", 1)[1].split(","))
        return Geometry(
            inner.x - left, inner.y - top, inner.width + left + right, inner.height + top + bottom
        )

    def states(self, window: int) -> str:
        """The window's _NET_WM_STATE (FULLSCREEN, MAXIMIZED_... as text)."""
        return self.run("xprop", "-id", str(window), "_NET_WM_STATE", check=False)

    def is_full_screen(self, window: int) -> bool:
        """True while the window manager shows the window full screen."""
        return "_NET_WM_STATE_FULLSCREEN" in self.states(window)

    def screenshot(self, name: str) -> Path:
        """The whole screen as /tmp/realwin-shots/<name>.png."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.run("import", "-window", "root", str(path), timeout=20.0)
        return path

    def mean_brightness(self, path: Path, area: Geometry) -> float:
        """Mean brightness (0 black .. 1 white) of an area of a screenshot."""
        out = self.run(
            "convert", str(path), "-crop", f"{area}", "-colorspace", "Gray",
            "-format", "%[fx:mean]", "info:",
        )  # fmt: skip
        return float(out)


def _read_display(fd: int, xvfb: subprocess.Popen[bytes]) -> str:
    # Xvfb writes the display number it chose, then a newline, once it accepts clients.
    deadline = time.monotonic() + START_DEADLINE_S
    text = b""
    while not text.endswith(b"\n"):
        if xvfb.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Xvfb did not start (exit {xvfb.poll()})")
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 64)
            if not chunk:
                raise RuntimeError("Xvfb closed its display pipe without a number")
            text += chunk
    return f":{int(text.strip())}"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def x_screen(width: int, height: int) -> Iterator[Screen]:
    """Xvfb on a free display (``-displayfd`` says which) at this size, with openbox; both are
    stopped at the end."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_fd)
    wm: subprocess.Popen[bytes] | None = None
    try:
        display = _read_display(read_fd, xvfb)
        screen = Screen(display, width, height)
        wm = subprocess.Popen(
            ["openbox"],
            env={**os.environ, "DISPLAY": display},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_DEADLINE_S
        # wmctrl -m answers once a window manager has claimed the screen.
        while "Openbox" not in screen.run("wmctrl", "-m", check=False):
            if wm.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("openbox did not start")
            time.sleep(0.05)
        yield screen
    finally:
        os.close(read_fd)
        if wm is not None:
            _stop(wm)
        _stop(xvfb)
