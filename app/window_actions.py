"""The window's actions: every control with its key, the toolbar, the menus, help and about.

Actions are the window's attributes (``window.start_action`` and so on) so tests, the presenter
and the run controller reach them; this module only builds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from app import __version__, theme
from app.code_panel import CodePanel
from app.settings import read_choice

if TYPE_CHECKING:
    from app.main_window import MainWindow

SHORTCUTS = [
    ("Space", "Start the lesson; while it runs, pause or resume it"),
    ("J", "Join: wait for every worker to finish (the window stays responsive)"),
    ("C", "Cancel: stop every worker at its next checkpoint"),
    ("R", "Reset: stop everything and clear the plots"),
    ("F", "Follow now: the timeline scrolls with the present"),
    ("F11", "Full screen (Esc leaves it)"),
    ("F5", "Presenter mode: full screen, big type, high contrast (Esc leaves it)"),
    ("PgDown / PgUp", "Presenter mode: next / previous lesson (also Right / Left)"),
    ("1 - 9", "Presenter mode: jump to a lesson"),
    ("B", "Blank the screen, and back"),
    ("N", "Speaker notes for the lesson"),
    ("H", "Hide or show the side panel (the stage gets the width)"),
    ("Ctrl+E", "Export the current run as a Chrome trace"),
    ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous lesson"),
    ("Ctrl+K", "Code panel: the lesson's real source and its terminal command"),
    ("Ctrl+S / Ctrl+O", "Save the run / open a saved run and replay it (Space plays)"),
    ("F1 or ?", "This list"),
    ("Ctrl+Q", "Quit"),
]


def make_action(window: MainWindow, text: str, shortcut: str, tip: str, slot: Any) -> QAction:
    """An action of the window with its key (window-wide), tooltip and status tip."""
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def build_actions(window: MainWindow) -> None:
    """Every action with its key, the controls toolbar and the menus."""
    window.start_action = make_action(
        window, "Start", "", "Start the lesson's workers", window.start
    )
    window.pause_action = make_action(
        window, "Pause", "", "Hold every worker where it is, inside a step too", window.toggle_pause
    )
    window.space_action = make_action(
        window,
        "Start / Pause / Resume",
        "Space",
        "Start, or pause and resume",
        window.start_or_toggle,
    )
    window.join_action = make_action(
        window, "Join", "J", "Wait for every worker to end", window.join
    )
    window.cancel_action = make_action(window, "Cancel", "C", "Stop every worker", window.cancel)
    window.reset_action = make_action(
        window, "Reset", "R", "Stop and clear everything", window.reset
    )
    window.follow_action = make_action(
        window, "Follow now", "F", "Let the timeline scroll with the present", window.follow_now
    )
    window.export_action = make_action(
        window,
        "Export trace...",
        "Ctrl+E",
        "Save the run as Chrome Trace JSON (Perfetto)",
        window.export_trace,
    )
    window.save_run_action = make_action(
        window,
        "Save run...",
        "Ctrl+S",
        "Save the run (events and settings) to replay later",
        window.save_run,
    )
    window.open_run_action = make_action(
        window,
        "Open run...",
        "Ctrl+O",
        "Replay a saved run, with no workers running",
        window.open_run,
    )
    window.export_timeline_action = make_action(
        window,
        "Export timeline image...",
        "",
        "The timeline as PNG or SVG, for slides",
        lambda: window.export_plot("timeline"),
    )
    window.export_cpu_action = make_action(
        window,
        "Export CPU plot image...",
        "",
        "The CPU plot as PNG or SVG, for slides",
        lambda: window.export_plot("cpu"),
    )
    window.fullscreen_action = make_action(
        window, "Full screen", "F11", "Toggle full screen", window.toggle_full_screen
    )
    window.leave_fullscreen_action = make_action(
        window, "Leave full screen", "Esc", "Leave full screen", window.leave_full_screen
    )
    window.help_action = make_action(
        window, "Keyboard shortcuts", "F1", "List shortcuts (F1 or ?)", lambda: show_help(window)
    )
    window.help_action.setShortcuts([QKeySequence("F1"), QKeySequence("?")])
    next_tab = make_action(
        window, "Next lesson", "Ctrl+PgDown", "Next lesson", lambda: window.step_lesson(1)
    )
    prev_tab = make_action(
        window, "Previous lesson", "Ctrl+PgUp", "Previous lesson", lambda: window.step_lesson(-1)
    )
    quit_action = make_action(window, "Quit", "Ctrl+Q", "Quit Concurrency Lab", window.close)

    toolbar = QToolBar("Controls")
    toolbar.setObjectName("controls")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for action in (
        window.start_action,
        window.pause_action,
        window.join_action,
        window.cancel_action,
        window.reset_action,
    ):
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(window.follow_action)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    window.toolbar = toolbar

    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    for action in (window.open_run_action, window.save_run_action):
        file_menu.addAction(action)
    file_menu.addSeparator()
    for action in (window.export_action, window.export_timeline_action, window.export_cpu_action):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)
    run_menu = menu.addMenu("&Run")
    for action in (
        window.space_action,
        window.join_action,
        window.cancel_action,
        window.reset_action,
    ):
        run_menu.addAction(action)
    window.view_menu = view_menu = menu.addMenu("&View")
    for action in (window.follow_action, window.fullscreen_action, next_tab, prev_tab):
        view_menu.addAction(action)
    help_menu = menu.addMenu("&Help")
    help_menu.addAction(window.help_action)
    help_menu.addAction(
        make_action(window, "About", "", "About Concurrency Lab", lambda: show_about(window))
    )


def add_presenter_and_code_panel(window: MainWindow) -> None:
    """The presenter's controls (toolbar, View menu) and the code panel with its Ctrl+K."""
    window.toolbar.addSeparator()
    window.toolbar.addAction(window.presenter.toggle_action)
    window.toolbar.addWidget(window.presenter.scale_slider)
    window.toolbar.addWidget(window.presenter.scale_label)
    window.toolbar.addSeparator()
    window.toolbar.addWidget(window.presenter.slow_slider)
    window.toolbar.addWidget(window.presenter.slow_label)
    window.view_menu.addAction(window.presenter.toggle_action)
    window.view_menu.addAction(window.presenter.blank_action)
    window.view_menu.addAction(window.presenter.notes_action)
    window.code_panel = CodePanel(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, window.code_panel)
    window.code_panel.hide()
    code_action = window.code_panel.toggleViewAction()
    code_action.setText("Code panel")
    code_action.setShortcut(QKeySequence("Ctrl+K"))
    code_action.setToolTip("The lesson's real source and its terminal command (Ctrl+K)")
    window.addAction(code_action)
    window.view_menu.addAction(code_action)
    window.toolbar.addAction(code_action)


