"""A recorded run: lanes, events, marks, values, settings and figures, saved to one file and read
back.

The file is gzip-compressed JSON (``.clrun``), versioned, so a presenter can replay a run on a
machine where a live demo misbehaves. Events are rebuilt from the store's intervals: every
interval starts with the event that opened it, so nothing is lost. Values (the figures workers
reported, ``Msg.VALUE``) are kept as they came; a file saved before values existed has none.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from demos.events import MAIN_LANE_ID, Event, Kind, Lane, Mark, State
from demos.intervals import IntervalStore

RecordedValue = tuple[int, int, str, Any]  # (t_ns, lane_id, name, value)
FORMAT = "concurrency-lab-run"
VERSION = 1
SUFFIX = ".clrun"


class RecordingError(ValueError):
    """The file is not a run this version can read; the message says why."""


@dataclass
class Recording:
    """Everything needed to replay a run without running workers."""

    lesson: str
    params: dict[str, Any]
    lanes: list[Lane]
    events: list[Event]  # sorted by time
    marks: list[Mark] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    page: str = ""  # the page of a lesson with pages (Challenges), "" for the others
    values: list[RecordedValue] = field(default_factory=list)  # sorted by time

    @functools.cached_property
    def times_ns(self) -> np.ndarray:
        """Event times, for binary searches while replaying."""
        return np.fromiter((e[0] for e in self.events), dtype=np.int64, count=len(self.events))

    def cut(self, until_ns: int) -> int:
        """How many events happened within ``until_ns`` of the start (0 to len(events))."""
        if not self.events or until_ns < 0:
            return 0
        if until_ns >= self.duration_ns:
            return len(self.events)
        return int(np.searchsorted(self.times_ns, self.t0_ns + until_ns, side="right"))

    def value_cut(self, until_ns: int) -> int:
        """How many values were reported within ``until_ns`` of the start (all of them at the
        end, even one reported after the last event)."""
        if until_ns >= self.duration_ns:
            return len(self.values)
        limit = self.t0_ns + until_ns
        return sum(1 for v in self.values if v[0] <= limit)

    @property
    def t0_ns(self) -> int:
        """Time of the first event."""
        return self.events[0][0] if self.events else 0

    @property
    def duration_ns(self) -> int:
        """From the first event to the last."""
        return max(0, self.events[-1][0] - self.t0_ns) if self.events else 0


def from_store(
    store: IntervalStore,
    lesson: str,
    params: dict[str, Any],
    result: dict[str, Any],
    page: str = "",
) -> Recording:
    """Capture a store's run (``page``: which page of the lesson it ran on, if it has pages)."""
    n = store.count
    order = np.argsort(store.start_ns[:n], kind="stable")
    lane_ids = [lane.lane_id for lane in store.lanes]
    events: list[Event] = [
        (
            int(store.start_ns[i]),
            lane_ids[int(store.row[i])],
            int(store.state[i]),
            store.detail[i],
        )
        for i in order
    ]
    return Recording(
        lesson,
        dict(params),
        list(store.lanes),
        events,
        list(store.marks),
        result,
        page,
        store.all_values(),
    )


def save(recording: Recording, path: str | Path) -> None:
    """Write a ``.clrun`` file."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "lesson": recording.lesson,
        "page": recording.page,
        "params": recording.params,
        "lanes": [lane.as_tuple() for lane in recording.lanes],
        "events": recording.events,
        "marks": [(m.t_ns, m.label) for m in recording.marks],
        "values": recording.values,
        "result": recording.result,
    }
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump(data, file)


INT64_MAX = 2**63 - 1


def damaged(path: str | Path, problem: str) -> RecordingError:
    """The error for a file that reads as a run but holds nonsense: names the file and why."""
    return RecordingError(f"{Path(path).name} is damaged: {problem}")


def _short(value: object, limit: int = 40) -> str:
    """A value as the message shows it: its repr, cut short (a damaged file can hold anything)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _time(value: object, what: str) -> int:
    """A time in nanoseconds: a whole number from 0 to the int64 maximum, else ValueError."""
    if not _is_int(value):
        raise ValueError(f"{what} has time {_short(value)}, not a whole number of nanoseconds")
    assert isinstance(value, int)
    if value < 0:
        raise ValueError(f"{what} has a negative time ({value})")
    if value > INT64_MAX:
        raise ValueError(f"{what} has a time beyond the 64-bit range ({value})")
    return value


def _lanes(items: object) -> list[Lane]:
    if not isinstance(items, list):
        raise ValueError("its lanes are not a list")
    lanes: list[Lane] = []
    for i, item in enumerate(items):
        if not isinstance(item, list) or len(item) != 4:
            raise ValueError(f"lane {i} is not [id, kind, name, ident]")
        lane_id, kind, name, ident = item
        if not _is_int(lane_id) or not _is_int(ident) or not isinstance(name, str):
            raise ValueError(f"lane {i} has a malformed id, name or ident")
        try:
            lanes.append(Lane(lane_id, Kind(kind), name, ident))
        except ValueError:
            raise ValueError(f"lane {i} has unknown kind {_short(kind)}") from None
    ids = [lane.lane_id for lane in lanes]
    if len(set(ids)) != len(ids):
        raise ValueError("two lanes have the same id")
    return lanes


