"""Reading a finished run's report the same way in every lesson: did it fail, was it cancelled."""

from __future__ import annotations

from typing import Any

from demos.events import State


def ended_states(report: dict[str, Any]) -> set[int]:
    """The states the run's workers ended in."""
    return {state for state, _ in report.get("outcomes", {}).values()}


def failure(report: dict[str, Any]) -> str | None:
    """Why the run failed (the lab's word, the scenario's error or a worker's), or None; with
    no closing full stop, as callers put it in a sentence of their own."""
    raw = report.get("result", {})
    if not (report.get("failed") or "error" in raw or int(State.FAILED) in ended_states(report)):
        return None
    messages = [msg for _state, msg in report.get("outcomes", {}).values() if msg]
    why = report.get("failed") or raw.get("error") or (messages or ["a worker failed"])[0]
    return str(why).rstrip(".")


def cancelled(report: dict[str, Any]) -> bool:
    """True if a worker of the run ended CANCELLED."""
    return int(State.CANCELLED) in ended_states(report)
