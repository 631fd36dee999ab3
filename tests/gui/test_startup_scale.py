"""Start-up with 100k cached tickets reads one page, not the table."""

from __future__ import annotations

import pytest

from supportdesk.ui.main_window import MainWindow
from supportdesk.ui.tickets.model import PAGE_SIZE

from gui_helpers import bulk_insert

pytestmark = pytest.mark.timeout(60)

N = 100_000


def test_100k_cached_tickets_read_only_the_pages_painted(offline_services, settings, qtbot, loop, app_theme):
    bulk_insert(offline_services.config.db_path, N)
    w = MainWindow(offline_services, theme=app_theme, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    model = w.model
    assert model.rows_fetched <= 2 * PAGE_SIZE  # what the visible rows need, nothing more
    assert model.ticket_id(0) == f"SD-{N - 1:010X}"  # newest first, straight from the index
    assert w.detail.ticket is not None and w.detail.ticket.id == model.ticket_id(0)
    # The count comes in the background: then the scroll bar spans all of them, unread.
    qtbot.waitUntil(lambda: model.counted and model.rowCount() == N, timeout=10000)
    qtbot.waitUntil(lambda: w.inbox.filters.count.text() == "100,000 tickets", timeout=10000)
    assert model.rows_fetched <= 2 * PAGE_SIZE
    # Dragging to the end reads the last page (at its offset) and nothing in between.
    before = model.rows_fetched
    w.inbox.table.scrollToBottom()
    bottom = model.index(N - 1, 0)
    qtbot.waitUntil(lambda: model.data(bottom) is not None, timeout=10000)  # blank until read
    assert model.ticket_id(N - 1) == "SD-0000000000"  # the oldest
    assert model.rows_fetched <= before + 2 * PAGE_SIZE
    # A search over all of them is answered in SQL: its first page at once, then its count.
    before = model.rows_fetched
    w.inbox.filters.search.setText("declined")
    w.inbox.filters.flush()
    assert model.query.search == "declined"
    assert 0 < model.rows_fetched - before <= PAGE_SIZE
    qtbot.waitUntil(lambda: model.counted, timeout=10000)
    assert model.rowCount() == model.count() > PAGE_SIZE
    w.close()
