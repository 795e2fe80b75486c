"""Dev-time: render resources/icons/photodedup.svg to the PNG sizes desktops and bundles use.

    .venv/bin/python tools/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs one)
    renderer = QSvgRenderer(str(ICONS / "photodedup.svg"))
    if not renderer.isValid():
        print("the SVG does not load", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / f"photodedup-{size}.png"
        image.save(str(out))
        print("wrote", out)
    from PIL import Image  # Windows and macOS bundle icons, from the largest rendering

    largest = Image.open(ICONS / f"photodedup-{SIZES[-1]}.png")
    largest.save(ICONS / "photodedup.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    largest.save(ICONS / "photodedup.icns")
    print("wrote", ICONS / "photodedup.ico", "and", ICONS / "photodedup.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