def _events(items: object, lane_ids: set[int]) -> list[Event]:
    if not isinstance(items, list):
        raise ValueError("its events are not a list")
    states = {int(s) for s in State}
    events: list[Event] = []
    for i, item in enumerate(items):
        if not isinstance(item, list) or len(item) != 4:
            raise ValueError(f"event {i} is not [time, lane, state, detail]")
        t, lane, state, detail = item
        _time(t, f"event {i}")
        if not _is_int(lane) or lane not in lane_ids:
            raise ValueError(f"event {i} is on lane {_short(lane)}, which is not among the lanes")
        if not _is_int(state) or state not in states:
            raise ValueError(f"event {i} has unknown state {_short(state)}")
        if not isinstance(detail, str):
            raise ValueError(f"event {i} has a detail that is not text")
        events.append((t, lane, state, detail))
    # Sources may interleave; replay needs time order (a stable sort keeps a lane's order).
    return sorted(events, key=lambda e: e[0])


def _marks(items: object) -> list[Mark]:
    if not isinstance(items, list):
        raise ValueError("its marks are not a list")
    marks: list[Mark] = []
    for i, item in enumerate(items):
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[1], str):
            raise ValueError(f"mark {i} is not [time, label]")
        marks.append(Mark(_time(item[0], f"mark {i}"), item[1]))
    return marks


def _values(items: object, lane_ids: set[int]) -> list[RecordedValue]:
    if not isinstance(items, list):
        raise ValueError("its values are not a list")
    known = lane_ids | {MAIN_LANE_ID}
    values: list[RecordedValue] = []
    for i, item in enumerate(items):
        if not isinstance(item, list) or len(item) != 4:
            raise ValueError(f"value {i} is not [time, lane, name, value]")
        t, lane, name, value = item
        _time(t, f"value {i}")
        if not _is_int(lane) or lane not in known:
            raise ValueError(f"value {i} is on lane {_short(lane)}, which is not among the lanes")
        if not isinstance(name, str):
            raise ValueError(f"value {i} has a name that is not text ({_short(name)})")
        values.append((t, lane, name, value))
    return sorted(values, key=lambda v: v[0])


def _result(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("its result is not a dictionary")
    for key in ("report", "figures"):
        if key in value and not isinstance(value[key], dict):
            raise ValueError(f"result.{key} is not a dictionary")
    if "elapsed_s" in value:
        elapsed = value["elapsed_s"]
        if not isinstance(elapsed, int | float) or isinstance(elapsed, bool):
            raise ValueError(f"result.elapsed_s is {_short(elapsed)}, not a number")
        if not math.isfinite(elapsed) or elapsed < 0:
            raise ValueError(f"result.elapsed_s is {_short(elapsed)}, not a finite duration")
    return value


def param_problem(params: dict[str, Any], defaults: dict[str, Any]) -> str | None:
    """What is wrong with ``params`` for a lesson whose parameters default to ``defaults``.

    A value must have its default's type (a whole number may stand for a float); keys the
    lesson does not know are ignored. None when every value fits.
    """
    for key, value in params.items():
        if key not in defaults:
            continue
        default = defaults[key]
        expected = type(default)
        fits = type(value) is expected or (expected is float and _is_int(value))
        if not fits:
            return (
                f"setting {_short(key)} is {_short(value)} ({type(value).__name__}), but the "
                f"lesson expects {expected.__name__}"
            )
    return None


def load(path: str | Path) -> Recording:
    """Read a ``.clrun`` file; anything malformed raises RecordingError with a clear message."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{Path(path).name} is not a Concurrency Lab run ({exc})") from exc
    except RecursionError as exc:
        raise damaged(path, "it is nested too deeply to read") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f"{Path(path).name} is not a Concurrency Lab run")
    if data.get("version") != VERSION:
        raise RecordingError(
            f"{Path(path).name} was saved by another version (format {data.get('version')})"
        )
    try:
        lesson, page = data.get("lesson", ""), data.get("page", "")
        if not isinstance(lesson, str) or not isinstance(page, str):
            raise ValueError("its lesson or page is not text")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise ValueError("its settings are not a dictionary")
        if "lanes" not in data or "events" not in data:
            raise ValueError("it has no lanes or no events")
        lanes = _lanes(data["lanes"])
        events = _events(data["events"], {lane.lane_id for lane in lanes})
        marks = _marks(data.get("marks", []))
        values = _values(data.get("values", []), {lane.lane_id for lane in lanes})
        result = _result(data.get("result", {}))
    except ValueError as exc:
        raise damaged(path, str(exc)) from exc
    return Recording(lesson, params, lanes, events, marks, result, page, values)


def fill_store(store: IntervalStore, recording: Recording, until_ns: int) -> None:
    """Put the recording into ``store`` up to ``until_ns`` after its start (for replay)."""
    store.clear()
    for lane in recording.lanes:
        store.add_lane(lane)
    store.add_events(recording.events[: recording.cut(until_ns)])
    limit = recording.t0_ns + until_ns
    for mark in recording.marks:
        if mark.t_ns <= limit:
            store.add_mark(mark)
    for t_ns, lane_id, name, value in recording.values[: recording.value_cut(until_ns)]:
        store.add_value(t_ns, lane_id, name, value)
