"""A scheduler level played in the real window with keys only: the level is picked on the
command line, its program takes the focus, and 1 2 1 2 deadlock the two transfers."""

from __future__ import annotations

import pytest


@pytest.mark.timeout(90)
def test_a_level_is_won_with_keys_only(launch) -> None:  # noqa: ANN001
    app = launch("--lesson", "scheduler", "--set", "level=deadlock")
    app.wait_title("Concurrency Lab - Challenges")
    app.key("1", "2", "1", "2")
    app.wait_log(r"level deadlock won in 4 steps", 10.0)
    app.screen.screenshot("level-won-with-keys")
