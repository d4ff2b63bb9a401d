"""Linked terms: the first mention of a known term in a lesson's text becomes a link that shows
a short definition, so a learner never has to leave the app to look a word up."""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QLabel, QToolTip

from app.palette import BLUE

LINK_PREFIX = "term:"
LINK_STYLE = f"color: {BLUE}; text-decoration: underline dotted;"

TERMS: dict[str, str] = {
    "GIL": (
        "The global interpreter lock of a standard CPython build: only the thread holding it "
        "runs Python bytecode. Waiting for I/O or sleeping releases it; pure-Python computing "
        "keeps it, handing it over every few milliseconds (sys.getswitchinterval()). One per "
        "interpreter: since 3.12 (PEP 684) each subinterpreter can have its own. Free-threaded "
        "builds (PEP 703, supported since 3.14 by PEP 779) have none."
    ),
    "thread": (
        "A path of execution inside a process. Threads of one process share its memory, so "
        "they can share data, and must synchronise when they change it."
    ),
    "process": (
        "A running program with its own memory. Processes share nothing by default: they "
        "exchange data by pickling it through pipes, or through explicit shared memory."
    ),
    "coroutine": (
        "A function defined with async def. It runs until it awaits, then lets the event loop "
        "run something else: many coroutines share one thread, switching only at await."
    ),
    "event loop": (
        "The scheduler of asyncio: it runs ready coroutines one at a time and wakes those whose "
        "awaited I/O or timer is done. A blocking call inside a coroutine stops it entirely."
    ),
    "race condition": (
        "A result that depends on the timing of threads: two read-modify-write sequences "
        "interleave and one update overwrites the other."
    ),
    "deadlock": (
        "Threads waiting for each other forever: each holds a lock another one needs. It needs "
        "mutual exclusion, hold-and-wait, no pre-emption and a circular wait."
    ),
    "Lock": (
        "threading.Lock: at most one thread holds it; others block in acquire() until it is "
        "released. It makes a block of code run as one indivisible step."
    ),
    "Semaphore": (
        "threading.Semaphore(n): a counter of permits; acquire() takes one or blocks until one "
        "is released. At most n threads are inside at once."
    ),
    "Barrier": (
        "threading.Barrier(parties): threads wait at it until all parties have arrived, then all "
        "are released together."
    ),
    "speedup": (
        "Time of the same work done one after another, divided by the time it took here. "
        "2x means twice as fast; the ideal with N workers is N x."
    ),
    "Future": (
        "concurrent.futures.Future: a result that is not ready yet. Its states are PENDING, "
        "RUNNING, CANCELLED and FINISHED; only a pending one can be cancelled."
    ),
}

_PATTERN = re.compile(
    r"(?<![\w>])(" + "|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True)) + r")s?\b"
)


def link_terms(text: str) -> str:
    """Link the first mention of each known term in ``text`` (rich text, outside tags)."""
    seen: set[str] = set()
    parts = re.split(r"(<[^>]*>)", text)  # never touch markup
    inside_code = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = part.lower()
            if tag.startswith(("<code", "<a ")):
                inside_code = True
            elif tag.startswith(("</code", "</a")):
                inside_code = False
            continue
        if inside_code:
            continue

        def link(match: re.Match[str]) -> str:
            term = match.group(1)
            if term in seen:
                return match.group(0)
            seen.add(term)
            return (
                f'<a href="{LINK_PREFIX}{html.escape(term)}" style="{LINK_STYLE}">'
                f"{match.group(0)}</a>"
            )

        parts[i] = _PATTERN.sub(link, part)
    return "".join(parts)


def show_definition(link: str) -> None:
    """linkActivated handler: the term's definition, in a tooltip by the mouse."""
    if link.startswith(LINK_PREFIX):
        term = html.unescape(link[len(LINK_PREFIX) :])
        text = TERMS.get(term)
        if text:
            QToolTip.showText(QCursor.pos(), f"<b>{term}</b><br>{text}")


def linked_label(text: str) -> QLabel:
    """A QLabel whose known terms are links to their definitions."""
    label = QLabel(link_terms(text))
    label.linkActivated.connect(show_definition)
    return label