def build_theme_menu(window: MainWindow) -> None:
    """View -> Theme: follow the system, light or dark (remembered)."""
    menu = window.view_menu.addMenu("&Theme")
    group = QActionGroup(window)
    window.theme_choice = read_choice(window.settings, "view/theme", "system", theme.THEMES)
    window.theme_actions = {}
    for choice in theme.THEMES:
        action = QAction(
            {"system": "Follow the system", "light": "Light", "dark": "Dark"}[choice], window
        )
        action.setCheckable(True)
        action.setChecked(choice == window.theme_choice)
        action.triggered.connect(lambda _=False, c=choice: window.set_theme(c))
        group.addAction(action)
        menu.addAction(action)
        window.theme_actions[choice] = action
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: window.apply_theme())
    window.apply_theme()


def show_help(window: MainWindow) -> None:
    """F1: the shortcuts."""
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS)
    QMessageBox.information(window, "Keyboard shortcuts", f"<table>{rows}</table>")


def show_about(window: MainWindow) -> None:
    """Help -> About."""
    QMessageBox.about(
        window,
        "About Concurrency Lab",
        f"<b>Concurrency Lab {__version__}</b><br>Real threads, processes and coroutines, "
        "shown live. Thread lessons run in a separate lab process so this window stays "
        "smooth while they fight for the GIL.",
    )
