"""SVG icons from the package resources, tinted for the active theme."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from supportdesk.resources import resource_bytes
from supportdesk.ui import theme

_SIZES = (16, 20, 24, 32, 48)


def _render(svg: bytes, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QPixmap.fromImage(image)


@lru_cache(maxsize=256)
def _icon(name: str, color: str, disabled: str) -> QIcon:
    raw = resource_bytes(f"icons/{name}.svg")
    icon = QIcon()
    for tint, mode in ((color, QIcon.Mode.Normal), (disabled, QIcon.Mode.Disabled)):
        svg = raw.replace(b"currentColor", tint.encode())
        for size in _SIZES:
            icon.addPixmap(_render(svg, size), mode)
    return icon


def icon(name: str, token: str = "text") -> QIcon:
    """`name` is a file in resources/icons; `token` a theme colour for its strokes."""
    t = theme.current()
    color = t.hex(token) if t else "#1d2330"
    disabled = t.hex("muted") if t else "#98a2b3"
    return _icon(name, color, disabled)


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    raw = resource_bytes("icons/supportdesk.svg")
    out = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        out.addPixmap(_render(raw, size))
    return out
