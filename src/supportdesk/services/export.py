"""Wasabi export: one CREATED event per ticket and one UPDATED per later change, all validated."""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any, Iterator

from supportdesk.models.ticket import TicketStatus, iso, parse_iso
from supportdesk.models.wasabi import build_event
from supportdesk.store import Store
from supportdesk.store.tickets import ticket_from_row

_CACHE = 20000  # tickets kept while their later events come by


class ExportService:
    def __init__(self, store: Store, wasabi: Any | None = None) -> None:
        self.store = store
        self._wasabi = wasabi

    def events(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        since_s = iso(since) if since else None
        after = 0
        cache: dict[str, Any] = {}
        while True:
            rows = self.store.tickets.events_with_tickets(since_s, after)
            if not rows:
                return
            for row in rows:
                after = row["event_id"]
                tid = row["id"]
                t = cache.get(tid)
                if t is None:
                    if len(cache) >= _CACHE:
                        del cache[next(iter(cache))]  # the oldest first: events come in time order
                    t = cache[tid] = ticket_from_row(row)
                action = "CREATED" if row["event_kind"] == "created" else "UPDATED"
                status = TicketStatus(row["event_status"])
                at = parse_iso(row["event_at"])
                yield build_event(t, action, status=status, updated_at=at,
                                  resolved_at=t.resolved_at or at if status is TicketStatus.RESOLVED else None)

    def write(self, out: IO[str], since: datetime | None = None) -> list[dict[str, Any]]:
        written = []
        for event in self.events(since):
            out.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")
            written.append(event)
        return written

    def check_post(self) -> None:
        """Raise NotConfigured unless events can be POSTed (wasabi.post_url)."""
        if self._wasabi is None:
            from supportdesk.services.errors import NotConfigured

            raise NotConfigured("wasabi (post_url)")

    async def post(self, events: list[dict[str, Any]], batch: int = 500) -> int:
        self.check_post()
        for i in range(0, len(events), batch):
            await self._wasabi.post_events(events[i:i + batch])
        return len(events)
