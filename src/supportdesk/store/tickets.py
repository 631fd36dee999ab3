"""Tickets, their history and their external references; the inbox's pages come from store/inbox.py."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Sequence

from supportdesk.models.ticket import (
    Attachment, AttachmentKind, SyncState, Ticket, TicketEvent, TicketStatus, iso, parse_iso,
)
from supportdesk.store.db import Database, dumps
from supportdesk.store.inbox import InboxQueries, TicketQuery


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    return _row_to_ticket(row)


def _row_to_ticket(row: sqlite3.Row) -> Ticket:
    return Ticket(
        id=row["id"], provider=row["provider"], external_id=row["external_id"],
        zendesk_id=row["zendesk_id"], status=TicketStatus(row["status"]),
        provider_status=row["provider_status"], sync_state=SyncState(row["sync_state"]),
        last_error=row["last_error"], customer_id=row["customer_id"], email=row["email"],
        subject=row["subject"], description=row["description"], resolution=row["resolution"],
        created_at=parse_iso(row["created_at"]), updated_at=parse_iso(row["updated_at"]),
        resolved_at=parse_iso(row["resolved_at"]), data=json.loads(row["data"] or "{}"),
    )


def _ticket_values(t: Ticket) -> dict[str, Any]:
    messages = " ".join(filter(None, [t.last_error, t.resolution, str(t.data.get("cardlyticsResponse") or ""),
                                      str(t.data.get("name") or ""), str(t.data.get("phone") or "")]))
    return {
        "id": t.id, "provider": t.provider, "external_id": t.external_id, "zendesk_id": t.zendesk_id,
        "status": t.status.value, "provider_status": t.provider_status,
        "sync_state": t.sync_state.value, "last_error": t.last_error,
        "customer_id": t.customer_id, "email": t.email, "subject": t.subject,
        "description": t.description, "resolution": t.resolution,
        "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
        "resolved_at": iso(t.resolved_at), "data": dumps(t.data), "search_messages": messages,
    }


class TicketRepo:
    def __init__(self, db: Database, inbox: InboxQueries | None = None) -> None:
        self.db = db
        self.inbox = inbox or InboxQueries(db)

    # --- writes ---------------------------------------------------------------------------
    def insert(self, t: Ticket) -> None:
        values = _ticket_values(t)
        cols = ", ".join(values)
        with self.db.transaction() as c:
            c.execute(f"INSERT INTO tickets ({cols}) VALUES ({', '.join('?' * len(values))})",
                      list(values.values()))
            if t.external_id:
                self.add_ref(t.id, t.provider, t.external_id, "external")
            if t.zendesk_id:
                self.add_ref(t.id, t.provider, t.zendesk_id, "zendesk")

    def save(self, t: Ticket) -> None:
        values = _ticket_values(t)
        values.pop("id")
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction() as c:
            c.execute(f"UPDATE tickets SET {sets} WHERE id = ?", [*values.values(), t.id])
            if t.external_id:
                self.add_ref(t.id, t.provider, t.external_id, "external")
            if t.zendesk_id:
                self.add_ref(t.id, t.provider, t.zendesk_id, "zendesk")

    def add_ref(self, ticket_id: str, provider: str, ref: str, kind: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO ticket_refs (provider, ref, ticket_id, kind) "
                        "VALUES (?, ?, ?, ?)", (provider, str(ref), ticket_id, kind))

    def add_event(self, ev: TicketEvent, dedup: str | None = None) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO events (ticket_id, at, kind, summary, status, provider_status, dedup) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ev.ticket_id, iso(ev.at), ev.kind, ev.summary, ev.status.value, ev.provider_status, dedup))
        return cur.rowcount == 1

    # --- reads ----------------------------------------------------------------------------
    def get(self, ticket_id: str, *, full: bool = True) -> Ticket | None:
        row = self.db.one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if row is None:
            return None
        t = _row_to_ticket(row)
        if full:
            t.events = self.events(t.id)
            t.attachments = self.attachments(t.id)
        return t

    def find(self, ref: str, *, full: bool = True) -> Ticket | None:
        """A local id, an external id (any submission), or a Zendesk number."""
        ref = ref.strip()
        if not ref:
            return None
        # Local ids are upper case: matching the canonical form keeps the primary-key index
        # (COLLATE NOCASE scanned the table, 46 ms at 1M tickets).
        row = self.db.one("SELECT id FROM tickets WHERE id = ?", (ref.upper(),))
        if row is None:
            row = self.db.one("SELECT ticket_id AS id FROM ticket_refs WHERE ref = ? "
                              "ORDER BY kind = 'external' DESC LIMIT 1", (ref,))
        return self.get(row["id"], full=full) if row else None

    def id_for_ref(self, provider: str, ref: str) -> str | None:
        row = self.db.one("SELECT ticket_id FROM ticket_refs WHERE provider = ? AND ref = ?",
                          (provider, str(ref)))
        return row["ticket_id"] if row else None

    def refs(self, ticket_id: str) -> list[tuple[str, str]]:
        return [(r["ref"], r["kind"]) for r in
                self.db.query("SELECT ref, kind FROM ticket_refs WHERE ticket_id = ?", (ticket_id,))]

    def events(self, ticket_id: str) -> list[TicketEvent]:
        rows = self.db.query("SELECT * FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,))
        return [TicketEvent(id=r["id"], ticket_id=r["ticket_id"], at=parse_iso(r["at"]),
                            kind=r["kind"], summary=r["summary"], status=TicketStatus(r["status"]),
                            provider_status=r["provider_status"]) for r in rows]

    def events_since(self, since: str | None, after_id: int = 0, limit: int = 5000) -> list[sqlite3.Row]:
        if since:
            return self.db.query("SELECT * FROM events WHERE at >= ? AND id > ? ORDER BY id LIMIT ?",
                                 (since, after_id, limit))
        return self.db.query("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))

    def events_with_tickets(self, since: str | None, after_id: int = 0,
                            limit: int = 5000) -> list[sqlite3.Row]:
        """Events in id order, each with its ticket's columns (one query, no look-up per ticket).

        Event fields are event_id, event_at, event_kind, event_status; the rest are the ticket's."""
        cond, params = ("e.id > ?", [after_id]) if not since else ("e.at >= ? AND e.id > ?", [since, after_id])
        return self.db.query(
            "SELECT e.id AS event_id, e.at AS event_at, e.kind AS event_kind, e.status AS event_status, "
            f"t.* FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE {cond} ORDER BY e.id LIMIT ?",
            [*params, limit])

    def attachments(self, ticket_id: str) -> list[Attachment]:
        rows = self.db.query("SELECT * FROM attachments WHERE ticket_id = ? ORDER BY kind", (ticket_id,))
        return [Attachment(id=r["id"], ticket_id=r["ticket_id"], kind=AttachmentKind(r["kind"]),
                           name=r["name"], size=r["size"], sha256=r["sha256"],
                           media_type=r["media_type"], cached_path=r["cached_path"],
                           remote_url=r["remote_url"], state=r["state"],
                           created_at=parse_iso(r["created_at"])) for r in rows]

    def upsert_attachment(self, a: Attachment) -> None:
        self.db.execute(
            "INSERT INTO attachments (ticket_id, kind, name, size, sha256, media_type, cached_path, "
            "remote_url, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(ticket_id, kind) DO UPDATE SET name=excluded.name, size=excluded.size, "
            "sha256=excluded.sha256, media_type=excluded.media_type, "
            "cached_path=COALESCE(excluded.cached_path, attachments.cached_path), "
            "remote_url=COALESCE(excluded.remote_url, attachments.remote_url), state=excluded.state",
            (a.ticket_id, a.kind.value, a.name, a.size, a.sha256, a.media_type, a.cached_path,
             a.remote_url, a.state, iso(a.created_at)))

    def delete_attachment(self, ticket_id: str, kind: AttachmentKind) -> None:
        self.db.execute("DELETE FROM attachments WHERE ticket_id = ? AND kind = ?",
                        (ticket_id, kind.value))

    # --- the inbox (store/inbox.py) ---------------------------------------------------------
    def page(self, q: TicketQuery = TicketQuery(), *, after: Sequence[Any] | None = None,
             limit: int = 100) -> list[Ticket]:
        """One page, ordered by (sort column, id); `after` is the last row's (value, id)."""
        return [_row_to_ticket(r) for r in self.inbox.page_rows(q, after=after, limit=limit)]

    def page_rows(self, q: TicketQuery = TicketQuery(), *, after: Sequence[Any] | None = None,
                  limit: int = 100) -> list[sqlite3.Row]:
        return self.inbox.page_rows(q, after=after, limit=limit)

    def count(self, q: TicketQuery = TicketQuery()) -> int:
        return self.inbox.count(q)

    def unresolved(self, provider: str | None = None, *, limit: int | None = None,
                   offset: int = 0) -> list[Ticket]:
        """Tickets a provider may still change, oldest first; with `limit`, a slice of them
        newest first (`offset` rows in)."""
        sql = ("SELECT * FROM tickets WHERE status != 'RESOLVED' AND external_id IS NOT NULL "
               "AND sync_state IN ('sent', 'synced')")
        params: list[Any] = []
        if provider:
            sql += " AND provider = ?"
            params.append(provider)
        if limit is None:
            sql += " ORDER BY updated_at"
        else:
            sql += " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_row_to_ticket(r) for r in self.db.query(sql, params)]
