"""Start where you mean to be: ``python -m app --lesson ID [--set NAME=VALUE ...] [--presenter]``.

IDs are those of ``python -m demos --json`` (a Challenges page's id opens that page). NAMEs are
the lesson's twin option names, with dashes (``--set step-ms=200``), and the choices its radio
buttons make (``--set model=processes``). Nothing here stops the app: a bad id, name or value is
reported in the window (and on stderr) and that setting keeps its default.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.param_widgets import SettingChoice, SettingCombo, SettingSlider, SettingSwitch
from demos import registry
from demos.scenario import Param

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from app.main_window import MainWindow

Control = SettingSlider | SettingChoice | SettingCombo | SettingSwitch


@dataclass
class LaunchOptions:
    """What the command line asked for, and what in it could not be understood."""

    lesson: str | None = None
    settings: list[tuple[str, str]] = field(default_factory=list)  # (name, value) as typed
    presenter: bool = False
    problems: list[str] = field(default_factory=list)


def parse_launch(argv: list[str]) -> LaunchOptions:
    """Read ``--lesson``, ``--set`` and ``--presenter``; anything else is noted as a problem."""
    options = LaunchOptions()
    args = iter(argv[1:])
    for arg in args:
        key, _, inline = arg.partition("=")
        if key == "--presenter":
            options.presenter = True
        elif key in ("--lesson", "--set"):
            value = inline if inline and key == "--lesson" else next(args, None)
            if key == "--set" and inline:  # --set=NAME=VALUE
                value = arg.split("=", 1)[1]
            if value is None:
                options.problems.append(f"{key} needs a value")
            elif key == "--lesson":
                options.lesson = value
            elif "=" not in value:
                options.problems.append(f"--set {value}: write NAME=VALUE, e.g. --set threads=8")
            else:
                name, _, text = value.partition("=")
                options.settings.append((name.strip(), text.strip()))
        elif arg.startswith("--"):  # single-dash ones are Qt's own (-platform, -style)
            options.problems.append(f"unknown option {arg!r}")
    return options


def lesson_and_page(lesson_id: str) -> tuple[int, str] | None:
    """(tab index, page title or "") of a lesson or Challenges page id; None if unknown."""
    for index, entry in enumerate(registry.LESSONS):
        if entry.id == lesson_id:
            return index, ""
        for page in entry.pages:
            if page.id == lesson_id:
                return index, page.title
    return None


def controls_of(container: QObject) -> dict[str, Control]:
    """The lesson's declared controls by parameter name (dashes as in the twin's options)."""
    found: dict[str, Control] = {}
    controls: list[Control] = [
        *container.findChildren(SettingSlider),
        *container.findChildren(SettingChoice),
        *container.findChildren(SettingCombo),
        *container.findChildren(SettingSwitch),
    ]
    for control in controls:
        found.setdefault(control.param.name.replace("_", "-"), control)
    return found


def set_control(control: Control, value: Any) -> None:
    """Put a checked value into the control (which remembers it, as when the user sets it)."""
    if isinstance(control, SettingSlider):
        control.setValue(int(value))
    elif isinstance(control, SettingChoice):
        control.set_value(str(value))
    elif isinstance(control, SettingCombo):
        control.setCurrentIndex(control.param.choices.index(str(value)))
    else:
        control.setChecked(bool(value))


def apply_launch(window: MainWindow, options: LaunchOptions) -> list[str]:
    """Open the lesson and set its controls; returns every problem, in words for the user."""
    problems = list(options.problems)
    if options.lesson is not None:
        place = lesson_and_page(options.lesson)
        if place is None:
            known = ", ".join(registry.lesson_ids())
            problems.append(f"no lesson {options.lesson!r}; the lessons are: {known}")
        else:
            index, page = place
            window.tabs.setCurrentIndex(index)
            if page:
                box = window.current_lesson().challenge  # type: ignore[attr-defined]
                box.setCurrentIndex(box.findText(page))
    if options.settings:
        problems.extend(_apply_settings(window, options.settings))
    return problems


def _apply_settings(window: MainWindow, settings: list[tuple[str, str]]) -> list[str]:
    lesson = window.current_lesson()
    container = getattr(lesson, "page", lesson)  # a Challenges page holds its own controls
    controls = controls_of(container)
    problems = []
    for name, text in settings:
        control = controls.get(name.replace("_", "-"))
        if control is None:
            known = ", ".join(sorted(controls)) or "none"
            problems.append(f"{lesson.title} has no setting {name!r}; its settings: {known}")
            continue
        param: Param = control.param
        try:
            value = param.parse(text)
            if isinstance(control, SettingSlider) and not float(value).is_integer():
                raise ValueError(f"{param.name} moves in whole steps here, not {text!r}")
        except ValueError as exc:
            problems.append(f"{exc}; it stays at {control_value(control)}")
            continue
        set_control(control, value)
    return problems


def control_value(control: Control) -> object:
    """What the control shows now, for messages."""
    if isinstance(control, SettingSlider):
        return control.value()
    if isinstance(control, SettingChoice | SettingCombo):
        return control.value()
    return control.isChecked()


def report(window: MainWindow, problems: list[str]) -> None:
    """Tell the user, in the window and on stderr, what on the command line was not used."""
    if not problems:
        return
    text = "Command line: " + "; ".join(problems) + "."
    window.show_banner(text)
    if sys.stderr is not None:  # a windowed frozen app has no stderr
        print(text, file=sys.stderr)
