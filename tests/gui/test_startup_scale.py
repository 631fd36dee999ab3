"""Start-up with 100k cached tickets reads one page, not the table."""

from __future__ import annotations

import pytest

from supportdesk.ui.main_window import MainWindow
from supportdesk.ui.tickets.model import PAGE_SIZE

from gui_helpers import bulk_insert

pytestmark = pytest.mark.timeout(60)

N = 100_000


def test_100k_cached_tickets_show_the_first_page_only(offline_services, settings, qtbot, loop):
    bulk_insert(offline_services.config.db_path, N)
    w = MainWindow(offline_services, settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    model = w.model
    assert model.rows_fetched <= 2 * PAGE_SIZE  # what the visible rows need, nothing more
    assert model.rowCount() == model.rows_fetched < N
    assert model.canFetchMore()
    assert model.ticket_id(0) == f"SD-{N - 1:010X}"  # newest first, straight from the index
    assert w.detail.ticket is not None and w.detail.ticket.id == model.ticket_id(0)
    qtbot.waitUntil(lambda: w.inbox.filters.count.text() == "100,000 tickets", timeout=10000)
    # Scrolling to the end of what is loaded reads exactly one more page.
    before = model.rows_fetched
    w.inbox.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rows_fetched > before)
    assert model.rows_fetched <= before + 2 * PAGE_SIZE
    # A search over all of them is answered in SQL, again one page at most.
    w.inbox.filters.search.setText("declined")
    w.inbox.filters.flush()
    assert model.query.search == "declined"
    assert 0 < model.rowCount() <= PAGE_SIZE
    w.close()
