"""A lesson's side panel: scrolls up and down, never sideways.

A horizontal scrollbar in a side panel hides the ends of sliders and sentences and is missed on a
projector. So the panel asks the splitter for at least the width its content needs (plus room for
the vertical scrollbar) and only ever scrolls vertically.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class SidePanel(QScrollArea):
    """A vertical-only scroll area around ``content``, at least ``width`` pixels wide."""

    def __init__(self, content: QWidget, width: int) -> None:
        super().__init__()
        self._base_width = width
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.installEventFilter(self)  # its minimum changes ours

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """The content was laid out again (new type size, a longer text): ask for new room."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def set_base_width(self, width: int) -> None:
        """The width the panel asks for when its content needs less (presenter scale)."""
        self._base_width = width
        self.updateGeometry()

    def refresh(self) -> None:
        """Measure the content again (after the type size changed)."""
        content = self.widget()
        layout = content.layout() if content is not None else None
        if layout is not None:
            layout.invalidate()
            layout.activate()
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Wide enough for the content's own minimum, so nothing is ever cut at the right."""
        hint = super().minimumSizeHint()
        content = self.widget()
        need = content.minimumSizeHint().width() if content is not None else 0
        need += self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(self._base_width, need), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """As wide as the minimum: the plots get the rest."""
        return QSize(self.minimumSizeHint().width(), super().sizeHint().height())
