"""Presenter mode on the projectors of real rooms: every lesson at 1024x768, 1280x720,
1920x1080 and 3840x2160 at a device pixel ratio of 2 stays inside the screen, shows no
horizontal scrollbar, and has its Start control on screen without scrolling.

The app reports its own layout (app/layout_report.py, switched on by an environment variable),
so the test sees every widget's edge, not only the window's frame.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_window_presenter import lessons, start_presenting
from window_app import figure, wait_for

SIZES = [(1024, 768, 1), (1280, 720, 1), (1920, 1080, 1), (3840, 2160, 2)]
DIGITS = "1234567890"  # presenter keys for the first ten lessons; PgDown ("Next") after those


def _report(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("width", "height", "ratio"), SIZES, ids=lambda v: str(v))
def test_every_lesson_fits_the_projector(make_screen, launch, tmp_path, width, height, ratio):  # noqa: ANN001, ANN201, PLR0913
    every = lessons()
    screen = make_screen(width, height)
    report_path = tmp_path / "layout.json"
    env = {"CONCURRENCY_LAB_LAYOUT_REPORT": str(report_path)}
    if ratio != 1:
        env["QT_SCALE_FACTOR"] = str(ratio)  # the high-DPI screen: each logical pixel is 2x2
    app = launch("--presenter", on=screen, env=env)
    start_presenting(app)
    scales = []
    for index, (_lesson_id, title) in enumerate(every):
        app.key(DIGITS[index] if index < len(DIGITS) else "Next")
        app.wait_title(f"Concurrency Lab - {title}")
        seen: list[tuple[float, dict]] = []

        def settled(seen: list[tuple[float, dict]] = seen) -> bool:
            # The same report for 1.5 s (three writes): the scale has stopped stepping down.
            report = _report(report_path)
            if report is None or not report["presenting"]:
                return False
            now = time.monotonic()
            if not seen or seen[0][1] != report:
                seen[:] = [(now, report)]
                return False
            return now - seen[0][0] >= 1.5

        wait_for(f"a settled layout of {title}", settled, 30.0)
        report = seen[0][1]
        shot = screen.screenshot(f"presenter-{width}x{height}-{index + 1:02d}")
        where = f"{title} at {width}x{height} (ratio {ratio}), screenshot {shot}"
        logical = [width // ratio, height // ratio]
        assert report["screen"][2:] == logical, where
        assert report["device_pixel_ratio"] == ratio, where
        assert not report["beyond_screen"], f"{where}: beyond the screen {report['beyond_screen']}"
        assert not report["horizontal_scrollbars"], f"{where}: {report['horizontal_scrollbars']}"
        assert report["start_on_screen"], f"{where}: Start at {report['start']}"
        assert not report["clipped_plots"], f"{where}: plots cut at the right"
        scales.append(report["scale"])
    figure(
        f"presenter at {width}x{height} ratio {ratio}: every lesson inside the screen, "
        f"scale {min(scales):.2f}-{max(scales):.2f}x"
    )
