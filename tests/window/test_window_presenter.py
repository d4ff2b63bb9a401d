"""Presenter flows with real keys: PgDown through every lesson with a run started by Space on
each (Space, then PgDown, where the lesson first asks the room a question), B blanks and B
again, N opens notes without taking the clicker, Esc leaves, F5 enters."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import pytest
from window_app import ROOT, App, figure, wait_for
from window_screen import Geometry

from demos.predictions import QUESTIONS


def lessons() -> list[tuple[str, str]]:
    """(id, title) of every lesson, in tab order, as ``python -m demos --json`` lists them."""
    out = subprocess.run(
        [sys.executable, "-m", "demos", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [(entry["id"], entry["title"]) for entry in json.loads(out)]


def start_presenting(app: App) -> None:
    wait_for("full screen", lambda: app.screen.is_full_screen(app.window), 10.0)
    app.wait_log(r"lab \d+ ready", 30.0)


@pytest.mark.timeout(180)
def test_presenter_pages_through_every_lesson_blanks_and_leaves(launch) -> None:  # noqa: ANN001
    every = lessons()
    app = launch("--presenter")
    start_presenting(app)
    for index, (lesson_id, title) in enumerate(every):
        if index:
            app.key("Next")  # PgDown, as a clicker sends it
        app.wait_title(f"Concurrency Lab - {title}")
        mark = len(app.log())
        app.key("space")
        if lesson_id in QUESTIONS:  # Space puts the question to the room; the clicker runs it
            app.wait_log(rf"asked the room: {lesson_id}\b", 20.0, after=mark)
            app.key("Next")
        app.wait_log(rf"run started: {lesson_id}\b", 20.0, after=mark)
        if index % 4 == 0:
            app.screen.screenshot(f"presenter-{index + 1}-{lesson_id}")
    figure(f"presenter: paged through {len(every)} lessons with a run started on each")
    app.key("c")

    frame = app.screen.client_geometry(app.window)
    app.key("b")
    blank = app.screen.screenshot("presenter-blank")
    dark = app.screen.mean_brightness(blank, frame)
    app.key("b")
    wait_for("the lesson back", lambda: _brightness(app, frame) > 0.1, 5.0)
    figure(f"presenter: B blanks the stage, mean brightness {dark:.3f}")
    assert dark < 0.02

    app.key("Escape")
    wait_for("not full screen", lambda: not app.screen.is_full_screen(app.window), 10.0)
    app.screen.screenshot("presenter-left")
    app.key("F5")
    wait_for("full screen again", lambda: app.screen.is_full_screen(app.window), 10.0)


def _brightness(app: App, frame: Geometry) -> float:
    return app.screen.mean_brightness(app.screen.screenshot("presenter-unblank"), frame)


@pytest.mark.timeout(90)
def test_presenter_notes_leave_the_clicker_with_the_stage(launch) -> None:  # noqa: ANN001
    every = lessons()
    app = launch("--presenter")
    start_presenting(app)
    app.wait_title(f"Concurrency Lab - {every[0][1]}")
    app.key("n")
    app.screen.screenshot("presenter-notes")
    # Give a notes window the time to appear and take the focus, if it would.
    wait_for("notes shown", lambda: app.screen.active_window() != 0, 5.0)
    with contextlib.suppress(AssertionError):  # it stayed with the stage: right
        wait_for("the focus to move", lambda: app.screen.active_window() != app.window, 1.0)
    active = app.screen.active_window()
    assert active == app.window, f"the focus is on {app.screen.title(active)!r}"
    # The clicker's key goes to whatever has the focus: no activation first, as in a talk.
    app.screen.run("xdotool", "key", "Next")
    app.wait_title(f"Concurrency Lab - {every[1][1]}")


@pytest.mark.timeout(90)
def test_closing_the_stage_with_notes_open_ends_the_app(launch) -> None:  # noqa: ANN001
    app = launch("--presenter")
    start_presenting(app)
    app.key("n")
    app.screen.screenshot("presenter-notes-before-close")
    closed_s = app.close()
    print(f"closed with the notes open: app exited {app.proc.poll() is not None}")
    assert app.proc.poll() is not None, f"the app still runs {closed_s:.1f} s after the close"
    assert not app.pids.alive()
