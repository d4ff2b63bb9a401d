"""Rules of the codebase that a review would otherwise have to remember: small modules, one
palette, one slider-with-setting widget, and demos/ free of Qt."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
OKABE_ITO = re.compile(r"#(E69F00|56B4E9|009E73|F0E442|0072B2|D55E00|CC79A7)\b", re.IGNORECASE)


def sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_every_module_is_under_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sources("app", "demos")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_LINES
    }
    assert long == {}, f"split these by job: {long}"


def test_okabe_ito_colours_come_only_from_the_palette() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in sources("app", "demos")
        if p.name != "palette.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if OKABE_ITO.search(line)
    ]
    assert found == [], f"use the names in app/palette.py: {found}"


def test_sliders_are_built_only_from_declared_parameters() -> None:
    # LabeledSlider is the drawing; SettingSlider (app/param_widgets.py) ties it to a Param and
    # its remembered setting. Lessons build only the latter.
    found = [
        str(p.relative_to(ROOT))
        for p in sources("app")
        if p.name not in ("slider.py", "param_widgets.py")
        and "LabeledSlider(" in p.read_text(encoding="utf-8")
    ]
    assert found == [], f"build these with app.param_widgets: {found}"


def test_demos_import_without_qt() -> None:
    # Every demos module, with PySide6 and pyqtgraph made unimportable.
    code = (
        "import importlib, pkgutil, sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'qasync', 'app'):\n"
        "            raise ImportError(f'{name} is not for demos/')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import demos\n"
        "for info in pkgutil.walk_packages(demos.__path__, 'demos.'):\n"
        "    importlib.import_module(info.name)\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
