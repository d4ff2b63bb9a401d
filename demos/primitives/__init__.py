"""Synchronization primitives lesson: Lock, Semaphore(N), Barrier(parties), a bounded buffer
built on Queue, a Condition, an Event and an RLock, one scenario each, chosen by ``primitive``.

The lab calls :func:`build_workers` with the tab's parameters and, once every thread has ended,
:func:`result` with the same specs. Every blocking call is a short timed wait in a loop (or a
barrier that a leaving thread aborts), so Cancel always ends a run.

    python -m demos.primitives lock|semaphore|barrier|queue|condition|event|rlock [options]
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from demos.events import Kind
from demos.primitives import barrier, bounded_buffer, condition, event, lock, rlock, semaphore
from demos.primitives.results import PrimitiveResult, result_from_json
from demos.scenario import Scenario
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIOS: dict[str, ModuleType] = {
    "lock": lock,
    "semaphore": semaphore,
    "barrier": barrier,
    "queue": bounded_buffer,
    "condition": condition,
    "event": event,
    "rlock": rlock,
}
PRIMITIVES = tuple(SCENARIOS)


def scenario(primitive: str) -> ModuleType:
    """The module of one primitive's scenario."""
    try:
        return SCENARIOS[primitive]
    except KeyError:
        choices = ", ".join(PRIMITIVES)
        raise ValueError(f"primitive must be one of {choices}, not {primitive!r}") from None


def declaration(primitive: str) -> Scenario:
    """The declared settings of one primitive's scenario (its twin's sub-command options)."""
    declared: Scenario = scenario(primitive).SCENARIO
    return declared


def build_workers(primitive: str, seed: int | None = None, **params: Any) -> list[WorkerSpec]:
    """The threads of one run of ``primitive``, all sharing one new shared object.

    Settings not given take their defaults; ``seed`` (the barrier's, twin only) repeats the
    random work times.
    """
    module = scenario(primitive)
    values: dict[str, Any] = declaration(primitive).validate(params)
    if primitive == "barrier":
        values["seed"] = seed  # not a setting: None, or a number for repeatable runs
    specs: list[WorkerSpec] = module.build(**values)
    return specs


def twin_command(params: dict[str, Any]) -> str:
    """The terminal command that runs the same primitive's scenario."""
    return declaration(str(params.get("primitive", "lock"))).command(params)


def summarize(specs: list[WorkerSpec]) -> PrimitiveResult:
    """The run's figures, read from the object its threads shared."""
    figures: PrimitiveResult = specs[0].params["shared"].result()
    return figures


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """What the lab sends with "finished": the result's ``as_json()`` (it names its primitive)."""
    return summarize(specs).as_json()


def deadline_s(primitive: str, **params: Any) -> float:
    """A generous bound on one run's duration, for joins."""
    module = scenario(primitive)
    merged = {**module.DEFAULTS, **params}
    merged.pop("seed", None)
    if primitive == "barrier":
        merged.pop("late", None)
    value: float = module.deadline_s(**merged)
    return value


__all__ = [
    "PRIMITIVES",
    "SCENARIOS",
    "build_workers",
    "deadline_s",
    "result",
    "result_from_json",
    "summarize",
    "declaration",
    "scenario",
    "twin_command",
]
