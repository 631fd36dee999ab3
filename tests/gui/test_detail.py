"""The detail pane: fields, raw provider state, errors with the next step, timeline, actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel

from supportdesk.models.ticket import SyncState, TicketEvent, TicketStatus
from supportdesk.ui.tasks import TaskRunner
from supportdesk.ui.tickets.actions import TicketActions
from supportdesk.ui.tickets.detail import TicketDetail

from gui_helpers import BASE_TIME, make_ticket

pytestmark = pytest.mark.timeout(60)


def detail_for(services, qtbot, app_theme) -> TicketDetail:
    tasks = TaskRunner()
    pane = TicketDetail(services, TicketActions(services, tasks, app_theme), tasks, app_theme)
    qtbot.addWidget(pane)
    pane.resize(520, 900)
    pane.show()
    return pane


def field_texts(pane: TicketDetail) -> dict[str, str]:
    out = {}
    for row in range(pane.fields.rowCount()):
        key, val = pane.fields.itemAtPosition(row, 0), pane.fields.itemAtPosition(row, 1)
        if key and val:
            out[key.widget().text()] = val.widget().text()
    return out


def test_fields_provider_state_and_timeline(offline_services, qtbot, app_theme):
    store = offline_services.store
    t = make_ticket(4, provider="cardlytics", status=TicketStatus.RESOLVED, provider_status="Closed",
                    resolution="Reward issued", data={"offerId": 1000030804, "transactionIds": [11, 12],
                                                       "cardlyticsResponse": "Paid 3.20 GBP"})
    store.tickets.insert(t)
    events = [("created", "Filed as SD-1; queued for Cardlytics", TicketStatus.OPEN, None),
              ("submitted", "Sent to Cardlytics (202 Accepted)", TicketStatus.OPEN, None),
              ("status", "Status OPEN → IN_PROGRESS (webhook)", TicketStatus.IN_PROGRESS, "In Process"),
              ("resolved", "Resolution: Reward issued (refresh)", TicketStatus.RESOLVED, "Closed")]
    for i, (kind, summary, status, raw) in enumerate(events):
        store.tickets.add_event(TicketEvent(ticket_id=t.id, at=BASE_TIME + timedelta(minutes=i), kind=kind,
                                            summary=summary, status=status, provider_status=raw))
    pane = detail_for(offline_services, qtbot, app_theme)
    pane.show_ticket(store.tickets.get(t.id))
    assert pane.title.text() == t.subject
    assert pane.status_pill.accessibleName() == "Status: Resolved"
    fields = field_texts(pane)
    assert fields["Provider status"] == "Closed"  # the provider's own word, not our mapping
    assert fields["Resolution"] == "Reward issued"
    assert fields["Cardlytics says"] == "Paid 3.20 GBP"
    assert fields["Transactions"] == "11, 12"
    assert not pane.error.isVisible()
    kinds = [e.kind for e in pane.timeline.entries]
    assert kinds == ["resolved", "status", "submitted", "created"]  # newest first
    texts = [w.text() for w in pane.timeline.entries[1].findChildren(QLabel)]
    assert "Status OPEN → IN_PROGRESS (webhook)" in texts
    assert any("provider: In Process" in s for s in texts)
    assert pane.actions.resubmit.isEnabled()  # closed cardlytics tickets can be corrected
    assert not pane.actions.attach.isEnabled()


def test_provider_error_is_verbatim_with_what_to_do_next(offline_services, qtbot, app_theme):
    store = offline_services.store
    t = make_ticket(8, provider="cardlytics", status=TicketStatus.OPEN, sync_state=SyncState.FAILED,
                    last_error="Invalid offer Id: 99 — Check the ticket's fields and resubmit.")
    store.tickets.insert(t)
    pane = detail_for(offline_services, qtbot, app_theme)
    pane.show_ticket(store.tickets.get(t.id))
    assert pane.error.isVisible()
    assert pane.error.title.text() == "Cardlytics did not accept this ticket"
    assert pane.error.text.text() == "Invalid offer Id: 99"
    assert pane.error.hint.text() == "What to do: Check the ticket's fields and resubmit."
    assert pane.actions.resubmit.isEnabled() and pane.actions.refresh.isEnabled()


def test_queued_ticket_says_it_waits_and_offers_retry(offline_services, run, qtbot, app_theme):
    # Filed while the provider is unreachable: stored, queued, and the reason is shown.
    t = run(offline_services.tickets.create_support(
        uuid_="79af4bc5-a995-4262-92ee-0da381ccaf07", udid="7237F578-828D-43D9-995D-F8B7AC8A4881",
        subject="Card declined", message="Declined at Tesco", email="john@example.com", category="card"))
    assert t.sync_state is SyncState.QUEUED
    pane = detail_for(offline_services, qtbot, app_theme)
    pane.show_ticket(offline_services.store.tickets.get(t.id))
    assert pane.error.isVisible()
    assert pane.error.title.text().startswith("Waiting to be sent to Support")
    assert "automatically" in pane.error.hint.text() and "Ctrl+Shift+R" in pane.error.hint.text()
    assert pane.actions.retry.isEnabled() and pane.actions.show_outbox.isEnabled()
    assert not pane.actions.refresh.isEnabled()  # nothing at the provider to refresh yet
    assert pane.actions.attach.isEnabled()
    pane.show_ticket(None)
    assert pane.stack.currentIndex() == 0
