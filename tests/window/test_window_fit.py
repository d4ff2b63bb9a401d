"""Window fit: on first start (fresh settings) the window's frame lies inside the screen."""

from __future__ import annotations

import time

import pytest
from window_app import figure, wait_for
from window_screen import Geometry, Screen

SIZES = [(1280, 720), (1366, 768), (1920, 1080)]


def settled_frame(screen: Screen, window: int) -> Geometry:
    """The frame once it has kept the same geometry for 0.5 s (Qt and the window manager may
    move or resize the window just after it maps)."""
    last: list[str] = []
    since = [time.monotonic()]

    def steady() -> Geometry | None:
        frame = screen.frame_geometry(window)
        if not last or str(frame) != last[0]:
            last[:] = [str(frame)]
            since[0] = time.monotonic()
            return None
        return frame if time.monotonic() - since[0] >= 0.5 else None

    found = wait_for("a settled window geometry", steady, 15.0)
    assert isinstance(found, Geometry)
    return found


@pytest.mark.timeout(150)
def test_first_start_fits_each_screen(make_screen, launch) -> None:  # noqa: ANN001
    figures = []
    for width, height in SIZES:
        screen = make_screen(width, height)
        app = launch(on=screen)
        frame = settled_frame(screen, app.window)
        figures.append(f"{width}x{height}: frame {frame}")
        print(f"screen {width}x{height}: window frame {frame} (inside {app.client_size()})")
        if (width, height) == (1280, 720):
            shot = screen.screenshot("fit-1280x720")
            print(f"screenshot {shot}")
        assert frame.inside(width, height), f"{frame} does not fit {width}x{height}"
        closed_s = app.close()
        assert app.proc.poll() is not None, f"not closed {closed_s:.1f} s after wmctrl -ic"
    figure("first-start window frame: " + "; ".join(figures))
