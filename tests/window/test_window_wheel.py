"""The mouse wheel over a lesson's side panel scrolls the panel down past its sliders, and no
slider it passes changes (the values the app remembers are checked after it closes)."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest
from window_app import figure
from window_screen import Geometry

SLIDERS = {  # group -> the sliders of the Pools lesson the pointer passes on the way down
    "pools": ("tasks", "task_us", "chunksize", "workers"),
    "pool_futures": ("futures", "task_ms", "workers", "cancel"),
}


def changed_pixels(first: Path, second: Path, area: Geometry) -> int:
    """How many pixels of ``area`` differ between two screenshots."""
    crops = []
    for path in (first, second):
        crop = path.with_name(path.stem + "-panel.png")
        subprocess.run(["convert", str(path), "-crop", str(area), str(crop)], check=True)
        crops.append(str(crop))
    done = subprocess.run(
        ["compare", "-metric", "AE", *crops, "null:"], capture_output=True, text=True
    )
    return int(float(done.stderr.split()[0]))


@pytest.mark.timeout(90)
def test_the_wheel_scrolls_the_side_panel_and_moves_no_slider(launch) -> None:  # noqa: ANN001
    app = launch("--lesson", "pools")
    app.wait_title("Concurrency Lab - Pools")
    inner = app.screen.client_geometry(app.window)
    panel = Geometry(inner.x + 10, inner.y + 120, 360, inner.height - 200)
    before = app.screen.screenshot("wheel-before")
    # The pointer stays where it is while the panel moves under it: sliders pass beneath.
    app.screen.run("xdotool", "mousemove", str(inner.x + 200), str(inner.y + 400))
    app.screen.run("xdotool", "click", "--repeat", "40", "--delay", "40", "5")
    after = app.screen.screenshot("wheel-after")
    moved = changed_pixels(before, after, panel)
    figure(f"wheel over the Pools side panel: {moved} of {panel.width * panel.height} px moved")
    assert moved > 0.05 * panel.width * panel.height, "the side panel did not scroll"
    app.close()
    settings = configparser.ConfigParser(interpolation=None)
    conf = app.home / "config" / "Concurrency Lab" / "Concurrency Lab.conf"
    settings.read(conf)
    changed = [
        f"{group}/{name}={settings[group][name]}"
        for group, names in SLIDERS.items()
        if group in settings
        for name in names
        if name in settings[group]
    ]
    assert changed == [], f"the wheel changed sliders it passed over: {changed}"
