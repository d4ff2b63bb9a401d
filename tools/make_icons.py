"""Render ``resources/icon.svg`` into the icon files the bundles need.

    python tools/make_icons.py

Writes ``icon.png`` (256 px), ``icon.ico`` (16, 32, 48, 256; Windows) and ``icon.icns`` (128 to
1024; macOS) next to the SVG. Both containers hold PNG payloads, which Windows Vista and later and
macOS 10.7 and later read; writing them here avoids needing Pillow or macOS's iconutil.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PNG_SIZE = 256
ICO_SIZES = (16, 32, 48, 256)
# ICNS element types with PNG payloads: 128, 256, 512 and 1024 (512@2x) pixels.
ICNS_TYPES = ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024))


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent ``size`` x ``size`` square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO container: header, one directory entry per size, then the PNG payloads."""
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(pngs)
    entries, payloads = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in a one-byte field
        # width, height, palette colours, reserved, colour planes, bits per pixel, size, offset
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payloads += png
        offset += len(png)
    return header + entries + payloads


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS container: 'icns' and the total length, then (type, length, data) elements."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    """Write the three files; prints what it wrote."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window, works without a display
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # Qt needs it to paint
    svg = RESOURCES / "icon.svg"
    sizes = {PNG_SIZE, *ICO_SIZES, *(size for _, size in ICNS_TYPES)}
    pngs = {size: render_png(svg, size) for size in sorted(sizes)}
    outputs = {
        "icon.png": pngs[PNG_SIZE],
        "icon.ico": ico_bytes({size: pngs[size] for size in ICO_SIZES}),
        "icon.icns": icns_bytes([(kind, pngs[size]) for kind, size in ICNS_TYPES]),
    }
    for name, data in outputs.items():
        (RESOURCES / name).write_bytes(data)
        print(f"wrote resources/{name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
