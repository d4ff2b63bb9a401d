"""Fault injection, point 3 (saved runs only partly checked), by hypothesis.

Property-based tests of the saved-run loader: whatever a file holds, ``recording.load`` either
returns a run that replays, or refuses it with one RecordingError naming the problem.

The files start as real runs (lanes, events, marks, values, a result) and are mutated the ways
damage and hand edits go: a value swapped for another type, a number pushed out of range or made
non-finite, an item dropped or duplicated, a key removed.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from demos import recording
from demos.events import Kind, State
from demos.intervals import IntervalStore

pytestmark = pytest.mark.timeout(300)
STATES = [int(s) for s in State]
KINDS = [k.value for k in Kind]

# Any JSON value a damaged or hand-edited file might hold where another was expected.
junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def runs(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed run file's content."""
    n_lanes = draw(st.integers(1, 4))
    lanes = [
        [i + 1, draw(st.sampled_from(KINDS)), f"Thread-{i + 1}", 100 + i] for i in range(n_lanes)
    ]
    times = sorted(draw(st.lists(st.integers(0, 10**12), min_size=1, max_size=20)))
    events = [
        [t, draw(st.integers(1, n_lanes)), draw(st.sampled_from(STATES)), draw(st.text(max_size=6))]
        for t in times
    ]
    marks = [[t, "mark"] for t in draw(st.lists(st.integers(0, 10**12), max_size=3))]
    values = [[t, 1, "n", draw(junk)] for t in draw(st.lists(st.integers(0, 10**12), max_size=3))]
    return {
        "format": recording.FORMAT,
        "version": recording.VERSION,
        "lesson": "Multithreading",
        "page": "",
        "params": {"threads": n_lanes},
        "lanes": lanes,
        "events": events,
        "marks": marks,
        "values": values,
        "result": {"elapsed_s": draw(st.floats(0, 100)), "report": {}, "figures": {}},
    }


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:  # noqa: ANN401 - any JSON
    """Every place in a JSON tree, as a path of keys and indexes."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def damaged_runs(draw: st.DrawFn) -> dict[str, Any]:
    """A real run with one to three places replaced, dropped or duplicated."""
    data = draw(runs())
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _paths(data) if p]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        how = draw(st.sampled_from(["replace", "drop", "duplicate"]))
        if how == "replace":
            parent[last] = draw(junk)
        elif how == "drop":
            if isinstance(parent, dict):
                del parent[last]
            else:
                parent.pop(last)
        elif isinstance(parent, list):
            parent.insert(last, parent[last])
    return data


def _write(tmp: Path, data: Any) -> Path:  # noqa: ANN401 - any JSON
    path = tmp / "run.clrun"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump(data, file)  # non-finite floats are written as NaN/Infinity, as json allows
    return path


def _check_loaded(rec: recording.Recording) -> None:
    """What replay relies on, for a run the loader accepted."""
    lane_ids = {lane.lane_id for lane in rec.lanes}
    times = [event[0] for event in rec.events]
    assert times == sorted(times)
    for t, lane, state, detail in rec.events:
        assert isinstance(t, int)
        assert 0 <= t <= recording.INT64_MAX
        assert lane in lane_ids
        assert state in STATES
        assert isinstance(detail, str)
    for mark in rec.marks:
        assert isinstance(mark.t_ns, int)
        assert 0 <= mark.t_ns <= recording.INT64_MAX
    elapsed = rec.result.get("elapsed_s", 0.0)
    assert math.isfinite(elapsed)
    assert elapsed >= 0
    assert rec.duration_ns >= 0
    store = IntervalStore()
    for until in (0, rec.duration_ns // 2, rec.duration_ns, 2**80):
        recording.fill_store(store, rec, until)
    assert store.count == len(rec.events)


FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ONE_LANE = {"format": recording.FORMAT, "version": 1, "lanes": [[1, 1, "T", 1]]}


def _one_lane(**fields: Any) -> dict[str, Any]:  # noqa: ANN401 - any JSON
    return {**ONE_LANE, **fields}


@FUZZ
@given(data=runs())
def test_every_well_formed_run_loads_and_replays(tmp_path: Path, data: dict[str, Any]) -> None:
    _check_loaded(recording.load(_write(tmp_path, data)))


@settings(FUZZ, max_examples=600)
@given(data=damaged_runs())
@example(data={"format": recording.FORMAT, "version": 1, "lanes": [], "events": "lots"})
@example(data=_one_lane(events=[[1e400, 1, 2, ""]]))
@example(data=_one_lane(events=[[2**70, 1, 2, ""]]))
@example(data=_one_lane(events=[[-5, 1, 2, ""]]))
@example(data=_one_lane(events=[[5, 999, 2, ""]]))
@example(data=_one_lane(events=[[5, 1, 99, ""]]))
@example(data=_one_lane(events=[], result={"elapsed_s": "abc"}))
@example(data=_one_lane(events=[], result={"elapsed_s": math.inf}))
@example(data=_one_lane(events=[], result={"report": "x"}))
def test_a_damaged_run_loads_whole_or_is_refused_with_a_reason(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    path = _write(tmp_path, data)
    problem = ""
    try:
        rec = recording.load(path)
    except recording.RecordingError as error:
        problem = str(error)
    if problem:  # refused: one line that names the file
        assert problem.startswith("run.clrun")
        assert len(problem) < 300
        assert "\n" not in problem
    else:  # accepted: whole, and it replays
        _check_loaded(rec)
