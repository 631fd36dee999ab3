"""Tickets, their history and their external references; inbox pages keyset-paged in SQL."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
import sqlite3
from dataclasses import dataclass
from typing import Any, Sequence

from supportdesk.models.ticket import (
    Attachment, AttachmentKind, SyncState, Ticket, TicketEvent, TicketStatus, iso, parse_iso,
)
from supportdesk.store.db import Database, dumps
from supportdesk.store.schema import FTS_USER_COLUMNS, SORTABLE, fts_index_sql, sort_expr, tm_filter

# Beyond this many matches a search sorted by updated_at reads the newest day, month and year of
# matches (each an FTS5 AND with one more term) instead of joining and sorting every match.
MANY_MATCHES = 2000
INDEX_BATCH = 50  # queued rows the maintenance thread indexes per transaction (a few ms)


@dataclass(frozen=True)
class TicketQuery:
    status: str | None = None
    provider: str | None = None
    search: str | None = None
    sort: str = "updated_at"
    descending: bool = True


def fts_query(text: str) -> str | None:
    """Agent text → an FTS5 query: every word must match, the last one as a prefix."""
    words = re.findall(r"[\w@.+\-]+", text, flags=re.UNICODE)
    words = [w.replace('"', "") for w in words if w.strip(".-+@")]
    if not words:
        return None
    if len(words) > 1 and len(words[-1]) == 1:
        # "tesco m": a one-letter prefix matches most of the index and FTS5 merges every term
        # it starts in memory (half a second at 1M); the next letter narrows it anyway.
        words = words[:-1]
    parts = [f'"{w}"' for w in words]
    tail = re.findall(r"[^\W_]+", words[-1])
    if tail and len(tail[-1]) > 1:  # nor as the end of a pasted id such as SD-…-1
        parts[-1] += "*"
    return " ".join(parts)


def fts_match(text: str | None) -> str | None:
    """The MATCH expression for an agent's search text, limited to the searchable columns."""
    match = fts_query(text) if text else None
    return f"{FTS_USER_COLUMNS} : ({match})" if match else None


