"""GIL or no GIL: the verdict follows the figures, the twin measures on this Python and on the
others the machine has (``--python``), and the tab measures on one Python without a lab."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from capacity import measured_with_load, require
from leaks import living_descendants as descendants

from demos.gil_or_not_result import GilOrNotResult, Interpreter, ModelFigures
from demos.interpreters import discover

# serial: measures speed, so it runs alone (make test), not beside other tests
pytestmark = [pytest.mark.timeout(120), pytest.mark.serial]
ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--workers", "2", "--total-ms", "100", "--data-kb", "16"]


def twin(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "demos.gil_or_not", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------- the verdict
def made_up(
    gil: bool, threads: float, processes: float, free_threaded: bool = False
) -> GilOrNotResult:
    def ran(speedup: float) -> ModelFigures:
        return ModelFigures(True, 1.0 / speedup, speedup, 0.2, 0.01)

    interp = Interpreter("3.14.1", "cpython", "/usr/bin/python3.14t", gil, free_threaded)
    return GilOrNotResult(
        workers=2,
        total_ms=1000,
        data_kb=64,
        usable_cores=2,
        interpreter=interp,
        models={
            "baseline": ModelFigures(True, 1.0, 1.0),
            "threads": ran(threads),
            "processes": ran(processes),
            "subinterpreters": ModelFigures(False, why="none here", how="use 3.14"),
        },
    )


def test_the_verdict_follows_the_figures() -> None:
    free = made_up(gil=False, threads=1.9, processes=1.9, free_threaded=True).verdict()
    assert "Threads 1.9x: they ran in parallel (the GIL is off)" in free
    assert "serialises" not in free
    gil = made_up(gil=True, threads=1.0, processes=1.9).verdict()
    assert "Threads 1.0x: the GIL serialises them" in gil
    assert "Processes 1.9x, in parallel" in gil
    assert "Subinterpreters: not available (none here)" in gil
    # The GIL off yet no gain, or the GIL on yet a gain: said as measured, never "took turns".
    assert "serialises" not in made_up(gil=False, threads=1.0, processes=1.9).verdict()
    assert "parallel (the GIL" not in made_up(gil=True, threads=1.8, processes=1.9).verdict()


def test_the_result_round_trips() -> None:
    result = made_up(gil=False, threads=1.9, processes=1.8, free_threaded=True)
    again = GilOrNotResult.from_json(json.loads(json.dumps(result.as_json())))
    assert again == result
    assert again.as_json()["subinterpreters"] == {
        "available": False,
        "why": "none here",
        "how": "use 3.14",
    }


# ------------------------------------------------------- on this Python (3.11)
def test_threads_gain_nothing_and_processes_do_on_this_python() -> None:
    tries: list[dict] = []
    others: list[float] = []
    for _ in range(2):  # a busy machine can hide (or, between two runs, invent) a speedup
        result, load = measured_with_load(
            lambda: twin("--workers", "2", "--total-ms", "800", "--data-kb", "64")
        )
        tries.append(result)
        others.append(load)
        assert result["interpreter"]["gil_enabled"] is True
        if result["threads"]["speedup"] < 1.3 and result["processes"]["speedup"] > 1.5:
            break
    figures = [(r["threads"]["speedup"], r["processes"]["speedup"]) for r in tries]
    last = tries[-1]
    require(last["threads"]["speedup"] < 1.3, others, "threads without speedup", figures)
    require(last["processes"]["speedup"] > 1.5, others, "processes in parallel", figures)
    for model in ("threads", "processes"):
        assert last[model]["startup_s"] > 0
        assert last[model]["data_s"] > 0
    assert last["processes"]["startup_s"] > last["threads"]["startup_s"]
    assert "the GIL serialises them" in last["verdict"]


# ---------------------------------------------------- on the other Pythons
def other_pythons() -> dict[str, str]:
    """Minor version ("3.12") -> executable, of the CPythons discovery finds besides ours."""
    found, _skipped = discover()
    return {
        ".".join(i.version.split(".")[:2]): i.executable
        for i in found
        if not i.running and not i.free_threaded
    }


@pytest.mark.parametrize("minor", ["3.12", "3.13"])
def test_the_twin_runs_on_another_python_and_says_which(minor: str) -> None:
    path = other_pythons().get(minor)
    if path is None:
        pytest.skip(f"no Python {minor} on this machine")
    result = twin(*SMALL, "--python", path)
    assert result["interpreter"]["version"].startswith(minor + ".")
    assert result["python"]["version"].startswith(minor + ".")
    for model in ("baseline", "threads", "processes"):
        assert result[model]["available"] is True
        assert result[model]["elapsed_s"] > 0
    subs = result["subinterpreters"]
    if subs["available"]:  # a backport is installed there: it must then have run
        assert subs["elapsed_s"] > 0
    else:
        assert "interpreters-pep-734" in subs["why"] + subs["how"]
        assert "Subinterpreters: not available" in result["verdict"]


# --------------------------------------------------------------------- GUI
@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    from app.main_window import MainWindow

    win = MainWindow(start_lab=False)  # the twin runs in its own processes: no lab needed
    qtbot.addWidget(win)
    index = next(i for i in range(win.tabs.count()) if win.tabs.tabText(i) == "GIL or no GIL")
    win.tabs.setCurrentIndex(index)
    win.show()
    tab = win.current_lesson()
    qtbot.waitUntil(lambda: not tab.pythons.discovering, timeout=30_000)
    tab.workers.setValue(2)
    tab.total_ms.setValue(100)
    tab.data_kb.setValue(16)
    yield win
    win.close()
    win.settings.setValue("window/last_lesson", "process_thread")  # later tests expect it
    win.settings.sync()


def test_the_tab_measures_on_the_apps_own_python(window, qtbot) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    own = next(i for i in tab.pythons.interpreters if i.running)
    assert own in tab.pythons.ticked(), "the app's own Python is ticked by default"
    tab.pythons.set_ticked({own.key})
    window.start_action.trigger()
    assert tab.is_running_locally()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=60_000)
    assert len(tab.results) == 1, tab.bars.status.text()
    assert tab.results[0].interpreter.version == own.version
    assert own.label.split(" (")[0] in tab.bars.verdicts.text()
    assert "processes" in tab.bars.costs.text()
    assert tab.last_result is not None
    assert len(tab.store.lanes) == 1
    assert not descendants()


def test_cancel_ends_the_twin_on_another_python_at_once(window, qtbot) -> None:  # noqa: ANN001
    tab = window.current_lesson()
    others = [i for i in tab.pythons.interpreters if not i.running]
    if not others:
        pytest.skip("no other Python on this machine")
    tab.pythons.set_ticked({others[0].key})
    tab.total_ms.setValue(5000)  # seconds of one-thread work: cancelled in the middle of it
    window.start_action.trigger()
    # The twin on the other Python names itself, then computes for seconds without a word.
    version = others[0].label.split(" (")[0]
    qtbot.waitUntil(lambda: tab.bars.status.text().startswith(version), timeout=30_000)
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not tab.is_running_locally(), timeout=10_000)
    assert "Cancelled" in tab.bars.status.text()
    # At once, not when the orphaned twin finds its output gone seconds later.
    qtbot.waitUntil(lambda: not descendants(), timeout=1000)
