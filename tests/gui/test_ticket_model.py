"""The inbox model: keyset paging, sort and filter in SQL, live updates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView

from supportdesk.models.ticket import SyncState, TicketStatus, utcnow
from supportdesk.ui.tasks import TaskRunner
from supportdesk.ui.tickets.model import COLUMN_INDEX, TicketIdRole, TicketTableModel
from supportdesk.ui.theme import Theme
from supportdesk.ui.tickets.view import TicketListView

from gui_helpers import add_tickets, bulk_insert

pytestmark = pytest.mark.timeout(60)


def ids(model: TicketTableModel) -> list[str]:
    return [model.ticket_id(r) for r in range(model.rowCount())]


def shown_list(qtbot, model: TicketTableModel, app_theme: Theme) -> TicketListView:
    view = TicketListView(model, TaskRunner(), app_theme)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    return view


def test_the_whole_list_is_counted_and_its_rows_read_a_page_at_a_time(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 450)
    model = TicketTableModel(store.inbox, page_size=100)
    model.reload()
    assert model.counted and model.rowCount() == 450 and model.rows_fetched == 100  # count + page 1
    got = ids(model)
    assert model.pages_fetched == 5  # each page once, after the last key of the one before
    assert len(set(got)) == 450  # no row twice across page boundaries
    expected = [r["id"] for r in store.tickets.page_rows(limit=1000)]
    assert got == expected  # newest first, same order as the store's own query


def test_a_far_row_is_read_at_its_offset_and_its_neighbours_from_its_keys(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 450)
    expected = [r["id"] for r in store.tickets.page_rows(limit=1000)]
    model = TicketTableModel(store.inbox, page_size=100, keep_pages=8)
    model.reload()
    assert model.ticket_id(449) == expected[449]  # the thumb dragged to the end: page 4 alone
    assert model.pages_fetched == 2
    assert model.ticket_id(350) == expected[350]  # the page above it, before its first key
    assert [model.ticket_id(r) for r in range(300, 450)] == expected[300:]
    assert model.pages_fetched == 3
    assert model.ticket_id(150) == expected[150] and model.ticket_id(299) == expected[299]
    assert model.pages_fetched == 5 and ids(model) == expected
    assert model.row_of(expected[449]) == 449 and model.row_of(expected[0]) == 0


def test_sort_by_any_column_is_done_in_sql(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 300)
    model = TicketTableModel(store.inbox, page_size=50)
    model.reload()
    model.sort(COLUMN_INDEX["subject"], Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "subject" and not model.query.descending
    assert model.rowCount() == 300 and model.rows_fetched == 100  # a sort reads one page
    subjects = [model.record(r)["subject"] for r in range(100)]
    assert subjects == sorted(subjects) and len(set(ids(model)[:100])) == 100
    for key in ("provider", "ticket", "customer", "status", "sync", "updated"):
        before = model.rows_fetched
        model.sort(COLUMN_INDEX[key], Qt.SortOrder.DescendingOrder)
        assert model.rowCount() == 300 and model.rows_fetched == before + 50


def test_filters_and_full_text_search(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 120)
    model = TicketTableModel(store.inbox, page_size=500)
    model.set_filters(status="RESOLVED")
    assert model.rowCount() == 40
    assert {model.record(r)["status"] for r in range(model.rowCount())} == {"RESOLVED"}
    model.set_filters(status="RESOLVED", provider="cardlytics")
    assert {model.record(r)["provider"] for r in range(model.rowCount())} == {"cardlytics"}
    model.set_filters(search="declined")
    assert model.rowCount() == 20
    assert all("declined" in model.record(r)["subject"].lower() for r in range(model.rowCount()))
    model.set_filters(search="customer42@exam")  # e-mail prefix
    assert ids(model) == ["SD-000000002A"]
    model.set_filters(search="nothing-matches-this")
    assert model.rowCount() == 0


def test_search_box_is_debounced_and_counts(offline_services, loop, qtbot, app_theme):
    store = offline_services.store
    add_tickets(store, 60)
    model = TicketTableModel(store.inbox)
    view = TicketListView(model, TaskRunner(), app_theme)
    qtbot.addWidget(view)
    model.reload()
    qtbot.waitUntil(lambda: view.filters.count.text() == "60 tickets")
    qtbot.keyClicks(view.filters.search, "crashes")
    assert model.query.search is None  # not yet: typing is not a query per key
    qtbot.waitUntil(lambda: model.query.search == "crashes", timeout=2000)
    assert model.rowCount() == 10
    qtbot.waitUntil(lambda: view.filters.count.text() == "10 tickets")
    view.filters.status.setCurrentIndex(view.filters.status.findData("OPEN"))
    assert model.query.status == "OPEN"


def test_live_update_moves_the_changed_row_and_keeps_the_selection(offline_services, themed_app):
    store, updater = offline_services.store, offline_services.updater
    tickets = add_tickets(store, 30)
    model = TicketTableModel(store.inbox)
    model.reload()
    selected = QPersistentModelIndex(model.index(5, 0))
    selected_id = model.ticket_id(5)
    oldest = tickets[0]
    assert model.ticket_id(model.rowCount() - 1) == oldest.id
    # What a sync does: the updater stores the change and tells its listeners.
    t = store.tickets.get(oldest.id, full=False)
    before = t.status
    t.status, t.sync_state, t.updated_at = TicketStatus.RESOLVED, SyncState.SYNCED, utcnow()
    store.tickets.save(t)
    updater.notify(t, before)
    model.ticket_changed(t)
    model.refresh_loaded()
    assert model.ticket_id(0) == oldest.id  # newest update first
    assert model.index(0, COLUMN_INDEX["status"]).data() == "Resolved"
    assert selected.isValid() and model.data(selected, TicketIdRole) == selected_id
    assert selected.row() == 6  # it moved down by one, and the selection followed it


def test_live_update_inserts_new_and_drops_filtered_out_rows(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 10)
    model = TicketTableModel(store.inbox)
    model.set_filters(status="OPEN")
    open_before = set(ids(model))
    t = store.tickets.get(sorted(open_before)[0], full=False)
    t.status, t.updated_at = TicketStatus.RESOLVED, utcnow()
    store.tickets.save(t)
    add_tickets(store, 3, start=100)  # newer than everything; number 102 is OPEN
    model.refresh_loaded()
    now = set(ids(model))
    assert t.id not in now
    assert "SD-0000000066" in now  # 102

    assert now == {r["id"] for r in store.tickets.page_rows(model.query, limit=100)}


def test_only_the_last_pages_used_stay_in_memory(offline_services, themed_app):
    store = offline_services.store
    add_tickets(store, 230)
    model = TicketTableModel(store.inbox, page_size=20, keep_pages=3)
    model.reload()
    assert ids(model)[-1] is not None
    assert model.rowCount() == 230 and model.pages_fetched == 12
    assert model.pages_in_memory == 3  # not 12: far pages are dropped, their anchors kept
    expected = [r["id"] for r in store.tickets.page_rows(limit=1000)]
    before = model.pages_reread
    assert ids(model) == expected  # a dropped page is read again from its anchor, same rows
    assert model.pages_reread > before
    assert model.pages_in_memory == 3
    assert model.row_of(expected[-1]) == 229  # among the pages in memory…
    assert model.row_of(expected[0]) is None  # …and only those
    assert model.ticket_id(0) == expected[0] and model.row_of(expected[0]) == 0


def test_scrolling_leaves_no_young_rows_for_the_garbage_collector(offline_services, themed_app):
    """A page read as an old one is dropped leaves CPython's allocation count flat, so without a
    young pass per page the rows piled up in generation 0 and one pass over them (14k objects)
    stalled the window every couple of seconds while the agent scrolled a big cache."""
    import gc

    store = offline_services.store
    add_tickets(store, 1200)
    model = TicketTableModel(store.inbox, page_size=300, keep_pages=2)
    model.reload()
    young = []
    for _ in range(2):  # down the list, then again over the pages dropped meanwhile
        for r in range(0, model.rowCount(), 300):
            model.ticket_id(r)
            young.append(len(gc.get_objects(0)))
    assert model.rowCount() == 1200 and model.pages_reread >= 2
    assert max(young) < 300, f"a page's rows waited in the young generation: {young}"


def test_a_long_list_keeps_its_order_and_refreshes_the_rows_shown(offline_services, themed_app,
                                                                   monkeypatch):
    from supportdesk.ui.tickets import model as model_module

    store = offline_services.store
    add_tickets(store, 60)
    monkeypatch.setattr(model_module, "LIVE_WINDOW", 30)
    model = TicketTableModel(store.inbox, page_size=20)
    model.reload()
    order = ids(model)
    assert len(order) == 60 and not model.live
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b: changes.append((a.row(), b.row())))
    t = store.tickets.get(order[45], full=False)
    t.subject, t.status, t.updated_at = "Refund sent at last", TicketStatus.RESOLVED, utcnow()
    store.tickets.save(t)  # now the newest: a short list would move it to the top
    model.refresh_loaded()
    assert changes and changes[-1] == (0, 59)  # the view is told to repaint what it shows
    assert ids(model) == order  # the agent scrolled far: nothing moves under the cursor
    assert model.record(45)["subject"] == "Refund sent at last"
    assert model.index(45, COLUMN_INDEX["status"]).data() == "Resolved"


def test_a_long_list_at_its_top_shows_new_tickets_after_a_refresh(offline_services, qtbot, loop,
                                                                    monkeypatch, app_theme):
    from supportdesk.ui.tickets import model as model_module

    store = offline_services.store
    add_tickets(store, 60)
    monkeypatch.setattr(model_module, "LIVE_WINDOW", 30)
    model = TicketTableModel(store.inbox, page_size=20)
    view = shown_list(qtbot, model, app_theme)
    model.reload()
    view.select_first()
    selected = view.current_ticket
    new = add_tickets(store, 1, start=500)[0]  # newer than everything
    view.refresh()
    assert model.ticket_id(0) == new.id  # near the top: read again from the first page
    qtbot.waitUntil(lambda: view.current_ticket == selected)  # and the selection kept
    view.table.scrollTo(model.index(6, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: view.table.rowAt(0) == 6)
    view.select_ticket(model.ticket_id(8))  # on screen
    add_tickets(store, 1, start=550)
    view.refresh()  # still near the top: read again, and the agent keeps their place
    qtbot.wait(20)
    assert view.table.rowAt(0) == 6 and view.table.currentIndex().row() == 9
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: view.table.rowAt(0) > 20)
    order = ids(model)
    newer = add_tickets(store, 1, start=600)[0]
    view.refresh()
    assert ids(model) == order and newer.id not in order  # far down: nothing moves


def test_background_reads_the_count_and_the_pages_painted_and_drops_late_ones(offline_services, qtbot):
    store = offline_services.store
    add_tickets(store, 230)
    expected = [r["id"] for r in store.tickets.page_rows(limit=1000)]
    model = TicketTableModel(store.inbox, page_size=50, background=True)
    model.reload()
    assert model.rowCount() == 50 and not model.counted  # the first page at once
    assert model.reading  # the count waits for the reader
    model.start_reader()
    qtbot.waitUntil(lambda: model.counted and not model.reading)
    assert model.rowCount() == 230 and model.rows_fetched == 50  # every row, none read yet
    cell = model.index(120, COLUMN_INDEX["subject"])
    assert cell.data() == "…" and model.index(120, COLUMN_INDEX["status"]).data() is None
    assert model.reading  # painting it asked for its page: read in the background
    cell.data()  # painted again meanwhile: still one read
    with qtbot.waitSignal(model.dataChanged) as changed:
        pass
    assert (changed.args[0].row(), changed.args[1].row()) == (100, 149)  # the view repaints it
    qtbot.waitUntil(lambda: not model.reading)
    assert model.pages_fetched == 2 and model.ticket_id(120) == expected[120]
    # A new sort keeps the count and reads its first page in the background too.
    with qtbot.waitSignal(model.firstPage):
        model.sort(COLUMN_INDEX["subject"], Qt.SortOrder.AscendingOrder)
        assert model.rowCount() == 230 and model.index(0, 0).data() is None
    subjects = [model.record(r)["subject"] for r in range(50)]
    assert subjects == sorted(subjects)
    # A page still being read when the query changes must not land in the new list.
    model.index(200, 0).data()
    assert model.reading
    model.set_filters(status="RESOLVED")
    qtbot.waitUntil(lambda: not model.reading)
    qtbot.wait(50)
    resolved = store.inbox.count(model.query)
    assert model.rowCount() == resolved and len(set(ids(model))) == resolved
    assert {model.record(r)["status"] for r in range(model.rowCount())} == {"RESOLVED"}
    model.stop()


def test_the_page_reader_is_started_after_the_first_paint(offline_services, qtbot):
    """Started by the window after its first paint: the first scroll then waits for no thread,
    import or connection (250 ms once, with the disk busy at start-up)."""
    import threading

    def new_readers(before: set[int | None]) -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.ident not in before and t.name.startswith("inbox-pages")]

    store = offline_services.store
    add_tickets(store, 120)
    model = TicketTableModel(store.inbox, page_size=50, background=True)
    model.reload()
    before = {t.ident for t in threading.enumerate()}
    model.index(70, 0).data()
    assert not new_readers(before) and model.rowCount() == 50  # not started by the model itself
    pool = model.start_reader()
    assert len(new_readers(before)) == 1 and model.start_reader() is pool
    qtbot.waitUntil(lambda: model.counted and not model.reading)
    model.index(70, 0).data()
    qtbot.waitUntil(lambda: not model.reading)
    assert model.rowCount() == 120 and model.rows_fetched == 100
    assert len(new_readers(before)) == 1  # the same thread read the count and the page
    model.stop()


def test_a_header_click_keeps_the_selected_ticket_when_it_is_in_the_new_first_page(offline_services, qtbot, app_theme):
    from supportdesk.store import TicketQuery

    store = offline_services.store
    add_tickets(store, 230)
    model = TicketTableModel(store.inbox, page_size=50, background=True)
    view = shown_list(qtbot, model, app_theme)
    model.reload()
    model.start_reader()
    qtbot.waitUntil(lambda: model.counted and not model.reading)
    target = store.inbox.page_rows(TicketQuery(sort="subject", descending=False), limit=50)[10]["id"]
    ids(model)  # all read (230 rows, in memory)
    assert view.select_ticket(target)
    view.table.scrollToBottom()
    with qtbot.waitSignal(model.firstPage):
        view.table.sortByColumn(COLUMN_INDEX["subject"], Qt.SortOrder.AscendingOrder)
        assert model.rowCount() == 230  # the same list in another order: no reset
    assert view.current_ticket == target
    assert model.ticket_id(view.table.currentIndex().row()) == target == model.ticket_id(10)
    assert view.table.rowAt(0) == 0  # back at the top of the new order
    model.stop()


def test_random_drags_sorts_and_filters_show_the_stores_order(offline_services, qtbot):
    """Pages read in the background after a key, before a key or at an offset, sorts as layout
    changes, filters as resets, late reads dropped: whatever the agent does, every row shown is
    the store's row at that place."""
    import random

    from supportdesk.ui.tickets.model import COLUMNS

    store = offline_services.store
    bulk_insert(store.db.path, 300)
    rng = random.Random(5)
    model = TicketTableModel(store.inbox, page_size=7, keep_pages=3, background=True)
    model.reload()
    model.start_reader()
    ticket = COLUMN_INDEX["ticket"]
    for _ in range(80):
        op = rng.random()
        if op < 0.2:
            model.sort(rng.randrange(len(COLUMNS)), rng.choice([Qt.SortOrder.AscendingOrder,
                                                                Qt.SortOrder.DescendingOrder]))
        elif op < 0.3:
            model.set_filters(status=rng.choice([None, "OPEN", "RESOLVED"]),
                              provider=rng.choice([None, "support"]))
        qtbot.waitUntil(lambda: model.counted and not model.reading)
        expected = [r["id"] for r in store.inbox.page_rows(model.query, limit=1000)]
        assert model.rowCount() == len(expected), model.query
        asked = [rng.randrange(len(expected)) for _ in range(3)] if expected else []
        for row in asked:  # painted: blank now, its page asked for in the background
            model.index(row, ticket).data()
        qtbot.waitUntil(lambda: not model.reading)
        for row in asked:
            assert model.index(row, ticket).data() == expected[row], (model.query, row)
    model.stop()
