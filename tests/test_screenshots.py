"""The README's pictures: every image it shows exists, is a PNG from tools/screenshots.py's
folder, and stays small enough for a repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(10)
ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 300_000


def test_readme_images_are_the_scripted_screenshots() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text())
    assert images, "the README shows the app"
    for image in images:
        path = ROOT / image
        assert path.parent == ROOT / "resources" / "screenshots", image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert path.stat().st_size < MAX_BYTES, image
    assert {Path(i).stem for i in images} == {"normal", "presenter", "pools"}
