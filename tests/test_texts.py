"""The texts a learner reads hold on every build: what the deck really lists, when CPython
switches threads, the three steps of ``+=``, what ``queue.Queue`` is made of, and every sentence
about the GIL conditioned on the interpreter (GIL, per-interpreter GIL, free-threaded).

Each test reads what the user sees: a tab's labels and speaker notes, the glossary, a twin's
``--help`` (its module docstring) or output."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from app.glossary import TERMS

pytestmark = pytest.mark.timeout(60)

# A sentence about the GIL holds on every build when it says which build it is about.
QUALIFIERS = (
    "GIL build",
    "standard",
    "free-threaded",
    "where there is one",
    "any GIL",
    "with the GIL",
    "this Python",
    "this interpreter",
    "per interpreter",
    "PEP 684",
    "PEP 703",
    "GIL enabled",  # the interpreter line: a fact about this Python
    "GIL disabled",
)


def plain(rich: str) -> str:
    """Rich text as the learner reads it: no tags, entities decoded, spaces collapsed."""
    spaced = re.sub(r"<br\s*/?>|</?(?:p|li|ul)>", " ", rich)  # block breaks part words
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", spaced)).split())


def shown(widget: QWidget, prose_only: bool = False) -> str:
    """Every label's text inside ``widget`` (only the wrapped ones, prose, if ``prose_only``),
    one label a line."""
    labels = widget.findChildren(QLabel)
    return "\n".join(plain(x.text()) for x in labels if x.wordWrap() or not prose_only)


def open_tab(win: Any, cls: type) -> Any:
    win.tabs.setCurrentIndex(win.lessons.titles.index(cls.title))
    tab = win.current_lesson()
    assert isinstance(tab, cls)
    return tab


def open_page(win: Any, name: str) -> Any:
    from app.lessons.challenges import ChallengesTab

    tab = open_tab(win, ChallengesTab)
    tab.challenge.setCurrentText(name)
    assert tab.page.name == name
    return tab.page


def twin_help(module: Any, capsys: Any) -> str:
    """What ``python -m <twin> --help`` prints (argparse shows the module docstring)."""
    with pytest.raises(SystemExit):
        module.main(["--help"])
    return " ".join(capsys.readouterr().out.split())


def unqualified_gil_sentences(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+|\n", text)
    return [s for s in sentences if "GIL" in s and not any(q in s for q in QUALIFIERS)]


def test_thread_states_quote_the_decks_list_and_say_where_states_come_from(plain_window) -> None:  # noqa: ANN001
    from app.lessons.thread_states import ThreadStatesTab

    tab = open_tab(plain_window, ThreadStatesTab)
    text = shown(tab)
    deck = "RUNNING, FINISHED, CANCELLED, NEW, STARTING, WAITING, LOCKED and TERMINATED"
    assert deck in text
    # The slide has no STARTED, ALIVE or PENDING (is_alive() is Python's, not the deck's).
    for word in ("STARTED", "ALIVE"):
        assert not re.search(rf"\b{word}\b", text), word
    notes = plain(tab.speaker_notes)
    assert "slide's PENDING" not in notes
    assert "PENDING, which the slide leaves out" in notes
    # Where each real state comes from stays said.
    for source in ("is_alive()", "/proc/<pid>/task/<tid>/stat", "lesson's own labels", "Future"):
        assert source in text, source


def test_scheduler_and_race_pages_give_one_switching_rule(plain_window) -> None:  # noqa: ANN001
    scheduler = shown(open_page(plain_window, "You are the scheduler"))
    race = shown(open_page(plain_window, "Race condition"))
    assert "between any two" not in scheduler
    for text in (scheduler, race):
        assert "CPython 3.10 and later" in text
        assert "calls" in text
        assert "backward jump" in text
        assert "standard (GIL) build" in text
        assert "free-threaded build" in text
        assert "3.11 only" not in text


def test_the_scheduler_twin_says_the_same_rule(capsys) -> None:  # noqa: ANN001
    from demos import scheduler

    text = twin_help(scheduler, capsys)
    assert "switch between any two of them is allowed" not in text
    assert "calls and backward jumps" in text
    assert "free-threaded" in text


def test_race_text_names_all_three_steps(plain_window, capsys) -> None:  # noqa: ANN001
    from demos import race

    text = shown(open_page(plain_window, "Race condition"))
    steps = re.search(r"three steps: (.*?)\.", text)
    assert steps is not None
    for verb in ("loads", "adds", "stores"):
        assert verb in steps.group(1), verb
    assert "three steps (load, add, store)" in twin_help(race, capsys)


def test_queue_is_a_deque_with_three_conditions(plain_window) -> None:  # noqa: ANN001
    from app.lessons.primitives import PrimitivesTab
    from demos.primitives import bounded_buffer

    text = shown(open_tab(plain_window, PrimitivesTab))
    doc = " ".join((bounded_buffer.__doc__ or "").split()).replace("``", "")
    for where in (text, doc):
        assert "list guarded" not in where
        assert "collections.deque" in where
        assert "three threading.Condition" in where
        for name in ("not_empty", "not_full", "all_tasks_done"):
            assert name in where, name


def test_a_process_owning_its_gil_comes_with_both_caveats(plain_window) -> None:  # noqa: ANN001
    from app.lessons.parallelism import ParallelismTab
    from app.lessons.process_thread import ProcessThreadTab
    from app.lessons.processes import ProcessesTab

    texts = {
        "process_thread notes": plain(ProcessThreadTab.speaker_notes),
        "processes": shown(open_tab(plain_window, ProcessesTab)),
        "parallelism": shown(open_tab(plain_window, ParallelismTab)),
        "glossary": TERMS["GIL"],
    }
    for where, text in texts.items():
        assert "PEP 684" in text, where  # per-interpreter GIL since 3.12
        assert "free-threaded" in text.lower(), where


def test_no_lesson_states_gil_behaviour_as_universal(plain_window) -> None:  # noqa: ANN001
    from app.lessons.multithreading import MultithreadingTab

    found: dict[str, list[str]] = {}
    for index, title in enumerate(plain_window.lessons.titles):
        if title == MultithreadingTab.title:
            continue  # another change owns that lesson's texts
        plain_window.tabs.setCurrentIndex(index)
        tab = plain_window.current_lesson()
        pages = getattr(tab, "challenge", None)  # the Challenges tab: one page at a time
        for page in range(pages.count()) if pages is not None else [None]:
            if page is not None:
                pages.setCurrentIndex(page)
            shown_now = tab.page if page is not None else tab
            notes = getattr(shown_now, "speaker_notes", "") or ""
            text = shown(shown_now, prose_only=True) + "\n" + plain(notes)
            for sentence in unqualified_gil_sentences(text):
                found.setdefault(title, []).append(sentence)
    for term, definition in TERMS.items():
        for sentence in unqualified_gil_sentences(definition):
            found.setdefault(f"glossary {term}", []).append(sentence)
    assert found == {}
