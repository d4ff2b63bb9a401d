"""Light and dark themes: follow the system by default, or pick one in View -> Theme.

Widgets take a palette (Fusion style, so both themes look the same on every OS); the plots,
drawn by pyqtgraph, are told separately.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.palette import SKY_BLUE

THEMES = ("system", "light", "dark")


def system_is_dark() -> bool:
    """What the desktop asks for (light when it does not say)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark(choice: str) -> bool:
    """Whether ``choice`` ("system", "light" or "dark") means dark right now."""
    return system_is_dark() if choice == "system" else choice == "dark"


def dark_palette() -> QPalette:
    """A calm dark palette with enough contrast for text and focus."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#E8EAED",
        QPalette.ColorRole.Base: "#17181A",
        QPalette.ColorRole.AlternateBase: "#26272B",
        QPalette.ColorRole.Text: "#E8EAED",
        QPalette.ColorRole.Button: "#2D2E31",
        QPalette.ColorRole.ButtonText: "#E8EAED",
        QPalette.ColorRole.ToolTipBase: "#2D2E31",
        QPalette.ColorRole.ToolTipText: "#E8EAED",
        QPalette.ColorRole.Highlight: SKY_BLUE,
        QPalette.ColorRole.HighlightedText: "#000000",
        QPalette.ColorRole.Link: SKY_BLUE,
        QPalette.ColorRole.PlaceholderText: "#9AA0A6",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868B"))
    return palette


def apply_palette(dark: bool) -> None:
    """Set the application's palette for the chosen darkness."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


PLOT_DARK = ("#202124", "#E8EAED")  # (background, axes and text), as the timeline's
PLOT_LIGHT = ("w", "#202020")


def style_plot(plot: Any, dark: bool) -> None:
    """A lesson's own pyqtgraph plot in the theme's colours (background, axes, tick labels)."""
    import pyqtgraph as pg  # here: the theme is applied long before any plot exists

    background, colour = PLOT_DARK if dark else PLOT_LIGHT
    plot.setBackground(background)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(colour))
        axis.setTextPen(pg.mkPen(colour))
