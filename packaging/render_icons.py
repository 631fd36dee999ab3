"""Render the app icon's PNG sizes from its SVG (run after editing the SVG; the PNGs are committed).

    .venv/bin/python packaging/render_icons.py

Writes src/supportdesk/resources/icons/app/supportdesk-<N>.png for each size in SIZES, using
QSvgRenderer (already in the venv through PySide6, so no system tool is needed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QByteArray, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "src" / "supportdesk" / "resources" / "icons"
SVG = ICONS / "supportdesk.svg"
OUT = ICONS / "app"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: bytes, size: int) -> QImage:
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    svg = SVG.read_bytes()
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        target = OUT / f"supportdesk-{size}.png"
        if not render(svg, size).save(str(target), "PNG"):
            raise SystemExit(f"cannot write {target}")
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
