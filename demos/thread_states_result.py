"""The thread-states lesson's result: what "main" was told, what the futures went through, and
the verdict those answers support (never the scenario's expectations taken for granted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from demos import json_fields as jf

SCENARIOS = ("deck", "mix", "futures")
DECK_EXPECTED = (False, True, True, False)  # created, started, after 1 s, joined
ENDED = ("FINISHED", "CANCELLED")  # a future's last state, once it is done
FUTURE_STATES = ("PENDING", "RUNNING", *ENDED)
# Running, waiting and blocked seen together for less than this (s) is a sampling accident,
# not the sight the mix scenario is for (it keeps all three going for about two seconds).
TOGETHER_MIN_S = 0.1


@dataclass(frozen=True)
class AliveCheck:
    """One ``is_alive()`` question of the deck and what the thread said."""

    step: str
    is_alive: bool
    ident: int | None
    native_id: int | None


@dataclass(frozen=True)
class FutureRecord:
    """The states one future went through, and cancel()'s answer if it was asked."""

    task: int
    states: tuple[str, ...]
    cancel_returned: bool | None


@dataclass(frozen=True)
class ThreadStatesResult:
    """One run's record; ``all_three_at_once_s`` (mix) and ``elapsed_s`` when measured."""

    scenario: str
    checks: tuple[AliveCheck, ...]
    future_states: tuple[FutureRecord, ...]
    all_three_at_once_s: float | None = None
    elapsed_s: float | None = None

    @property
    def observed(self) -> tuple[bool, ...]:
        """The ``is_alive()`` answers in order."""
        return tuple(c.is_alive for c in self.checks)

    def verdict(self) -> str:
        """What the answers show, from the answers themselves."""
        took = "" if self.elapsed_s is None else f" in {self.elapsed_s:.2f} s"
        if self.scenario == "deck":
            return self._deck_verdict(took)
        if self.scenario == "futures":
            return self._futures_verdict()
        together = self.all_three_at_once_s
        if together is None:
            return f"Ran{took}: sleepers, computers and lock contenders side by side."
        if together < TOGETHER_MIN_S:
            return (
                f"Ran{took}, but running, waiting and blocked threads were hardly ever seen at "
                f"the same moment ({together:.2f} s)."
            )
        return (
            f"For {together:.2f} s sleepers were waiting, computers running and lock contenders "
            "blocked, all at the same time."
        )

    def _deck_verdict(self, took: str) -> str:
        observed = ", ".join(str(a) for a in self.observed) or "nothing"
        if self.observed == DECK_EXPECTED:
            return (
                f"is_alive() answered {observed}{took}. Before start() and after join() the "
                "thread is not alive; in between it is, even while it sleeps."
            )
        if len(self.observed) < len(DECK_EXPECTED):
            return f"is_alive() was asked only {len(self.observed)} times ({observed})."
        return (
            f"is_alive() answered {observed}, not the deck's False, True, True, False: "
            "the thread did not live as long as planned (a very busy machine?)."
        )

    def _futures_verdict(self) -> str:
        yes = [f.task for f in self.future_states if f.cancel_returned is True]
        no = [f.task for f in self.future_states if f.cancel_returned is False]
        open_ = [f.task for f in self.future_states if not f.states or f.states[-1] not in ENDED]
        asked = (
            f"cancel() returned True for futures {yes} (still pending) and False for {no} "
            "(already running or done)."
        )
        if open_:
            return f"{asked} Futures {open_} had not ended when the run did."
        return f"{asked} Every future ended FINISHED or CANCELLED."

    def as_json(self) -> dict[str, Any]:
        """The lab's and the twin's keys (``observed``, ``checks``, ``future_states``...)."""
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "observed": list(self.observed),
            "checks": [
                {"step": c.step, "is_alive": c.is_alive, "ident": c.ident, "native_id": c.native_id}
                for c in self.checks
            ],
            "future_states": [
                {"task": f.task, "states": list(f.states), "cancel_returned": f.cancel_returned}
                for f in self.future_states
            ],
        }
        if self.all_three_at_once_s is not None:
            data["all_three_at_once_s"] = self.all_three_at_once_s
        if self.elapsed_s is not None:
            data["elapsed_s"] = self.elapsed_s
        return {**data, "verdict": self.verdict()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThreadStatesResult:
        """Inverse of :meth:`as_json`. Runs saved before it named the scenario say it by
        what they hold (checks: deck, futures: futures, neither: mix)."""
        checks = tuple(_check(c) for c in jf.items(data, "checks", dict))
        futures = tuple(_future(f) for f in jf.items(data, "future_states", dict))
        if "scenario" in data:
            scenario = jf.one_of(data, "scenario", SCENARIOS)
        else:
            scenario = "deck" if checks else "futures" if futures else "mix"
        return cls(
            scenario=scenario,
            checks=checks,
            future_states=futures,
            all_three_at_once_s=jf.maybe(data, "all_three_at_once_s", float)
            if "all_three_at_once_s" in data
            else None,
            elapsed_s=jf.maybe(data, "elapsed_s", float) if "elapsed_s" in data else None,
        )


def _check(data: Mapping[str, Any]) -> AliveCheck:
    return AliveCheck(
        step=jf.need(data, "step", str),
        is_alive=jf.need(data, "is_alive", bool),
        ident=jf.maybe(data, "ident", int),
        native_id=jf.maybe(data, "native_id", int),
    )


def _future(data: Mapping[str, Any]) -> FutureRecord:
    states = jf.items(data, "states", str)
    if any(s not in FUTURE_STATES for s in states):
        raise ValueError(f"future states {states}: not among {', '.join(FUTURE_STATES)}")
    return FutureRecord(
        task=jf.need(data, "task", int),
        states=states,
        cancel_returned=jf.maybe(data, "cancel_returned", bool),
    )
