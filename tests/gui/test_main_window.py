"""The window: offline start, the status bar, shortcuts, layout memory, the outbox, notifications."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from supportdesk.models.ticket import TicketStatus, utcnow
from supportdesk.sandbox.seed import build_seed
from supportdesk.ui.main_window import MainWindow
from supportdesk.ui.shortcuts_dialog import ShortcutsDialog
from supportdesk.ui.tickets.model import COLUMN_INDEX

from gui_helpers import add_tickets

pytestmark = pytest.mark.timeout(60)

SAMPLE_USER = "79af4bc5-a995-4262-92ee-0da381ccaf07"
SAMPLE_UDID = "7237F578-828D-43D9-995D-F8B7AC8A4881"


@pytest.fixture
def window_for(settings, qtbot, loop, app_theme):
    made = []

    def make(services, **kw) -> MainWindow:
        w = MainWindow(services, theme=app_theme, settings=settings, **kw)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def test_offline_start_opens_from_the_cache_and_says_so(offline_services, window_for, qtbot):
    add_tickets(offline_services.store, 30)
    w = window_for(offline_services)
    # Before any network: the cache is on screen and nothing has been probed yet.
    assert w.windowTitle() == "Supportdesk"
    assert w.model.rowCount() == 30 and w.inbox.current_ticket is not None
    assert w.detail.ticket is not None
    assert all(h.state == "unknown" for h in w.health.snapshot().values())
    w.start()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=10000)
    assert w.banner.text.text().startswith("Offline: Cardlytics, Support cannot be reached")
    assert "30 cached tickets" in w.banner.text.text()
    assert w.status.indicators["cardlytics"].accessibleName() == "Cardlytics unreachable"
    assert w.status.indicators["support"].accessibleName() == "Support unreachable"
    qtbot.waitUntil(lambda: not w.sync.running)
    assert w.status.sync_label.text().startswith("Offline")
    assert w.model.rowCount() == 30


def test_an_empty_list_says_why_and_what_to_do(offline_services, window_for, qtbot):
    w = window_for(offline_services)
    inbox = w.inbox
    assert w.model.rowCount() == 0
    qtbot.waitUntil(lambda: inbox.empty is not None and inbox.empty.isVisible())
    assert inbox.empty.text().startswith("No tickets in the cache yet.")
    assert inbox.empty.parent() is inbox.table.viewport()
    add_tickets(offline_services.store, 3)
    w.model.reload()
    qtbot.waitUntil(lambda: not inbox.empty.isVisible())
    inbox.filters.search.setText("no-such-words-anywhere")
    inbox.filters.flush()
    qtbot.waitUntil(lambda: inbox.empty.isVisible())
    assert inbox.empty.text().startswith("No tickets match these filters.")
    assert inbox.empty.size() == inbox.table.viewport().size()


def test_a_full_list_makes_no_empty_state(offline_services, window_for, qtbot):
    add_tickets(offline_services.store, 3)
    w = window_for(offline_services)
    qtbot.wait(50)  # past the deferred look at the first page
    assert w.model.rowCount() == 3 and w.inbox.empty is None


def test_status_bar_shows_each_provider(services_for, sandbox, window_for, qtbot):
    svc = services_for({"cardlytics": sandbox.urls()["cardlytics"], "support": "http://127.0.0.1:9/"})
    w = window_for(svc)
    w.start()
    qtbot.waitUntil(lambda: w.health.get("support").state == "offline"
                    and w.health.get("cardlytics").state == "online", timeout=10000)
    assert w.status.indicators["cardlytics"].accessibleName() == "Cardlytics online"
    assert w.status.indicators["support"].accessibleName() == "Support unreachable"
    assert "Cannot connect" in w.status.indicators["support"].toolTip()
    assert not w.banner.isVisible()  # one provider down is not "offline"


def test_keyboard_navigation_and_help(offline_services, window_for, qtbot):
    add_tickets(offline_services.store, 10)
    w = window_for(offline_services)
    with qtbot.waitActive(w):  # window shortcuts need the active window
        w.activateWindow()
    w.inbox.table.setFocus()
    first = w.inbox.current_ticket
    qtbot.keyClick(w.inbox.table, Qt.Key.Key_J)
    assert w.inbox.current_ticket == w.model.ticket_id(1)
    assert w.detail.ticket.id == w.model.ticket_id(1)
    qtbot.keyClick(w.inbox.table, Qt.Key.Key_K)
    assert w.inbox.current_ticket == first
    qtbot.keyClick(w.inbox.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert w.inbox.current_ticket == w.model.ticket_id(1)
    qtbot.keyClick(w.inbox.table, Qt.Key.Key_Slash)
    assert w.inbox.filters.search.hasFocus()
    qtbot.keyClicks(w.inbox.filters.search, "j")  # a letter in the search box is text, not "next"
    assert w.inbox.filters.search.text() == "j"
    w.inbox.table.setFocus()
    qtbot.keyClick(w.inbox.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.inbox.filters.search.hasFocus()
    qtbot.keyClick(w, Qt.Key.Key_F1)
    dialogs = [d for d in QApplication.topLevelWidgets() if isinstance(d, ShortcutsDialog) and d.isVisible()]
    assert dialogs
    rows = [dialogs[0].tree.topLevelItem(i).text(0) for i in range(dialogs[0].tree.topLevelItemCount())]
    keys = [dialogs[0].tree.topLevelItem(i).text(1) for i in range(dialogs[0].tree.topLevelItemCount())]
    assert "Sync now" in rows and "F5" in keys
    assert any("J" in k and "Ctrl+Down" in k for k in keys)


def test_accessible_names_on_controls(offline_services, window_for):
    w = window_for(offline_services)
    for widget in (w.inbox.filters.search, w.inbox.filters.status, w.inbox.filters.provider,
                   w.inbox.table, w.status.outbox, w.detail):
        assert widget.accessibleName(), widget


def test_a_first_layout_shows_whole_dates_and_gives_the_subject_room(offline_services, window_for):
    from datetime import datetime, timezone

    from supportdesk.ui import format as fmt

    w = window_for(offline_services)
    table = w.inbox.table
    header = table.horizontalHeader()
    now = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
    for at in (datetime(2026, 5, 28, 21, 59, tzinfo=timezone.utc), datetime(2024, 9, 28, 12, tzinfo=timezone.utc),
               datetime(2026, 11, 30, 21, 59, tzinfo=timezone.utc)):  # this year, an older one, this week
        text = fmt.short_time(at, now)
        assert header.sectionSize(COLUMN_INDEX["updated"]) >= table.fontMetrics().horizontalAdvance(text) + 16, text
    others = sum(header.sectionSize(i) for i in range(header.count()) if i != COLUMN_INDEX["subject"])
    subject = lambda inbox: inbox - others - 2 * table.frameWidth() - table.verticalScrollBar().sizeHint().width()  # noqa: E731
    inbox, detail = w.inbox.first_split(1440)  # the first window on a big enough screen
    assert inbox + detail == 1440 and subject(inbox) >= 220 and detail >= 420
    inbox, detail = w.inbox.first_split(1288)  # on a 1400 px screen: the detail pane keeps its 420
    assert inbox + detail == 1288 and detail == 420 and subject(inbox) > subject(int(1288 * 0.62)) + 60
    assert w.inbox.first_split(1920) == [1190, 730]  # wide: the usual 62 %
    assert w.inbox.first_split(1000) == [620, 380]  # narrow: the detail pane is not squeezed further


def test_layout_and_columns_are_remembered(offline_services, settings, qtbot, loop, app_theme):
    add_tickets(offline_services.store, 5)
    w1 = MainWindow(offline_services, theme=app_theme, settings=settings)
    qtbot.addWidget(w1)
    w1.show()
    w1.resize(760, 540)
    header = w1.inbox.table.horizontalHeader()
    header.moveSection(COLUMN_INDEX["status"], 0)
    header.resizeSection(COLUMN_INDEX["customer"], 234)
    header.setSortIndicator(COLUMN_INDEX["subject"], Qt.SortOrder.AscendingOrder)
    assert w1.model.query.sort == "subject"
    w1.close()
    w2 = MainWindow(offline_services, theme=app_theme, settings=settings)
    qtbot.addWidget(w2)
    w2.show()
    header2 = w2.inbox.table.horizontalHeader()
    assert (w2.width(), w2.height()) == (760, 540)
    assert header2.visualIndex(COLUMN_INDEX["status"]) == 0
    assert header2.sectionSize(COLUMN_INDEX["customer"]) == 234
    assert w2.model.query.sort == "subject" and not w2.model.query.descending
    w2.close()


def test_outbox_view_lists_retries_and_drops(offline_services, window_for, run, qtbot):
    t = run(offline_services.tickets.create_support(
        uuid_=SAMPLE_USER, udid=SAMPLE_UDID, subject="Queued while offline", message="Card declined",
        email="john@example.com", category="card"))
    w = window_for(offline_services)
    assert w.status.outbox.text() == "Outbox 1"
    qtbot.mouseClick(w.status.outbox, Qt.MouseButton.LeftButton)
    box = w._outbox
    assert box is not None and box.isVisible()
    assert box.model.rowCount() == 1
    assert box.model.index(0, 2).data() == t.id
    assert box.model.index(0, 6).data().startswith("Could not reach the provider")  # the reason
    box.table.selectRow(0)
    assert box.retry_b.isEnabled() and box.drop_b.isEnabled()
    box.retry_selected()
    qtbot.waitUntil(lambda: box.model.items and box.model.items[0].attempts == 2, timeout=10000)
    assert box.drop(box.selected() or box.model.items) == 1
    assert box.model.rowCount() == 0
    assert w.status.outbox.text() == "Outbox empty"
    assert offline_services.store.tickets.get(t.id) is not None  # the local record stays


def test_status_change_notifies_and_updates_the_row(offline_services, window_for, qtbot):
    tickets = add_tickets(offline_services.store, 6)
    w = window_for(offline_services)
    target = tickets[0]  # the oldest: last row
    t = offline_services.store.tickets.get(target.id, full=False)
    before = t.status
    t.status, t.resolution, t.updated_at = TicketStatus.RESOLVED, "Reward issued", utcnow()
    offline_services.store.tickets.save(t)
    offline_services.updater.notify(t, before)  # what the updater does after a sync stored it
    w.notifier.flush()
    assert w.notifier.sent[-1][0] == f"{t.id} is now resolved"
    assert "Reward issued" in w.notifier.sent[-1][1]
    qtbot.waitUntil(lambda: w.model.ticket_id(0) == t.id, timeout=3000)
    assert w.model.index(0, COLUMN_INDEX["status"]).data() == "Resolved"


def opaque_colours(icon) -> set[str]:
    image = icon.pixmap(24, 24).toImage()
    return {c.name() for x in range(image.width()) for y in range(image.height())
            if (c := image.pixelColor(x, y)).alpha() == 255}


def test_dark_theme(offline_services, window_for, themed_app, app_theme):
    w = window_for(offline_services)
    # The style sheet is applied again on a switch: the toolbar must keep the shape it was built
    # with (its rule once said more padding than the toolbar got at start: +8 px on a switch).
    shape = (w.toolbar.sizeHint(), w.toolbar.layout().spacing())
    # The window hands its theme to what it holds: icons are re-tinted in the new scheme's colours.
    w.banner.show_notice("offline", "Offline")
    icons = lambda: ((w.actions_.sync.icon(), "text"), (w.ticket_actions.refresh.icon(), "text"),  # noqa: E731
                     (w.status.outbox.icon(), "text"), (w.banner.close_button.icon(), "banner_text"))
    tinted = lambda: all(opaque_colours(i) == {app_theme.hex(token)} for i, token in icons())  # noqa: E731
    assert tinted() and app_theme.hex("text") == "#1d2330"
    indicator = next(iter(w.status.indicators.values()))
    light_dot = indicator.text()
    try:
        w.set_theme("dark")
        assert app_theme.scheme == "dark"
        assert themed_app.palette().color(QPalette.ColorRole.Window).name() == app_theme.color("window").name()
        assert themed_app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert (w.toolbar.sizeHint(), w.toolbar.layout().spacing()) == shape
        assert tinted() and app_theme.hex("text") == "#e5e8ee"
        assert app_theme.hex(indicator.health.state) in indicator.text() != light_dot
    finally:
        w.set_theme("light")
    assert themed_app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert (w.toolbar.sizeHint(), w.toolbar.layout().spacing()) == shape
    assert tinted()


def test_new_ticket_opens_a_form(offline_services, window_for):
    w = window_for(offline_services)
    form = w.compose("support")
    if form is not None:  # the forms package is there: a separate, non-modal window
        assert form.isWindow() and form.isVisible() and not form.isModal()
        form.close()


def test_sync_changes_a_row_live(sandbox_services, window_for, run, qtbot):
    svc = sandbox_services
    priya = build_seed(7).support_users[1]["uuid"]  # her ticket #333 goes CREATED -> OPEN -> SOLVED
    found = run(svc.tickets.find_support(uuid=priya))
    moving = next(t for t in found if t.provider_status == "CREATED")
    w = window_for(svc)
    row = w.model.row_of(moving.id)
    assert row is not None and w.model.index(row, COLUMN_INDEX["status"]).data() == "In progress"

    def resolved() -> bool:
        if not w.sync.running:
            w.sync_now()  # the sandbox moves the ticket one step every 0.5 s; sync until it lands
        return w.model.index(w.model.row_of(moving.id), COLUMN_INDEX["status"]).data() == "Resolved"

    qtbot.waitUntil(resolved, timeout=30000)
    qtbot.waitUntil(lambda: not w.sync.running, timeout=30000)  # a busy machine syncs slowly
    in_store = [r["id"] for r in svc.store.tickets.page_rows(w.model.query, limit=100)]
    qtbot.waitUntil(lambda: [w.model.ticket_id(r) for r in range(w.model.rowCount())] == in_store,
                    timeout=10000)  # re-sorted live
    w.notifier.flush()
    assert any(moving.id in title for title, _ in w.notifier.sent)
    assert w.status.sync_label.text().startswith("Synced")
