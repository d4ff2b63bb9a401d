"""A run's report read the same way by every lesson: why it failed, whether it was cancelled."""

from __future__ import annotations

import pytest

from app.run_report import cancelled, ended_states, failure
from demos.events import State

pytestmark = pytest.mark.timeout(10)


def test_a_run_that_ended_well_has_no_failure() -> None:
    report = {"outcomes": {"1": [int(State.DONE), ""]}, "result": {"x": 1}}
    assert failure(report) is None
    assert not cancelled(report)
    assert ended_states(report) == {int(State.DONE)}


def test_the_lab_word_then_the_error_then_a_worker_message() -> None:
    worker = {"1": [int(State.FAILED), "ValueError: boom"]}
    assert failure({"outcomes": worker}) == "ValueError: boom"
    assert failure({"outcomes": worker, "result": {"error": "bad size"}}) == "bad size"
    assert failure({"outcomes": worker, "failed": "the lab died"}) == "the lab died"
    assert failure({"outcomes": {"1": [int(State.FAILED), ""]}}) == "a worker failed"
    # A message that ends a sentence of its own does not end the caller's twice.
    pool = {"1": [int(State.FAILED), "BrokenProcessPool: terminated abruptly."]}
    assert failure({"outcomes": pool}) == "BrokenProcessPool: terminated abruptly"


def test_a_cancelled_worker_makes_a_cancelled_run() -> None:
    report = {"outcomes": {"1": [int(State.DONE), ""], "2": [int(State.CANCELLED), ""]}}
    assert cancelled(report)
    assert failure(report) is None
