"""Presenter mode: full screen, big type, high contrast, clicker keys, a blank screen, notes.

Presentation remotes send Page Down / Page Up (some send Right / Left); those go to the next and
previous lesson, but only in presenter mode, so that outside it the arrow keys still move sliders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QSlider, QVBoxLayout, QWidget

from app import presenter_fit as fit
from app.palette import YELLOW
from app.speaker_notes import BODY_PT, SpeakerNotes, other_screen
from app.stage_title import TITLE_SCALE, StageTitle

if TYPE_CHECKING:
    from app.main_window import MainWindow

DEFAULT_SCALE = 1.75
MIN_SCALE, MAX_SCALE = fit.MIN_SCALE, fit.MAX_SCALE
FIT_ROUNDS = 8  # scale steps tried before giving up on a screen too small for the layout
HIGH_CONTRAST_QSS = """
QWidget { background: #000000; color: #FFFFFF; font-size: %(pt).1fpt; }
QToolBar, QStatusBar, QTabBar::tab { background: #111111; color: #FFFFFF; }
QTabBar::tab:selected { background: #FFFFFF; color: #000000; font-weight: bold; }
QToolButton:disabled, QLabel:disabled, QRadioButton:disabled, QCheckBox:disabled,
QPushButton:disabled { color: #888888; }
QAbstractButton:focus, QAbstractSpinBox:focus, QSlider:focus { outline: 3px solid %(accent)s; }
QAbstractSpinBox, QComboBox { background: #1A1A1A; color: #FFFFFF; border: 1px solid #FFFFFF; }
QFrame[frameShape="6"] { border: 2px solid #FFFFFF; }
QRadioButton::indicator, QCheckBox::indicator {
    width: %(box)dpx; height: %(box)dpx; border: 2px solid #FFFFFF; background: #000000; }
QRadioButton::indicator { border-radius: %(radius)dpx; }
QRadioButton::indicator:checked, QCheckBox::indicator:checked { background: %(accent)s; }
QSlider::groove:horizontal { height: 6px; background: #555555; }
QSlider::handle:horizontal { width: %(box)dpx; margin: -8px 0; background: %(accent)s; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button { width: 0px; }
QLabel#cpuReadout, QLabel#bigFigure { font-size: %(big).1fpt; font-weight: bold; }
QLabel#stageTitle { font-size: %(title).1fpt; font-weight: bold; background: #111111; }
"""
BASE_POINT_SIZE = 10.0


class BlankOverlay(QWidget):
    """A black cover over the whole window (B), as presenters blank a projector."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setStyleSheet("background: #000000;")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Blank screen (press B to show the lesson again)")
        parent.installEventFilter(self)  # follow the window as it goes full screen
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Keep covering the whole window when it resizes."""
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self.setGeometry(watched.rect())
        return False

    def cover(self) -> None:
        """Show over everything in the parent."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class PresenterMode(QObject):
    """Owns the presenter actions and state of one MainWindow."""

    activeChanged = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        # The speaker's choice for this screen size, and the scale applied: the same, or the
        # largest that fits when the screen has no room for the choice (app.presenter_fit).
        self.chosen = fit.chosen_scale(window.settings, fit.screen_size(window), DEFAULT_SCALE)
        self.scale = self.chosen
        self._fit_rounds = 0
        self._normal_font = QApplication.font()
        self._normal_qss = window.styleSheet()
        self._was_maximized = False
        self.normal_geometry = window.saveGeometry()
        self.blank = BlankOverlay(window)
        self.notes = SpeakerNotes(window)
        self.notes.dock.visibilityChanged.connect(self._update_notes)

        self.toggle_action = window._action(
            "Presenter", "F5", "Presenter mode: full screen, big type, clicker keys", self.toggle
        )
        self.toggle_action.setCheckable(True)
        self.blank_action = window._action(
            "Blank screen", "B", "Blank the screen", self.toggle_blank
        )
        self.notes_action = window._action(
            "Speaker notes", "N", "Show speaker notes", self.toggle_notes
        )
        self.side_shown = True
        self.side_action = window._action(
            "Side panel",
            "H",
            "Hide or show the side panel (the stage gets the width)",
            self.toggle_side_panel,
        )
        self.title = StageTitle()
        stage = window.centralWidget()
        central = stage.layout() if stage is not None else None
        assert isinstance(central, QVBoxLayout)
        central.insertWidget(central.indexOf(window.tabs), self.title)
        self.clicker_actions: list[QAction] = []
        for keys, tip, step in (
            (("PgDown", "Right"), "Next lesson", 1),
            (("PgUp", "Left"), "Previous lesson", -1),
        ):
            action = QAction(tip, window)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, s=step: self._step_lesson(s))
            action.setEnabled(False)
            window.addAction(action)
            self.clicker_actions.append(action)
        for number in range(1, 11):  # keys 1-9, then 0 for the 10th lesson
            action = QAction(f"Lesson {number}", window)
            action.setShortcut(QKeySequence(str(number % 10)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, n=number: self._jump(n - 1))
            action.setEnabled(False)
            window.addAction(action)
            self.clicker_actions.append(action)

        self.scale_slider = QSlider(Qt.Orientation.Horizontal)
        self.scale_slider.setRange(int(MIN_SCALE * 100), int(MAX_SCALE * 100))
        self.scale_slider.setValue(round(self.chosen * 100))
        self.scale_slider.setFixedWidth(140)
        self.scale_slider.setToolTip("Presenter scale: type and line widths (1.0x - 3.0x)")
        self.scale_slider.setAccessibleName("Presenter scale")
        self.scale_slider.valueChanged.connect(lambda v: self.set_scale(v / 100))
        self.scale_label = QLabel()
        self._show_scale()
        self.slow_slider = QSlider(Qt.Orientation.Horizontal)
        self.slow_slider.setRange(1, 10)
        self.slow_slider.setValue(10)
        self.slow_slider.setFixedWidth(110)
        self.slow_slider.setToolTip(
            "Slow motion: sleeps and steps take longer (0.1x - 1x), so you can narrate a run"
        )
        self.slow_slider.setAccessibleName("Slow motion")
        self.slow_label = QLabel("speed 1.0x")
        self.slow_slider.valueChanged.connect(self._slow_motion_changed)
        window.tabs.currentChanged.connect(self._update_notes)
        window.tabs.currentChanged.connect(self._update_title)
        # Another lesson may need more room than the one the scale was fitted on.
        window.tabs.currentChanged.connect(self._fit_if_presenting)

    # ------------------------------------------------------------ actions
    def toggle(self) -> None:
        """F5: enter or leave presenter mode."""
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        """Full screen, chrome hidden, scaled type, high contrast, clicker keys on."""
        if self.active:
            return
        window = self.window
        self.active = True
        self._was_maximized = window.isMaximized()
        self.normal_geometry = window.saveGeometry()
        window.menuBar().hide()
        window.statusBar().hide()
        for action in self.clicker_actions:
            action.setEnabled(True)
        self._take_chosen_scale()
        self._apply_scale()
        self._update_title()
        self.title.show()
        window.tabs.tabBar().hide()  # the big title says where the talk is
        for lesson in window.lessons.built():
            lesson.set_presenting(True)
        window.showFullScreen()
        self._fit_soon()
        self.toggle_action.setChecked(True)
        if other_screen(window) is not None:  # a second screen: the notes go there at once
            self._update_notes()
            self.notes.show(presenting=True)
        self.activeChanged.emit(True)

    def leave(self) -> None:
        """Esc (or F5 again): back to the normal window."""
        if not self.active:
            return
        window = self.window
        self.active = False
        self.blank.hide()
        window.menuBar().show()
        window.statusBar().show()
        self.title.hide()
        window.tabs.tabBar().show()
        window.setStyleSheet(self._normal_qss)
        for action in self.clicker_actions:
            action.setEnabled(False)
        QApplication.setFont(self._normal_font)
        for lesson in window.lessons.built():
            reinherit_fonts(lesson)
            lesson.set_scale(1.0)
            lesson.set_presenting(False)
        window.apply_theme()  # back to the chosen theme's plots
        if self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()
            # Full screen grew the window's minimum while it lasted: put it back where it was.
            window.restoreGeometry(self.normal_geometry)
        self.toggle_action.setChecked(False)
        if self.notes.window_view.isVisible():  # the second screen's notes end with the talk
            self.notes.hide()
        self.notes.set_point_size(BODY_PT)
        reinherit_fonts(self.notes.dock)
        self.activeChanged.emit(False)

    def set_scale(self, factor: float) -> None:
        """The speaker's scale (remembered for this screen size); applied at once when
        presenting, or the largest below it that fits."""
        self.chosen = min(MAX_SCALE, max(MIN_SCALE, factor))
        fit.remember_scale(self.window.settings, fit.screen_size(self.window), self.chosen)
        self.scale = self.chosen
        self._show_scale()
        if self.active:
            self._apply_scale()
            self._fit_soon()

    def _take_chosen_scale(self) -> None:
        """The choice remembered for the screen the window is on now."""
        self.chosen = fit.chosen_scale(
            self.window.settings, fit.screen_size(self.window), DEFAULT_SCALE
        )
        self.scale = self.chosen
        self.scale_slider.blockSignals(True)  # showing the choice is not a new choice
        self.scale_slider.setValue(round(self.chosen * 100))
        self.scale_slider.blockSignals(False)
        self._show_scale()

    def _fit_if_presenting(self, *_: object) -> None:
        if self.active:
            self._fit_soon()

    def _fit_soon(self) -> None:
        """Measure once the new type has reached every layout (posted events first)."""
        self._fit_rounds = 0
        QTimer.singleShot(0, self, self._fit_to_screen)

    def _fit_to_screen(self) -> None:
        """Step the scale down until the stage fits the screen (a few rounds at most)."""
        if not self.active:
            return
        lesson = self.window.current_lesson()
        lesson.side_scroll.refresh()
        ratio = fit.room_ratio(self.window, lesson.side_scroll.minimumSizeHint().width())
        if ratio < 1.0 and self.scale > MIN_SCALE and self._fit_rounds < FIT_ROUNDS:
            self._fit_rounds += 1
            self.scale = fit.smaller_scale(self.scale, ratio)
            self._apply_scale()
            QTimer.singleShot(0, self, self._fit_to_screen)
        self._show_scale()

    def _show_scale(self) -> None:
        """The slider's label: the scale in use, and why when it is not the speaker's."""
        if self.scale < self.chosen - 1e-6:
            size = fit.screen_size(self.window)
            self.scale_label.setText(f"{self.scale:.2f}x (fits {size.width()}x{size.height()})")
            self.scale_slider.setToolTip(
                f"Presenter scale: you chose {self.chosen:.2f}x; this screen has room for "
                f"{self.scale:.2f}x, so that is used here (1.0x - 3.0x)"
            )
        else:
            self.scale_label.setText(f"{self.scale:.2f}x")
            self.scale_slider.setToolTip("Presenter scale: type and line widths (1.0x - 3.0x)")

    @property
    def time_scale(self) -> float:
        """The slow-motion setting, 0.1 to 1.0."""
        return self.slow_slider.value() / 10

    def apply_time_scale(self) -> None:
        """Give the setting to the lab and to lessons that run their own workers."""
        scale = self.time_scale
        self.window.lab.control.set_time_scale(scale)
        for lesson in self.window.lessons.built():
            control = getattr(lesson, "control", None)
            if control is not None:
                control.set_time_scale(scale)

    def _slow_motion_changed(self, value: int) -> None:
        self.slow_label.setText(f"speed {value / 10:.1f}x")
        self.apply_time_scale()

    def toggle_blank(self) -> None:
        """B: blank the screen, or bring the lesson back."""
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.blank.cover()

    def toggle_side_panel(self) -> None:
        """H: the side panel away (the stage takes the width), or back."""
        self.side_shown = not self.side_shown
        for lesson in self.window.lessons.built():
            lesson.set_side_panel_shown(self.side_shown)

    def _update_title(self, *_: object) -> None:
        tabs = self.window.tabs
        self.title.show_lesson(
            tabs.currentIndex() + 1, tabs.count(), self.window.current_lesson().title
        )

    def toggle_notes(self) -> None:
        """N: show or hide the speaker notes (never taking the keyboard from the stage)."""
        if self.notes.isVisible():
            self.notes.hide()
        else:
            self._update_notes()
            self.notes.show(presenting=self.active)

    # ------------------------------------------------------------ helpers
    def _apply_scale(self) -> None:
        font = QFont(self._normal_font)
        size = self._normal_font.pointSizeF()
        points = (size if size > 0 else BASE_POINT_SIZE) * self.scale
        font.setPointSizeF(points)
        QApplication.setFont(font)
        # The stylesheet carries the size too: styled widgets take their font from it.
        box = int(14 * self.scale)
        self.window.setStyleSheet(
            HIGH_CONTRAST_QSS
            % {
                "pt": points,
                "big": points * 1.4,
                "title": points * TITLE_SCALE,
                "box": box,
                "radius": box // 2 + 1,
                "accent": YELLOW,
            }
        )
        for lesson in self.window.lessons.built():
            lesson.set_scale(self.scale)
        self.notes.set_point_size(BODY_PT * min(self.scale, 1.5))
        self.title.set_point_size(points)

    def _step_lesson(self, step: int) -> None:
        if step > 0 and self.window.ask_room.isVisible():  # the clicker's "next": run it
            self.window.start_or_toggle()
            return
        self.window.step_lesson(step)

    def _jump(self, index: int) -> None:
        if index < self.window.tabs.count():
            self.window.tabs.setCurrentIndex(index)

    def _update_notes(self, *_: object) -> None:
        lesson = self.window.current_lesson()
        self.notes.show_notes(lesson.title, lesson.speaker_notes)


def reinherit_fonts(root: QWidget) -> None:
    """Make every widget under ``root`` whose font no code set take its parent's again.

    Leaving presenter mode clears the stylesheet that carried the big type; widgets the sheet
    had styled (a lesson built in presenter mode, for one) can keep that type, and with it a
    side panel too wide for the normal window.
    """
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            widget.setFont(QFont())
