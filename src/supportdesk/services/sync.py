"""Sync: send what the outbox holds, then refresh every ticket that is not resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from supportdesk.models.ticket import utcnow
from supportdesk.services.outbox import Outcome, OutboxSender
from supportdesk.services.tickets import TicketService
from supportdesk.store import Store


@dataclass
class SyncReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0
    refreshed: int = 0
    refresh_errors: list[tuple[str, str]] = field(default_factory=list)
    finished_at: datetime | None = None
    failures: list[Outcome] = field(default_factory=list)


class SyncService:
    def __init__(self, store: Store, sender: OutboxSender, tickets: TicketService) -> None:
        self.store = store
        self.sender = sender
        self.tickets = tickets
        self.last_sync: datetime | None = None

    async def run(self, *, idle_timeout: float = 30.0, refresh: bool = True, refresh_limit: int | None = None,
                  on_progress: Callable[[Outcome], None] | None = None) -> SyncReport:
        """`refresh_limit`: refresh that many unresolved tickets (the window's periodic share, see
        TicketService.open_share) instead of all of them (the CLI's `sync`)."""
        report = SyncReport()
        outcomes = await self.sender.drain(idle_timeout=idle_timeout, on_progress=on_progress)
        final: dict[int, Outcome] = {}
        for o in outcomes:
            final[o.item_id] = o
        report.sent = sum(1 for o in final.values() if o.state == "sent")
        report.failures = [o for o in final.values() if o.state == "failed"]
        report.failed = len(report.failures)
        report.pending = sum(1 for i in self.store.outbox.undelivered() if i.state != "failed")
        if refresh:
            done, errors = await self.tickets.refresh_open(refresh_limit)
            report.refreshed = len(done)
            report.refresh_errors = [(t.id, e) for t, e in errors]
        report.finished_at = self.last_sync = utcnow()
        self.store.meta.set("last_sync", report.finished_at.isoformat())
        return report
