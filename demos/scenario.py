"""A lesson's settings, declared once: typed parameters with limits, units and captions.

From one ``Scenario`` come the twin's command-line options and their validation, the command
line the code panel shows, the app's sliders and choices with their remembered settings, and
the checks a saved run's settings must pass. Nothing about a parameter is written twice.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Value = int | float | str | bool


@dataclass(frozen=True)
class Param:
    """One setting of a scenario.

    ``kind`` is int, float, str (one of ``choices``) or bool (a switch). ``low`` and ``high``
    bound numbers, inclusive. ``caption`` labels the slider and ``help`` explains it (tooltip
    and ``--help``). ``cli=False`` keeps a setting out of the twin (a GUI-only demonstration).
    """

    name: str
    kind: type
    default: Value
    low: float | None = None
    high: float | None = None
    unit: str = ""
    caption: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    cli: bool = True

    def __post_init__(self) -> None:
        # A declaration that contradicts itself is a programming error: fail at import.
        self.check(self.default)

    @property
    def option(self) -> str:
        """The twin's option: ``step_ms`` -> ``--step-ms``."""
        return "--" + self.name.replace("_", "-")

    def check(self, value: object) -> Value:
        """``value`` as this parameter's type, in range; ValueError says what is wrong."""
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise ValueError(f"{self.name} must be true or false, not {value!r}")
        if self.kind is str:
            if isinstance(value, str) and (not self.choices or value in self.choices):
                return value
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}")
        number = self._number(value)
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ValueError(
                f"{self.name} must be between {_fmt(self.low)} and {_fmt(self.high)}, "
                f"not {_fmt(number)}"
            )
        return number

    def _number(self, value: object) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{self.name} must be a number, not {value!r}")
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{self.name} must be a whole number, not {value!r}")
            return int(value)
        if not math.isfinite(value):
            raise ValueError(f"{self.name} must be a finite number, not {value!r}")
        return float(value)

    def parse(self, text: str) -> Value:
        """A value typed on a command line (``--set NAME=VALUE``, say), checked."""
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(f"{self.name} must be true or false, not {text!r}")
            return self.check(lowered in ("1", "true", "yes", "on"))
        if self.kind is str:
            return self.check(text)
        try:
            number = int(text) if self.kind is int else float(text)
        except ValueError:
            kind = "a whole number" if self.kind is int else "a number"
            raise ValueError(f"{self.name} must be {kind}, not {text!r}") from None
        return self.check(number)


def _fmt(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Scenario:
    """A lesson's twin: its module, what it shows and its parameters."""

    module: str  # "demos.multithreading": python -m <module> runs it
    summary: str
    params: tuple[Param, ...] = field(default=())

    def param(self, name: str) -> Param:
        """The parameter called ``name``; KeyError lists the known names."""
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params)
        raise KeyError(f"{self.module} has no setting {name!r}; its settings: {known}")

    def defaults(self) -> dict[str, Value]:
        """Every parameter at its default."""
        return {p.name: p.default for p in self.params}

    def limits(self) -> dict[str, tuple[float, float]]:
        """(low, high) of every bounded number."""
        return {
            p.name: (p.low, p.high) for p in self.params if p.low is not None and p.high is not None
        }

    def validate(self, values: Mapping[str, object]) -> dict[str, Value]:
        """The values, typed and in range, with defaults for those not given.

        Unknown names are an error: a typo must not silently run the default.
        """
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r} for {self.module}")
        return {p.name: p.check(values.get(p.name, p.default)) for p in self.params}

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """One option per parameter the twin offers, typed, with its default and help."""
        for p in self.params:
            if not p.cli:
                continue
            text = p.help or p.caption
            if p.unit:
                text = f"{text} ({p.unit})" if text else p.unit
            text = text.replace("%", "%%")  # argparse %-formats help: a "%" unit must be "%%"
            if p.kind is bool:
                parser.add_argument(p.option, action="store_true", help=text)
            elif p.kind is str:
                parser.add_argument(p.option, choices=p.choices, default=p.default, help=text)
            else:
                limits = f"{_fmt(p.low)}-{_fmt(p.high)}" if p.low is not None else ""
                parser.add_argument(
                    p.option,
                    type=p.kind,
                    default=p.default,
                    metavar=p.name.upper(),
                    help=f"{text}; {limits}, default {p.default}" if limits else text,
                )

    def from_args(
        self, parser: argparse.ArgumentParser, args: argparse.Namespace
    ) -> dict[str, Value]:
        """The parsed options as checked values; out of range exits 2 through ``parser``."""
        given = {p.name: getattr(args, p.name) for p in self.params if p.cli}
        try:
            return self.validate(given)
        except ValueError as exc:
            parser.error(str(exc))
            raise  # parser.error exits; this only tells type checkers so

    def command(self, values: Mapping[str, object], extra: Iterable[str] = ()) -> str:
        """The terminal command that runs these settings (switches only when on)."""
        parts = [f"python -m {self.module}"]
        for p in self.params:
            if not p.cli:
                continue
            value = values.get(p.name, p.default)
            if p.kind is bool:
                if value:
                    parts.append(p.option)
            else:
                parts.append(f"{p.option} {value}")
        parts.extend(extra)
        return " ".join(parts)

    def parser(self, description: str | None = None) -> argparse.ArgumentParser:
        """The twin's parser: every option of the scenario, ``--trace`` and ``--json``."""
        parser = argparse.ArgumentParser(
            prog=f"python -m {self.module}",
            description=description or self.summary,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self.add_arguments(parser)
        add_common_arguments(parser)
        return parser

    def parse(
        self,
        argv: list[str] | None,
        description: str | None = None,
        extra: Callable[[argparse.ArgumentParser], None] | None = None,
        adjust: Callable[[argparse.Namespace], None] | None = None,
    ) -> tuple[argparse.ArgumentParser, argparse.Namespace, dict[str, Value]]:
        """The twin's command line, parsed and checked: (parser, args, values).

        ``extra`` adds twin-only options (a deadline, a schedule); ``adjust`` fills in values
        that depend on others before they are checked. Bad values exit 2 through the parser.
        """
        parser = self.parser(description)
        if extra is not None:
            extra(parser)
        args = parser.parse_args(argv)
        try:
            if adjust is not None:
                adjust(args)
            return parser, args, self.from_args(parser, args)
        except ValueError as exc:
            parser.error(str(exc))
            raise  # parser.error exits; this only tells type checkers so


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """``--trace FILE`` and ``--json``, shared by every twin."""
    parser.add_argument("--trace", metavar="FILE", help="write a Chrome Trace Event JSON file")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="run this twin on another Python (3.11+; python -m demos.interpreters lists them)",
    )


def lesson_values(scenario: Scenario, values: Mapping[str, Any]) -> dict[str, Value]:
    """Validated values, with any extra GUI-only keys of ``values`` ignored."""
    known = {p.name for p in scenario.params}
    return scenario.validate({k: v for k, v in values.items() if k in known})
