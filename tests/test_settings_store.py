"""One settings store for every entry: ``python -m app``, the bundle's entry script, the
self-test, and a QApplication made by anyone who forgot to name it. Each runs in a child
process with its own XDG folders, so the user's settings are never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG paths are Linux's"),
]
ROOT = Path(__file__).resolve().parent.parent
STORE = Path("Concurrency Lab") / "Concurrency Lab.conf"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), **extra}
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["XDG_STATE_HOME"] = str(home / "state")  # the log file
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _stores(home: Path) -> list[Path]:
    return sorted(p.relative_to(home / "config") for p in (home / "config").rglob("*.conf"))


@pytest.mark.parametrize(
    "entry",
    [["-m", "app"], ["packaging/launch.py"]],
    ids=["python -m app", "bundle entry script"],
)
def test_the_app_and_the_bundle_entry_write_one_store(tmp_path: Path, entry: list[str]) -> None:
    # The window paints, closes itself, and saves its geometry on the way out.
    env = _env(tmp_path, CONCURRENCY_LAB_QUIT_AFTER_PAINT="1")
    done = _run([sys.executable, *entry], env)
    assert "painted" in done.stdout
    assert _stores(tmp_path) == [STORE]
    assert "geometry" in (tmp_path / "config" / STORE).read_text()


CHECK_UNNAMED = """
from PySide6.QtWidgets import QApplication
app = QApplication(["__main__.py"])  # as under python -m, and named by nobody
from app.settings import open_settings
store = open_settings()
store.setValue("probe", 1)
store.sync()
print(store.fileName())
"""


def test_an_unnamed_application_still_opens_the_app_store(tmp_path: Path) -> None:
    # This is where "Unknown Organization/__main__.py.conf" came from.
    done = _run([sys.executable, "-c", CHECK_UNNAMED], _env(tmp_path))
    assert done.stdout.strip() == str(tmp_path / "config" / STORE)
    assert _stores(tmp_path) == [STORE]


CHECK_SELF_TEST = """
import sys
import app.startup
from PySide6.QtCore import QSettings

made = app.startup.make_application


def make_and_stop(argv):
    made(argv)
    print(QSettings().fileName())
    raise SystemExit(0)  # the names are what this test is about, not the checks


app.startup.make_application = make_and_stop
from app.self_test import run_self_test
run_self_test(["app", "--self-test"])
"""


def test_the_self_test_names_its_application_the_same_way(tmp_path: Path) -> None:
    done = _run([sys.executable, "-c", CHECK_SELF_TEST], _env(tmp_path))
    assert done.stdout.strip() == str(tmp_path / "config" / STORE)


def test_settings_are_made_in_one_place() -> None:
    # Anything else constructing QSettings could file it under other names.
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "app").rglob("*.py"))
        if "QSettings(" in path.read_text(encoding="utf-8")
    ]
    assert makers == ["app/settings.py"]
