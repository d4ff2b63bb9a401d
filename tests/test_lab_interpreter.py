"""The lab on another interpreter: started there, live, and it says which Python it runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demos.interpreters import Interpreter, describe
from demos.lab import MAIN_LANE_ID

pytestmark = pytest.mark.timeout(60)
PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def _other_python() -> Interpreter | None:
    """The newest pyenv CPython 3.12 or 3.13 here, probed; None if there is none."""
    for minor in (13, 12):
        found = sorted(PYENV.glob(f"3.{minor}.*/bin/python3"))
        if found:
            described = describe(str(found[-1]))
            if isinstance(described, list):
                return described[0]
    return None


OTHER = _other_python()
needs_other = pytest.mark.skipif(
    OTHER is None or os.name != "posix", reason="no pyenv CPython 3.12/3.13 (or not POSIX)"
)


@needs_other
def test_a_multithreading_run_goes_live_on_another_python(qtbot, qloop) -> None:  # noqa: ANN001
    from app.lab_client import LabClient
    from demos.intervals import IntervalStore

    assert OTHER is not None
    client = LabClient(IntervalStore())
    client.python = OTHER
    client.start_lab()
    try:
        qtbot.waitUntil(lambda: client.lab_python != "", timeout=20_000)
        assert client.lab_python == OTHER.version
        assert os.path.realpath(f"/proc/{client.pid}/exe") == OTHER.realpath
        with open(f"/proc/{client.pid}/maps") as maps:  # no package of the app's venv loaded
            assert ".venv" not in maps.read()
        params = {"threads": 2, "steps": 3, "step_ms": 20, "kind": "cpu"}
        assert client.start_run("demos.multithreading", params)
        qtbot.waitUntil(lambda: not client.running, timeout=20_000)
        workers = [ln for ln in client.store.lanes if ln.lane_id != MAIN_LANE_ID]
        assert len(workers) == 2
        assert all(ln.ident for ln in workers), "each thread announced its OS identity"
        finals = client.store.final_states()
        assert {finals[ln.lane_id][0].name for ln in workers} == {"DONE"}
        assert client.events_received > 0
    finally:
        assert client.stop_lab() is None  # it quit when asked: nothing had to be forced
