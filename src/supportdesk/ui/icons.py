"""SVG icons from the package resources, tinted in a theme's colours (see Theme.icon).

Rendered lazily, at the size and in the mode Qt asks for: the window's first paint shows a
handful of toolbar icons, and rendering every size of every icon up front cost it ~30 ms.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap

from supportdesk.resources import resource_bytes


_ROOT = re.compile(rb"<svg\b[^>]*>")
_SIZE = re.compile(rb'\s(?:width|height)="[^"]*"')


def _render(svg: bytes, width: int, height: int | None = None) -> QPixmap:
    """The SVG drawn at this size by Qt's SVG image plugin, all in C++. Drawing it through
    QSvgRenderer and a QImage from Python imported QtSvg and built those classes' Python enums
    before the window's first paint; the pixels are the same (the plugin uses QSvgRenderer)."""
    height = height or width

    def sized(root: re.Match[bytes]) -> bytes:
        return _SIZE.sub(b"", root.group(0)).replace(b"<svg", f'<svg width="{width}" height="{height}"'.encode(), 1)

    pix = QPixmap()
    if pix.loadFromData(_ROOT.sub(sized, svg, count=1), "SVG"):
        return pix
    return _render_with_qtsvg(svg, width, height)  # no SVG image plugin (a trimmed Qt)


def _render_with_qtsvg(svg: bytes, width: int, height: int) -> QPixmap:
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    return QPixmap.fromImage(image)


class SvgIconEngine(QIconEngine):
    """Renders its SVG (one per mode; Active and Selected use Normal's) on first use of a size."""

    def __init__(self, normal: bytes, disabled: bytes | None = None, sizes: tuple[int, ...] = ()) -> None:
        super().__init__()
        self._normal = normal
        self._disabled = disabled
        self._sizes = sizes  # what to offer a window manager that asks (it renders on demand)
        self._cache: dict[tuple[int, int, bool], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: ARG002
        dim = mode == QIcon.Mode.Disabled and self._disabled is not None
        key = (max(1, size.width()), max(1, size.height()), dim)
        pix = self._cache.get(key)
        if pix is None:
            side = min(key[0], key[1])  # square art, centred in what was asked for
            pix = _render(self._disabled if dim else self._normal, side)  # type: ignore[arg-type]
            self._cache[key] = pix
        return pix

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        # The device's pixel ratio, as scaled widgets paint it. Not painter.device(): PySide finds
        # the Python class of the QPaintDevice* it returns by resolving ~60 classes (~8 ms).
        ratio = abs(painter.deviceTransform().m11()) or 1.0
        pix = self.pixmap(QSize(round(rect.width() * ratio), round(rect.height() * ratio)), mode, state)
        painter.drawPixmap(rect, pix)

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802, ARG002
        side = min(size.width(), size.height())
        return QSize(side, side)

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal,  # noqa: N802
                       state: QIcon.State = QIcon.State.Off) -> list[QSize]:  # noqa: ARG002
        return [QSize(s, s) for s in self._sizes]

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._normal, self._disabled, self._sizes)


@lru_cache(maxsize=256)
def tinted(name: str, color: str, disabled: str) -> QIcon:
    """`name` is a file in resources/icons, its strokes drawn in `color` (`disabled` when disabled);
    see Theme.icon for a theme's colour token."""
    raw = resource_bytes(f"icons/{name}.svg")
    return QIcon(SvgIconEngine(raw.replace(b"currentColor", color.encode()),
                               raw.replace(b"currentColor", disabled.encode())))


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    return QIcon(SvgIconEngine(resource_bytes("icons/supportdesk.svg"), sizes=(16, 24, 32, 48, 64, 128, 256)))
