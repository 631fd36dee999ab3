"""Test data for the GUI tests: tickets in a real store, and 100k rows in one executemany."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from supportdesk.config import Config, Secrets
from supportdesk.models.ticket import SyncState, Ticket, TicketEvent, TicketStatus, iso
from supportdesk.providers.transport import RetryPolicy
from supportdesk.store import Store

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: connection refused at once
FAST_RETRY = RetryPolicy(attempts=1, timeout=2.0, wait_initial=0.01, wait_max=0.01)


class NoKeyring:
    """A keyring with nothing in it, so tests never touch the developer's real keyring."""

    def get_password(self, service: str, user: str) -> None:
        return None


def make_config(data_dir: Path, urls: dict[str, str]) -> Config:
    return Config(profile="test", data_dir=data_dir, config_path=None,
                  settings={name: {"base_url": url} for name, url in urls.items()},
                  secrets=Secrets("test", env={}, keyring_module=NoKeyring()))

BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SUBJECTS = ["Cashback not credited", "Card declined at merchant", "App crashes after update",
            "Wrong cashback amount", "Login code never arrives", "Receipt upload fails"]
STATUSES = [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED]


def make_ticket(n: int, **over: Any) -> Ticket:
    provider = "cardlytics" if n % 2 == 0 else "support"
    values: dict[str, Any] = dict(
        id=f"SD-{n:010X}", provider=provider, external_id=f"EXT-{n:06d}",
        status=STATUSES[n % 3], provider_status=["New", "In Process", "Closed"][n % 3],
        sync_state=SyncState.SYNCED, customer_id=f"{1000000 + n}",
        email=f"customer{n}@example.com", subject=f"{SUBJECTS[n % len(SUBJECTS)]} #{n}",
        description=f"Ticket number {n}: {SUBJECTS[n % len(SUBJECTS)].lower()}.",
        created_at=BASE_TIME + timedelta(minutes=n), updated_at=BASE_TIME + timedelta(minutes=n))
    values.update(over)
    return Ticket(**values)


def add_tickets(store: Store, count: int, start: int = 0) -> list[Ticket]:
    tickets = [make_ticket(n) for n in range(start, start + count)]
    for t in tickets:
        store.tickets.insert(t)
        store.tickets.add_event(TicketEvent(ticket_id=t.id, at=t.created_at, kind="created",
                                            summary="Filed", status=t.status))
    return tickets


def bulk_insert(db_path: Path, count: int) -> None:
    """`count` tickets in one executemany. The FTS index is rebuilt once at the end instead of
    row by row (4x faster); the trigger is put back, so the cache is exactly as the app makes it."""
    cols = ("id", "provider", "external_id", "status", "provider_status", "sync_state", "customer_id",
            "email", "subject", "description", "created_at", "updated_at", "data", "search_messages")

    def rows():
        for n in range(count):
            at = iso(BASE_TIME + timedelta(seconds=n))
            yield (f"SD-{n:010X}", "cardlytics" if n % 2 == 0 else "support", f"EXT-{n:06d}",
                   STATUSES[n % 3].value, None, "synced", f"{1000000 + n}", f"c{n}@example.com",
                   f"{SUBJECTS[n % len(SUBJECTS)]} #{n}", "", at, at, "{}", "")

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    found = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tickets_ai'").fetchone()
    with conn:
        if found:
            conn.execute("DROP TRIGGER tickets_ai")
        conn.executemany(f"INSERT INTO tickets ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         rows())
        conn.execute("INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')")
        if found:
            conn.execute(found[0])
    conn.close()
