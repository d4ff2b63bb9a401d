"""The debugging-complexity lesson: many totals from one program, a print that moves them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from demos import nondeterminism
from demos.events import Kind
from demos.intervals import IntervalStore
from demos.ring import DETAIL_BYTES
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent


def run_here(runs: int, print_inside: bool, sink: ListSink | None = None) -> dict:
    specs = nondeterminism.build_workers(runs, 3, 300, print_inside)
    run = Run(Kind.THREAD, specs, sink or ListSink())
    run.start()
    assert run.join(60.0).ended
    return nondeterminism.result(specs)


def test_twin_json_has_the_issue_keys() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.nondeterminism", "--runs", "20", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"results", "distinct_results"} <= result.keys()
    assert sum(result["results"].values()) == 20
    assert result["distinct_results"] == len(result["results"])


def test_fifty_runs_without_a_fix_give_several_totals() -> None:
    result = run_here(50, print_inside=False)
    assert result["runs"] == 50
    assert result["distinct_results"] >= 2, result["results"]
    assert max(result["results"]) <= result["expected"]


def test_a_print_inside_the_loop_changes_the_distribution() -> None:
    # Measured here over 100 runs: without the print mean about 370-550, spread 75-220; with it
    # mean about 310-360, spread 15-50. The assertion asks for far less than that.
    plain = run_here(100, print_inside=False)
    printed = run_here(100, print_inside=True)
    assert plain["results"] != printed["results"]
    moved = abs(plain["mean"] - printed["mean"]) > 10
    spread = max(plain["stdev"], printed["stdev"]) > 1.5 * min(plain["stdev"], printed["stdev"])
    assert moved or spread, (plain, printed)


def test_progress_details_fit_the_ring() -> None:
    detail = nondeterminism.progress_detail(1000, 1000, 4000)
    assert len(detail.encode()) <= DETAIL_BYTES


def test_progress_travels_as_one_typed_value_per_run() -> None:
    sink = ListSink()
    result = run_here(20, print_inside=False, sink=sink)
    store = IntervalStore()
    store.add_messages(sink.messages)
    progress = [value for _t, _lane, value in store.values(nondeterminism.PROGRESS)]
    assert [p["run"] for p in progress] == list(range(1, 21))
    assert {p["runs"] for p in progress} == {20}
    assert Counter(p["total"] for p in progress) == Counter(result["results"])
    assert json.loads(json.dumps(progress)) == progress  # plain data, as on the wire


def test_a_cancelled_experiment_ends() -> None:
    specs = nondeterminism.build_workers(1000, 4, 1000, False)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    assert run.cancel(10.0).ended


def histogram(*totals: tuple[int, int]) -> nondeterminism.NondeterminismResult:
    return nondeterminism.NondeterminismResult(100, 3, 300, False, totals)


def test_the_verdict_follows_the_histogram() -> None:
    # The racy program is expected to give many totals; when every run agreed, it says so.
    lucky = histogram((900, 100)).verdict()
    assert "different totals" not in lucky
    assert lucky.startswith("All 100 runs without a print reached the expected 900")
    assert "same wrong total, 880" in histogram((880, 100)).verdict()
    spread = histogram((880, 30), (890, 20), (900, 50)).verdict()
    assert spread.startswith("100 runs without a print gave 3 different totals; 50 reached")


def test_the_result_json_round_trips_and_refuses_nonsense() -> None:
    outcome = histogram((880, 30), (900, 70))
    data = json.loads(json.dumps(outcome.as_json()))  # JSON makes the totals strings
    assert data["results"] == {"880": 30, "900": 70}
    assert (data["correct_runs"], data["mean"], data["stdev"]) == (70, 894.0, 9.17)
    assert nondeterminism.NondeterminismResult.from_json(data) == outcome
    assert nondeterminism.NondeterminismResult.from_json(outcome.as_json()) == outcome
    for bad in ({**data, "results": {"lots": 3}}, {**data, "results": [1]}, {**data, "print": 0}):
        with pytest.raises((TypeError, ValueError)):
            nondeterminism.NondeterminismResult.from_json(bad)


@pytest.mark.gui
def test_nondeterminism_page_shows_a_histogram(qtbot, challenge_page) -> None:  # noqa: ANN001
    win, tab, page = challenge_page("Debugging complexity")
    try:
        assert page.name == "Debugging complexity"
        page.sliders["runs"].setValue(30)
        page.print_inside.setChecked(True)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
        qtbot.waitUntil(lambda: "different totals" in page.verdict_label.text(), timeout=5000)
        assert page.runs_label.text() == "30 of 30"
        # The big figure is the verdict's count of different totals, and the bars hold 30 runs.
        told = re.search(r"gave ([\d,]+) different totals", page.verdict_label.text())
        assert told, page.verdict_label.text()
        assert page.distinct_label.text() == told.group(1)
        assert int(told.group(1).replace(",", "")) >= 2
        assert sum(page.chart.items[0].opts["height"]) == 30
        assert "with a print" in page.verdict_label.text()
    finally:
        page.print_inside.setChecked(False)
        page.sliders["runs"].setValue(nondeterminism.DEFAULTS["runs"])


@pytest.mark.gui
def test_nondeterminism_page_counts_runs_live(qtbot, challenge_page) -> None:  # noqa: ANN001
    win, tab, page = challenge_page("Debugging complexity")
    try:
        page.sliders["runs"].setValue(1000)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        # While it runs, the histogram grows from the orchestrator's PROGRESS values.
        live = re.compile(r"^[1-9][\d,]* of 1,000$")
        qtbot.waitUntil(
            lambda: win.lab.running and bool(live.match(page.runs_label.text())), timeout=30_000
        )
        # Read together (no event is processed in between): never more totals than runs.
        runs = int(page.runs_label.text().split(" of ")[0].replace(",", ""))
        distinct = int(page.distinct_label.text().replace(",", ""))
        assert 1 <= distinct <= runs, (distinct, runs)
        assert sum(page.chart.items[0].opts["height"]) == runs
        win.cancel()
        qtbot.waitUntil(lambda: not win.lab.running, timeout=10_000)
    finally:
        page.sliders["runs"].setValue(nondeterminism.DEFAULTS["runs"])
