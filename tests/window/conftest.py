"""The real-window suite: the app as a subprocess on Xvfb with openbox, driven by real keys.

Run it as ``pytest tests/window`` (``make test-window``); the offscreen run ignores this folder.
It needs nothing from ``tests/conftest.py``: the two autouse fixtures there are replaced below
(the app runs in its own process with its own settings folders; its processes are checked by
the ``launch`` fixture, through the pids recorded while it ran).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from window_app import EXIT_DEADLINE_S, FIGURES, LEFTOVER_GRACE_S, App, figure
from window_screen import Screen, missing_tools, x_screen

SCREEN_SIZE = (1366, 768)
Launch = Callable[..., App]


@pytest.fixture(autouse=True)
def no_leaks() -> None:
    """Replaces the offscreen suite's check: this process starts only X servers and apps,
    and ``launch`` checks each app's processes itself."""


@pytest.fixture(autouse=True, scope="session")
def temporary_settings() -> None:
    """Replaces the offscreen suite's: each app gets its own XDG folders (``launch``)."""


@pytest.fixture(scope="session")
def need_x() -> None:
    """Skip, saying why, where the X tools are missing."""
    missing = missing_tools()
    if missing:
        pytest.skip(f"the real-window suite needs {', '.join(missing)} on PATH")


@pytest.fixture(scope="session")
def screen(need_x: None) -> Iterator[Screen]:
    """One 1366x768 screen with openbox for the session."""
    with x_screen(*SCREEN_SIZE) as shared:
        yield shared


@pytest.fixture
def make_screen(need_x: None) -> Iterator[Callable[[int, int], Screen]]:
    """Another screen of a given size, stopped after the test (after its apps: ``launch``
    depends on this fixture, so it is torn down first)."""
    with ExitStack() as stack:
        yield lambda width, height: stack.enter_context(x_screen(width, height))


def app_command(*args: str, exe: Path | None = None) -> list[str]:
    """``python -m app ARGS`` from this checkout, or a frozen bundle's executable."""
    return [str(exe), *args] if exe else [sys.executable, "-m", "app", *args]


@pytest.fixture
def launch(
    screen: Screen, make_screen: Callable[[int, int], Screen], tmp_path: Path
) -> Iterator[Launch]:
    """``launch(*args, exe=None, on=None)`` starts the app (on the session screen, or ``on``)
    with fresh settings, state and data folders, and waits for its window. At the end each app
    is closed with ``wmctrl -ic``; the test fails if the app or any process recorded from it
    (children and theirs) is still alive 10 s later (a close slower than 3 s is listed with
    the figures). Leftovers are killed."""
    apps: list[App] = []

    def start(
        *args: str,
        exe: Path | None = None,
        on: Screen | None = None,
        env: dict[str, str] | None = None,
    ) -> App:
        home = tmp_path / f"app{len(apps)}"
        home.mkdir()
        app = App(on or screen, app_command(*args, exe=exe), home, " ".join(args), env)
        apps.append(app)  # before waiting, so that the end check sees it whatever happens
        app.wait_window()
        print(f"{app.name}: window up after {app.window_s:.2f} s")
        return app

    yield start
    problems = []
    for app in apps:
        if app.proc.poll() is None:
            closed_s = app.close(LEFTOVER_GRACE_S)
            if closed_s > EXIT_DEADLINE_S and app.proc.poll() is not None:  # slow, not stuck
                figure(f"{app.name}: the close at the end took {closed_s:.1f} s")
        left = app.finish()
        if left:
            problems.append(
                f"{app.name}: still running {LEFTOVER_GRACE_S:.0f} s after closing: {left}"
            )
        print(f"--- log of {app.name} ---\n{app.log()[-3000:]}")
    assert not problems, problems


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures the tests measured, in one place at the end."""
    if FIGURES:
        terminalreporter.section("real-window figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
