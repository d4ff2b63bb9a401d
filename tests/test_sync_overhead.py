"""The synchronization-overhead lesson: its twin, the measured overhead, and its page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from demos import sync_overhead
from demos.events import Kind
from demos.runtime import Run
from demos.transport import ListSink

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent


def test_twin_json_has_the_issue_keys_and_locked_is_slower() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "demos.sync_overhead", "--operations", "300000", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"ops_per_s_locked", "ops_per_s_batched", "overhead_ratio"} <= result.keys()
    assert result["overhead_ratio"] > 1
    assert result["exact"]
    assert result["complete"]


def test_in_process_every_phase_is_exact_and_locking_costs() -> None:
    specs = sync_overhead.build_workers(4, 200_000)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    assert run.join(60.0).ended
    result = sync_overhead.result(specs)
    assert result["complete"]
    assert result["exact"]
    assert result["ops_per_s_locked"] < result["ops_per_s_batched"]
    assert result["overhead_ratio"] > 1
    assert result["ops_per_s_baseline"] > result["ops_per_s_locked"]


def test_shares_add_up_to_the_total() -> None:
    tally = sync_overhead.Tally(7, 100_003)
    assert sum(tally.share(i) for i in range(7)) == 100_003


def test_a_cancelled_run_breaks_the_barrier_and_ends() -> None:
    specs = sync_overhead.build_workers(4, 5_000_000)
    run = Run(Kind.THREAD, specs, ListSink())
    run.start()
    assert run.cancel(10.0).ended
    assert not sync_overhead.result(specs)["complete"]


def overhead(locked: int, batched: int, exact: bool = True) -> sync_overhead.SyncOverheadResult:
    return sync_overhead.SyncOverheadResult(
        4, 1_000_000, 0.1, 1e6 / locked, 1e6 / batched, 10_000_000, locked, batched, exact, True
    )


def test_the_verdict_follows_the_rates() -> None:
    # The settings always predict "a lock per increment is slower"; the rates decide.
    assert "4.0 times slower" in overhead(locked=1_000_000, batched=4_000_000).verdict()
    even = overhead(locked=1_000_000, batched=1_050_000).verdict()
    assert "slower" not in even
    assert "No clear overhead" in even
    assert "noise" in overhead(locked=2_000_000, batched=1_000_000).verdict()
    assert "NOT exact" in overhead(1_000_000, 4_000_000, exact=False).verdict()


def test_the_result_json_round_trips_and_refuses_nonsense() -> None:
    outcome = overhead(locked=1_000_000, batched=3_000_000)
    data = json.loads(json.dumps(outcome.as_json()))
    assert data["overhead_ratio"] == 3.0
    assert sync_overhead.SyncOverheadResult.from_json(data) == outcome
    cut = sync_overhead.SyncOverheadResult.from_json({**data, "ops_per_s_batched": None})
    assert cut.overhead_ratio is None
    for bad in ({**data, "exact": "yes"}, {**data, "ops_per_s_locked": -1}, "x"):
        with pytest.raises((TypeError, ValueError)):
            sync_overhead.SyncOverheadResult.from_json(bad)


@pytest.mark.gui
def test_overhead_page_shows_both_rates_and_the_ratio(qtbot, challenge_page) -> None:  # noqa: ANN001
    win, tab, page = challenge_page("Synchronization overhead")
    try:
        assert page.name == "Synchronization overhead"
        page.sliders["threads"].setValue(2)
        page.sliders["operations"].setValue(200_000)
        win.start()
        qtbot.waitUntil(lambda: win.lab.running, timeout=5000)
        qtbot.waitUntil(lambda: not win.lab.running, timeout=60_000)
        qtbot.waitUntil(lambda: page.ratio_label.text() != "-", timeout=5000)
        assert "ops/s" in page.rate_labels["locked"].text()
        assert "ops/s" in page.rate_labels["batched"].text()
        assert float(page.ratio_label.text().rstrip("x")) > 1
        assert "slower" in page.verdict_label.text()
    finally:
        page.sliders["operations"].setValue(sync_overhead.DEFAULTS["operations"])
        page.sliders["threads"].setValue(sync_overhead.DEFAULTS["threads"])
