"""Predict, then run: a question with choices asked before Start, answered by the measurement.

A guess is the point where intuition and Python part ways: two sleeping threads take the time of
one, eight computing threads on two cores take the time of eight, a thousand coroutines take the
time of one. Each question is derived from the lesson's current settings, so its choices name
real durations; after the run, :meth:`Question.answer` picks the choice the measured figure fits.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# A measured time this many times the "one after another" time counts as "much longer".
MUCH_LONGER = 1.5
# A speedup under this is "slower than one worker".
SLOWER = 0.8


@dataclass(frozen=True)
class Answer:
    """Which choice the measurement fits, and the measured figure as the user reads it."""

    choice: int
    measured: str


@dataclass(frozen=True)
class Question:
    """One question for one set of settings (``key`` changes when the settings do)."""

    key: str
    text: str
    choices: tuple[str, ...]
    # figures -> Answer; None when the figures hold no answer (a failed or cancelled run)
    judge: Callable[[Mapping[str, Any]], Answer | None]

    def answer(self, figures: Mapping[str, Any]) -> Answer | None:
        """The choice the run's figures fit (``elapsed_s``, ``speedup``, ...), if they hold one:
        a run that failed or was cancelled in part answers nothing."""
        if figures.get("failed") or figures.get("cancelled"):
            return None
        return self.judge(figures)


def seconds(value_s: float) -> str:
    """A duration the way a question says it: "0.6 s", "5 s", "2 min"."""
    if value_s >= 120:
        return f"{value_s / 60:.0f} min"
    if value_s >= 10:
        return f"{value_s:.0f} s"
    text = f"{value_s:.1f}".rstrip("0").rstrip(".")
    return f"{text} s"


def _finite(figures: Mapping[str, Any], name: str) -> float | None:
    value = figures.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and value > 0 else None


def _timing_question(key: str, text: str, together_s: float, apart_s: float) -> Question:
    """How long: about ``together_s`` (overlapping), about ``apart_s`` (one after another), or
    much longer than that."""
    choices = (
        f"about {seconds(together_s)}: they overlap",
        f"about {seconds(apart_s)}: one after another",
        f"much longer than {seconds(apart_s)}",
    )

    def judge(figures: Mapping[str, Any]) -> Answer | None:
        elapsed = _finite(figures, "elapsed_s")
        if elapsed is None:
            return None
        # The work the workers really did (CPU or waiting time, summed), where the run measured
        # it: a step's size is calibrated once per lab, and a busy machine makes it smaller.
        work = _finite(figures, "work_s")
        apart, together = (work, work * together_s / apart_s) if work else (apart_s, together_s)
        if elapsed > MUCH_LONGER * apart:
            choice = 2
        else:  # the nearer of the two, as ratios (0.6 s vs 600 s is a factor, not a difference)
            nearer_together = abs(math.log(elapsed / together)) <= abs(math.log(elapsed / apart))
            choice = 0 if nearer_together else 1
        measured = f"{elapsed:.2f} s" + (f" for {work:.2f} s of work" if work else "")
        return Answer(choice, measured)

    return Question(key, text, choices, judge)


def multithreading(params: Mapping[str, Any]) -> Question | None:
    threads, steps, step_ms = int(params["threads"]), int(params["steps"]), int(params["step_ms"])
    if threads < 2:
        return None  # one thread: nothing to overlap, nothing to guess
    io = params.get("kind") == "io"
    one_s = steps * step_ms / 1000
    what = "sleep" if io else "compute (pure Python)"
    text = (
        f"{threads} threads, each {steps} steps of {step_ms} ms that {what}: "
        "how long will the run take?"
    )
    key = f"multithreading:{params.get('kind')}:{threads}x{steps}x{step_ms}"
    return _timing_question(key, text, one_s, threads * one_s)


def coroutines(params: Mapping[str, Any]) -> Question | None:
    tasks, steps, io_ms = int(params["tasks"]), int(params["steps"]), int(params["io_ms"])
    if tasks < 2 or params.get("blocking") or params.get("scenario", "classic") != "classic":
        return None  # the blocking variant and the modern scenarios (TaskGroup, ...) ask none
    one_s = steps * io_ms / 1000
    text = (
        f"{tasks:,} coroutines on one thread, each awaiting {steps} x {io_ms} ms: "
        "how long will they take?"
    )
    key = f"coroutines:{params.get('mode')}:{tasks}x{steps}x{io_ms}"
    return _timing_question(key, text, one_s, tasks * one_s)


def parallelism(params: Mapping[str, Any], cores: int | None = None) -> Question | None:
    workers, model, work = int(params["workers"]), str(params["model"]), str(params["work"])
    if workers < 2:
        return None
    usable = 1 if params.get("one_core") else max(1, cores or os.cpu_count() or 1)
    best = min(workers, usable)
    what = "pure-Python computing" if work == "cpu" else "waiting (sleeps)"
    text = (
        f"{params['total_ms']} ms of {what} split over {workers} {model}: "
        "how much faster than one worker?"
    )
    faster = f"about {best}x faster: one core each" if work == "cpu" else f"about {workers}x faster"
    choices = ("slower than one worker", "no faster (about 1x)", faster)
    top = best if work == "cpu" else workers

    def judge(figures: Mapping[str, Any]) -> Answer | None:
        speedup = _finite(figures, "speedup")
        if speedup is None:
            return None
        if speedup < SLOWER:
            choice = 0
        elif top <= 1:
            choice = 1
        else:
            choice = 1 if abs(math.log(speedup)) <= abs(math.log(speedup / top)) else 2
        return Answer(choice, f"{speedup:.2f}x")

    key = f"parallelism:{model}:{work}:{workers}:{params['total_ms']}:{usable}"
    return Question(key, text, choices, judge)


# A share of updates lost at or above this is "many".
MANY_LOST = 0.01


def race(params: Mapping[str, Any]) -> Question | None:
    """The race page of Challenges (the other pages have other settings: no question)."""
    threads, increments, lock = int(params["threads"]), int(params["increments"]), params["lock"]
    if not isinstance(lock, bool):
        return None
    total = threads * increments
    how = "holding a Lock" if lock else "with no lock"
    text = (
        f"{threads} threads each add 1 to one counter {increments:,} times, {how}: how many of "
        f"the {total:,} updates will be lost?"
    )
    choices = ("none: the count comes out exact", "a few (under 1 %)", "many (1 % or more)")

    def judge(figures: Mapping[str, Any]) -> Answer | None:
        expected, lost = figures.get("expected"), figures.get("lost")
        if not isinstance(expected, int) or not isinstance(lost, int) or expected <= 0:
            return None
        choice = 0 if lost <= 0 else 1 if lost / expected < MANY_LOST else 2
        return Answer(choice, f"{max(lost, 0):,} lost of {expected:,}")

    return Question(f"race:{threads}:{increments}:{lock}", text, choices, judge)


QUESTIONS: dict[str, Callable[[Mapping[str, Any]], Question | None]] = {
    "multithreading": multithreading,
    "coroutines": coroutines,
    "parallelism": parallelism,
    "challenges": race,
}


def question_for(lesson_id: str, params: Mapping[str, Any]) -> Question | None:
    """The lesson's question for these settings, or None (the lesson asks none, or the
    settings leave nothing to guess)."""
    make = QUESTIONS.get(lesson_id)
    if make is None:
        return None
    try:
        return make(params)
    except (KeyError, TypeError, ValueError):  # settings of another shape: ask nothing
        return None
