"""Linked terms in lesson texts."""

from __future__ import annotations

import pytest

from app.glossary import LINK_PREFIX, TERMS, link_terms, show_definition

pytestmark = pytest.mark.timeout(30)


def test_first_mentions_link_and_code_and_markup_are_left_alone() -> None:
    text = 'The <b title="GIL">GIL</b> and the GIL; <code>threading.Lock</code>, then a Lock.'
    linked = link_terms(text)
    assert linked.count(f'href="{LINK_PREFIX}GIL"') == 1
    assert 'title="GIL"' in linked  # attributes untouched
    assert "<code>threading.Lock</code>" in linked
    assert linked.count(f'href="{LINK_PREFIX}Lock"') == 1


def test_every_term_has_a_definition_and_showing_one_is_safe(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QToolTip

    assert all(len(text) > 40 for text in TERMS.values())
    show_definition(f"{LINK_PREFIX}unknown")
    show_definition("https://example.org")
    assert not QToolTip.isVisible(), "no definition, no tooltip"
    show_definition(f"{LINK_PREFIX}GIL")
    assert QToolTip.isVisible()
    assert QToolTip.text().startswith("<b>GIL</b><br>")
    QToolTip.hideText()  # a tooltip left on screen would outlive the test
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
