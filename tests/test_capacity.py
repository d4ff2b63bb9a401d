"""The judge of parallelism on a shared machine: it passes, skips visibly, or fails."""

from __future__ import annotations

import pytest
from capacity import QUIET_CORES, require


def test_a_shown_claim_passes_whatever_the_load() -> None:
    require(True, [3.0], "claim", "figures")


def test_a_claim_not_shown_on_a_busy_machine_is_skipped_with_the_figures() -> None:
    with pytest.raises(pytest.skip.Exception, match=r"claim not shown \(1.1x\).*1.40, 0.90 cores"):
        require(False, [1.4, 0.9], "claim", "1.1x")


def test_a_claim_not_shown_on_a_quiet_machine_fails() -> None:
    # One quiet try is enough: the machine could show it then, and did not.
    with pytest.raises(pytest.fail.Exception, match="claim not shown"):
        require(False, [1.4, QUIET_CORES / 2], "claim", "1.1x")
    with pytest.raises(pytest.fail.Exception):
        require(False, [], "claim", "no tries")
