"""The SVG icon engine renders at the size and pixel ratio it is painted at."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QIcon, QImage, QPainter

from supportdesk.resources import resource_bytes
from supportdesk.ui.icons import SvgIconEngine


@pytest.mark.parametrize("ratio, side", [(1.0, 16), (2.0, 32), (1.5, 24)])
def test_an_icon_is_rendered_for_the_devices_pixel_ratio(qapp, ratio: float, side: int) -> None:
    engine = SvgIconEngine(resource_bytes("icons/search.svg"))
    icon = QIcon(engine)
    image = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(0)
    painter = QPainter(image)
    icon.paint(painter, QRect(0, 0, 16, 16))
    painter.end()
    assert list(engine._cache) == [(side, side, False)]
    assert image.pixelColor(int(8 * ratio), int(8 * ratio)).alpha() > 0 or any(
        image.pixelColor(x, y).alpha() > 0 for x in range(side) for y in range(side)), "something was drawn"


def test_icons_drawn_by_the_svg_plugin_match_qsvgrenderer_pixel_for_pixel(qapp) -> None:
    """The first paint draws icons through Qt's SVG image plugin (no QtSvg import); the art must
    come out as QSvgRenderer draws it, at any size asked for."""
    from pathlib import Path

    from supportdesk.resources import _HERE
    from supportdesk.ui.icons import _render, _render_with_qtsvg

    files = sorted(Path(_HERE, "icons").glob("*.svg"))
    assert len(files) > 10
    for path in files:
        svg = path.read_bytes().replace(b"currentColor", b"#1d2330")
        for width, height in ((16, 16), (24, 24), (40, 40), (32, 20)):
            got = _render(svg, width, height).toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
            want = _render_with_qtsvg(svg, width, height).toImage()
            assert (got.width(), got.height()) == (width, height), path.name
            assert got == want.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied), (path.name, width)
