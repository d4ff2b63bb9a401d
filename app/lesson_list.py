"""The lessons of the window, built the first time each is needed.

Nine lesson tabs with their plots took about 700 ms to build, which more than doubled the cold
start. Each tab now starts as an empty page; its lesson is built when the tab is first shown or
first asked for, and gets the window's current theme, scale and slow motion as it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.lesson import LessonTab


class LessonList(Sequence[LessonTab]):
    """Indexing or iterating builds lessons; ``built()`` lists only those that exist."""

    def __init__(
        self,
        specs: Sequence[tuple[str, str, str]],
        tabs: QTabWidget,
        build: Callable[[str, str], LessonTab],
    ) -> None:
        self._specs = list(specs)  # (title, module, class name)
        self._lessons: list[LessonTab | None] = [None] * len(self._specs)
        self._pages: list[QWidget] = []
        self._build = build
        for title, _module, _name in self._specs:
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            self._pages.append(page)
            tabs.addTab(page, title)
        tabs.currentChanged.connect(self._ensure)

    @property
    def titles(self) -> list[str]:
        """Every lesson's title, without building anything."""
        return [title for title, _module, _name in self._specs]

    def peek(self, index: int) -> LessonTab | None:
        """The lesson at ``index`` if it has been built, without building it."""
        return self._lessons[index] if 0 <= index < len(self._lessons) else None

    def built(self) -> list[LessonTab]:
        """The lessons built so far (for changes that apply to all of them)."""
        return [lesson for lesson in self._lessons if lesson is not None]

    def _ensure(self, index: int) -> LessonTab | None:
        if not 0 <= index < len(self._specs):
            return None
        lesson = self._lessons[index]
        if lesson is None:
            _title, module, name = self._specs[index]
            lesson = self._build(module, name)
            self._lessons[index] = lesson
            layout = self._pages[index].layout()
            assert layout is not None
            layout.addWidget(lesson)
        return lesson

    def rebuild(self, index: int) -> LessonTab | None:
        """Build the lesson at ``index`` again (its page is replaced; the old one is deleted)."""
        old = self._lessons[index]
        if old is not None:
            layout = self._pages[index].layout()
            assert layout is not None
            layout.removeWidget(old)
            old.hide()
            old.deleteLater()
            self._lessons[index] = None
        return self._ensure(index)

    @overload
    def __getitem__(self, index: int) -> LessonTab: ...

    @overload
    def __getitem__(self, index: slice) -> list[LessonTab]: ...

    def __getitem__(self, index: int | slice) -> LessonTab | list[LessonTab]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self._specs))[index]]
        if index < 0:
            index += len(self._specs)
        lesson = self._ensure(index)
        if lesson is None:
            raise IndexError(index)
        return lesson

    def __len__(self) -> int:
        return len(self._specs)

    def __iter__(self) -> Iterator[LessonTab]:
        return (self[i] for i in range(len(self._specs)))
