"""A widget drawn into an SVG file: vector shapes and text, for slides.

pyqtgraph's own SVG exporter fails on this PySide6 release (it cannot parse the path data Qt
writes), so the widget paints itself into a QSvgGenerator instead.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget


def write_svg(widget: QWidget, path: str, title: str) -> None:
    """Render ``widget`` as it looks now into ``path``; raises OSError if nothing was written."""
    generator = QSvgGenerator()
    generator.setFileName(path)
    size = widget.size()
    generator.setSize(QSize(size.width(), size.height()))
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    try:
        flags = QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground
        widget.render(painter, QPoint(0, 0), QRegion(), flags)
    finally:
        painter.end()
