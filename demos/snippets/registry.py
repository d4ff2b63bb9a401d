"""The deck's programs as a learner types them, and what each lesson predicts about them.

The files in ``programs/`` are plain scripts, not modules of this package: the deck's own code
stays exactly as the slide shows it (only lines the slide layout broke inside a string are
joined, since Python would refuse them), and our examples of the deck's facts use the forms
people write today (``with lock:``). Lint and type checks skip that folder (pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"
ABOUT_LOW, ABOUT_HIGH = 0.9, 1.4  # "about" a prediction: this share of it, either side
ABOUT_SLACK_S = 0.3  # plus the interpreter's start-up, which weighs on the short programs


@dataclass(frozen=True)
class Snippet:
    """One runnable program and the lesson it belongs to."""

    id: str
    title: str
    lesson: str  # the lesson id (demos.registry)
    # The lesson's parameter and value this program goes with (the primitive chosen, the
    # scenario played); () where it goes with every setting of the lesson.
    when: tuple[str, ...]  # (name, value) or ()
    file: str  # in programs/
    origin: str  # "deck": the slide's code; "ours": our example of the deck's fact
    predicted_s: float  # the wall time the lesson predicts
    prediction: str  # why, in a few words
    instrumented: str  # the module whose instrumented version the code panel shows beside it
    instrumentation: str  # one sentence: what the instrumented version adds

    @property
    def path(self) -> Path:
        """The program's file."""
        return PROGRAMS / self.file

    def source(self) -> str:
        """The program's text, exactly as on disk."""
        return self.path.read_text(encoding="utf-8")

    @property
    def deadline_s(self) -> float:
        """How long a run may take before it is stopped: ample, never unbounded."""
        return 3 * self.predicted_s + 5.0

    def is_about(self, wall_s: float) -> bool:
        """Whether a measured wall time agrees with the prediction."""
        low = ABOUT_LOW * self.predicted_s
        return low <= wall_s <= ABOUT_HIGH * self.predicted_s + ABOUT_SLACK_S

    def as_json(self) -> dict[str, object]:
        """The declaration as JSON-able values (``--list --json``)."""
        return {
            "id": self.id,
            "title": self.title,
            "lesson": self.lesson,
            "when": {self.when[0]: self.when[1]} if self.when else {},
            "path": str(self.path),
            "origin": self.origin,
            "predicted_s": self.predicted_s,
            "prediction": self.prediction,
            "instrumented": self.instrumented,
        }


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "two_tasks",
        "The deck's two tasks in two threads",
        "multithreading",
        (),
        "deck_two_tasks.py",
        "deck",
        5.0,
        "two threads each sleep 1 s five times, at the same time: about 5 s, not 10 s",
        "demos.multithreading",
        "The instrumented version runs the same loops of sleeps, but each step tells the "
        "timeline when it starts waiting and sleeps on the lab's gate, so Pause and Cancel "
        "act within a step.",
    ),
    Snippet(
        "is_alive",
        "The deck's is_alive() example",
        "thread_states",
        ("scenario", "deck"),
        "deck_is_alive.py",
        "deck",
        2.0,
        "the worker sleeps 2 s and main joins it: about 2 s; is_alive() says False, True, "
        "True, False",
        "demos.thread_states",
        "The instrumented version asks is_alive() at the same four moments, but puts each "
        "answer on the timeline as a mark and joins in short steps, so Pause and Cancel still "
        "reach it.",
    ),
    Snippet(
        "mutex",
        "Mutex: with lock:",
        "primitives",
        ("primitive", "lock"),
        "mutex_with.py",
        "ours",
        0.5,
        "five 0.1 s updates under one Lock run one after another: about 0.5 s, and the "
        "balance is exact",
        "demos.primitives.lock",
        "The instrumented version tries the lock first without waiting, then waits in short "
        "timed acquires, so it can show the thread BLOCKED and still obey Cancel, where "
        "'with lock:' just waits.",
    ),
    Snippet(
        "semaphore",
        "Semaphore: with slots:",
        "primitives",
        ("primitive", "semaphore"),
        "semaphore_with.py",
        "ours",
        0.9,
        "six 0.3 s downloads, two at a time, go in three rounds: about 0.9 s",
        "demos.primitives.semaphore",
        "The instrumented version waits for a permit in short timed acquires, to show "
        "BLOCKED and obey Cancel, and counts how many threads are inside to check the limit.",
    ),
    Snippet(
        "barrier",
        "Barrier: wait() inside a with-pool",
        "primitives",
        ("primitive", "barrier"),
        "barrier_with.py",
        "ours",
        0.6,
        "the last runner is ready at 0.6 s and releases everyone: about 0.6 s",
        "demos.primitives.barrier",
        "The instrumented version calls the same Barrier.wait(), but stamps each arrival and "
        "release for the timeline and aborts the barrier when a thread is cancelled, so no "
        "one waits for ever.",
    ),
)


def snippet_by_id(snippet_id: str) -> Snippet:
    """The snippet with this id; KeyError names the known ids."""
    for snippet in SNIPPETS:
        if snippet.id == snippet_id:
            return snippet
    known = ", ".join(s.id for s in SNIPPETS)
    raise KeyError(f"no snippet {snippet_id!r}; the snippets are: {known}")


def snippet_for(lesson: str, params: Mapping[str, object]) -> Snippet | None:
    """The program of ``lesson`` with these parameters, if it has one."""
    for snippet in SNIPPETS:
        if snippet.lesson != lesson:
            continue
        if not snippet.when or params.get(snippet.when[0]) == snippet.when[1]:
            return snippet
    return None