def _windows(top: str | None) -> list[str | None] | None:
    """The `tm` terms of growing periods ending at `top` (an updated_at), each reaching further back
    than the one before: its day, the day before, then 2, 4, 8 and 16 days, then 2 and 4 months,
    2 years, then None (no restriction). Growing slowly, no window holds many more matches than
    the page needs, even when the newest days are quiet."""
    if not top or len(top) < 10:
        return None
    try:
        day = date(int(top[0:4]), int(top[5:7]), int(top[8:10]))
    except ValueError:
        return None

    def days(first: int, last: int) -> str:
        return " OR ".join(f'"d{(day - timedelta(days=k)).strftime("%Y%m%d")}"' for k in range(first, last + 1))

    def months(first: int, count: int) -> str:
        return " OR ".join(f'"m{k // 12:04d}{k % 12 + 1:02d}"' for k in range(first, first - count, -1))

    edge = day - timedelta(days=32)  # the newest day the day windows did not cover
    m = edge.year * 12 + edge.month - 1
    older = m - 6  # the newest month the month windows did not cover
    return [days(0, 0), days(1, 1), days(2, 3), days(4, 7), days(8, 15), days(16, 31),
            months(m, 2), months(m - 2, 4), f'"y{older // 12:04d}" OR "y{older // 12 - 1:04d}"', None]


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
    def __init__(self, db: Database) -> None:
        self.db = db

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
        row = self.db.one("SELECT id FROM tickets WHERE id = ? COLLATE NOCASE", (ref,))
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

    # --- the full-text index ---------------------------------------------------------------
    def index_pending(self, conn: sqlite3.Connection | None = None, limit: int | None = None) -> int:
        """Index tickets queued by the triggers (all of them, or `limit`); returns how many.

        The maintenance thread calls this with its own connection; searches call it first so
        they always see every committed ticket."""
        if conn is None:
            if self.db.one("SELECT 1 FROM fts_pending LIMIT 1") is None:
                return 0
            with self.db.transaction() as c:
                return self._index(c, limit)
        if conn.execute("SELECT 1 FROM fts_pending LIMIT 1").fetchone() is None:
            return 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            n = self._index(conn, limit)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return n

    @staticmethod
    def _index(c: sqlite3.Connection, limit: int | None) -> int:
        if limit is None:
            c.execute(fts_index_sql("rowid IN (SELECT rid FROM fts_pending)"))
            return c.execute("DELETE FROM fts_pending").rowcount
        rids = [r[0] for r in c.execute("SELECT rid FROM fts_pending ORDER BY rid LIMIT ?", (limit,))]
        marks = ", ".join("?" * len(rids))
        c.execute(fts_index_sql(f"rowid IN ({marks})"), rids)
        c.execute(f"DELETE FROM fts_pending WHERE rid IN ({marks})", rids)
        return len(rids)

    def index_job(self, conn: sqlite3.Connection) -> bool:
        """The maintenance thread's share: one small batch; True while more is queued."""
        return self.index_pending(conn, INDEX_BATCH) == INDEX_BATCH

    # --- the inbox ------------------------------------------------------------------------
    def _where(self, q: TicketQuery, match: str | None = None) -> tuple[str, list[Any], str]:
        clauses: list[str] = []
        params: list[Any] = []
        source = "tickets t"
        match = match or fts_match(q.search)
        if match:
            # CROSS JOIN keeps the index of matches as the outer loop: with a status or provider
            # filter SQLite would otherwise walk that column's index in ORDER BY order and run
            # the FTS query once per ticket (two minutes for "card" among OPEN tickets at 1M).
            source = "tickets_fts f CROSS JOIN tickets t ON t.rowid = f.rowid"
            clauses.append("tickets_fts MATCH ?")
            params.append(match)
        if q.status:
            clauses.append("t.status = ?")
            params.append(q.status.upper())
        if q.provider:
            clauses.append("t.provider = ?")
            params.append(q.provider)
        return source, params, (" AND ".join(clauses) or "1")

    def page(self, q: TicketQuery = TicketQuery(), *, after: Sequence[Any] | None = None,
             limit: int = 100) -> list[Ticket]:
        """One page, ordered by (sort column, id); `after` is the last row's (value, id)."""
        return [_row_to_ticket(r) for r in self.page_rows(q, after=after, limit=limit)]

    def page_rows(self, q: TicketQuery = TicketQuery(), *, after: Sequence[Any] | None = None,
                  limit: int = 100) -> list[sqlite3.Row]:
        if q.sort not in SORTABLE:
            raise ValueError(f"cannot sort by {q.sort!r}; choose one of {', '.join(SORTABLE)}")
        match = self._match(q)
        if match:
            self.index_pending()
            if q.sort == "updated_at" and self._many(match):
                return self._newest_matches(q, match, after, limit)
        return self._page(q, match, after, limit)

    @staticmethod
    def _match(q: TicketQuery) -> str | None:
        """The search's MATCH, with the status and provider filters as index terms as well."""
        match = fts_match(q.search)
        if match and (filters := tm_filter(q.status, q.provider)):
            match = f"{match} AND tm : ({filters})"
        return match

    def _many(self, match: str) -> bool:
        n = self.db.one("SELECT count(*) FROM (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? "
                        "LIMIT ?)", (match, MANY_MATCHES))[0]
        return n >= MANY_MATCHES

    def _newest_matches(self, q: TicketQuery, match: str, after: Sequence[Any] | None,
                        limit: int) -> list[sqlite3.Row]:
        """Matches of a common term by updated_at, read period by period from the newest.

        Each window covers everything from its start up to the newest candidate and the keyset
        skips what an earlier (smaller, overlapping) window returned, so the rows come out exactly
        as one sorted query would give them; a common term is answered from the newest day's few
        hundred rows instead of sorting hundreds of thousands."""
        top = after[0] if after is not None else self.db.one("SELECT max(updated_at) FROM tickets")[0]
        windows = _windows(top)
        if windows is None:
            return self._page(q, match, after, limit)
        rows: list[sqlite3.Row] = []
        cursor = after
        for window in windows:
            got = self._page(q, f"{match} AND tm : ({window})" if window else match, cursor,
                             limit - len(rows))
            rows += got
            if len(rows) >= limit:
                break
            if got:
                cursor = (got[-1]["updated_at"], got[-1]["id"])
        return rows

    def _page(self, q: TicketQuery, match: str | None, after: Sequence[Any] | None,
              limit: int) -> list[sqlite3.Row]:
        source, params, where = self._where(q, match)
        col = sort_expr(q.sort, "t.")
        op, direction = ("<", "DESC") if q.descending else (">", "ASC")
        if after is not None:
            value = after[0] if after[0] is not None else ""
            # The plain bound lets SQLite seek the index; for an expression index (COALESCE of a
            # nullable column) the row value alone is not used as a range and every page scanned
            # the index from the start (35-55 ms at 1M tickets, 2 s at the end of the list).
            where += f" AND {col} {op}= ? AND ({col}, t.id) {op} (?, ?)"
            params += [value, value, after[1]]
        sql = (f"SELECT t.* FROM {source} WHERE {where} "
               f"ORDER BY {col} {direction}, t.id {direction} LIMIT ?")
        return self.db.query(sql, [*params, limit])

    def count(self, q: TicketQuery = TicketQuery()) -> int:
        match = self._match(q)
        if match:
            self.index_pending()  # then the index alone answers: no row of tickets is read
            return self.db.one("SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH ?", (match,))[0]
        source, params, where = self._where(q, match)
        return self.db.one(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)[0]

    def unresolved(self, provider: str | None = None) -> list[Ticket]:
        sql = ("SELECT * FROM tickets WHERE status != 'RESOLVED' AND external_id IS NOT NULL "
               "AND sync_state IN ('sent', 'synced')")
        params: list[Any] = []
        if provider:
            sql += " AND provider = ?"
            params.append(provider)
        return [_row_to_ticket(r) for r in self.db.query(sql + " ORDER BY updated_at", params)]
