"""The inbox's status and sync pills: drawn in the theme's colours, from a pixmap cache."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from supportdesk.ui.tickets.model import COLUMN_INDEX, StatusRole, SyncRole, TicketTableModel
from supportdesk.ui.tickets.view import TicketTable
from supportdesk.ui.widgets.pill import tokens_for

from gui_helpers import add_tickets

pytestmark = pytest.mark.timeout(60)


def colours_across(table: TicketTable, image: QImage, row: int, column: int) -> set[str]:
    rect = table.visualRect(table.model().index(row, column))
    ratio = image.devicePixelRatio()
    y = int(rect.center().y() * ratio)
    return {image.pixelColor(x, y).name() for x in range(int(rect.left() * ratio), int(rect.right() * ratio))}


def test_pills_are_drawn_in_the_themes_colours_and_repaint_alike(offline_services, themed_app, qtbot, app_theme):
    add_tickets(offline_services.store, 6)  # open, in progress and resolved tickets
    model = TicketTableModel(offline_services.store.inbox)
    model.reload()
    table = TicketTable(model, app_theme)
    qtbot.addWidget(table)
    table.resize(1100, 320)
    table.show()
    qtbot.waitExposed(table)
    cells = [(COLUMN_INDEX["status"], StatusRole, "status"), (COLUMN_INDEX["sync"], SyncRole, "sync")]

    def check(image: QImage) -> None:
        for row in range(model.rowCount()):
            for column, role, kind in cells:
                fg, bg = tokens_for(kind, model.data(model.index(row, column), role))
                seen = colours_across(table, image, row, column)
                assert app_theme.color(bg).name() in seen, (row, kind, app_theme.color(bg).name(), seen)

    first = table.viewport().grab().toImage()
    check(first)
    assert table.viewport().grab().toImage() == first  # the second paint comes from the cache
    try:
        app_theme.set_mode("dark")  # a cached light pill must not be reused
        qtbot.wait(10)
        dark = table.viewport().grab().toImage()
        check(dark)
        assert dark != first
    finally:
        app_theme.set_mode("light")


def test_theme_tokens_read_without_json_are_the_json_files():
    """The token files are parsed as Python literals (no json import before the first paint):
    they must stay flat objects of strings, which both read alike."""
    import json

    from supportdesk.resources import resource_text
    from supportdesk.ui import theme

    for scheme in ("light", "dark"):
        tokens = theme._tokens(scheme)
        assert tokens == json.loads(resource_text(f"themes/{scheme}.json"))
        assert tokens and all(isinstance(k, str) and isinstance(v, str) for k, v in tokens.items())
