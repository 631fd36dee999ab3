"""The inbox's queries: keyset pages and counts, sorted and filtered in SQL, and the search index.

Light on purpose (sqlite3 and the schema only): the window paints its first page from here before
the rest of the app is imported.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from typing import Any, NamedTuple, Sequence

from supportdesk.store.db import Database
from supportdesk.store.schema import (
    FTS_USER_COLUMNS, SORTABLE, TICKET_COLUMNS, fts_index_sql, sort_expr, tm_filter,
)

# Beyond this many matches a search sorted by updated_at reads the newest day, month and year of
# matches (each an FTS5 AND with one more term) instead of joining and sorting every match.
MANY_MATCHES = 2000
INDEX_BATCH = 50  # queued rows the maintenance thread indexes per transaction (a few ms)


class TicketQuery(NamedTuple):
    """What the inbox shows. A named tuple rather than a dataclass: the window's first paint
    imports this module, and a dataclass took 0.8 ms to build (the module another 0.5)."""

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



class InboxQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

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

    def page_rows(self, q: TicketQuery = TicketQuery(), *, after: Sequence[Any] | None = None,
                  limit: int = 100, columns: Sequence[str] | None = None,
                  before: Sequence[Any] | None = None, offset: int = 0) -> list[sqlite3.Row]:
        """One page, ordered by (sort column, id); `after` is the last row's (sort value, id).

        `before` (a row's key) reads the `limit` rows just before it instead, still in order;
        `offset` skips that many rows from the start (SQLite walks them: for a page far from any
        known key). `columns` (default all) come in that order; `id` and the sort column, which
        the next `after` needs, are added at the end when missing."""
        if before is not None:
            back = q._replace(descending=not q.descending)
            return self.page_rows(back, after=before, limit=limit, columns=columns)[::-1]
        if q.sort not in SORTABLE:
            raise ValueError(f"cannot sort by {q.sort!r}; choose one of {', '.join(SORTABLE)}")
        select = "t.*"
        if columns is not None:
            if unknown := set(columns) - TICKET_COLUMNS:
                raise ValueError(f"unknown ticket columns: {', '.join(sorted(unknown))}")
            select = ", ".join(f"t.{c}" for c in dict.fromkeys([*columns, "id", q.sort]))
        match = self._match(q)
        if match:
            self.index_pending()
            if q.sort == "updated_at" and q.descending and not offset and self._many(match):
                return self._newest_matches(q, match, after, limit, select)
        return self._page(q, match, after, limit, select, offset)

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
                        limit: int, select: str = "t.*") -> list[sqlite3.Row]:
        """Matches of a common term by updated_at, read period by period from the newest.

        Each window covers everything from its start up to the newest candidate and the keyset
        skips what an earlier (smaller, overlapping) window returned, so the rows come out exactly
        as one sorted query would give them; a common term is answered from the newest day's few
        hundred rows instead of sorting hundreds of thousands."""
        top = after[0] if after is not None else self.db.one("SELECT max(updated_at) FROM tickets")[0]
        windows = _windows(top)
        if windows is None:
            return self._page(q, match, after, limit, select)
        rows: list[sqlite3.Row] = []
        cursor = after
        for window in windows:
            got = self._page(q, f"{match} AND tm : ({window})" if window else match, cursor,
                             limit - len(rows), select)
            rows += got
            if len(rows) >= limit:
                break
            if got:
                cursor = (got[-1]["updated_at"], got[-1]["id"])
        return rows

    def _page(self, q: TicketQuery, match: str | None, after: Sequence[Any] | None,
              limit: int, select: str = "t.*", offset: int = 0) -> list[sqlite3.Row]:
        source, params, where = self._where(q, match)
        col = sort_expr(q.sort, "t.")
        op, direction = ("<", "DESC") if q.descending else (">", "ASC")
        order = f"ORDER BY {col} {direction}, t.id {direction} LIMIT ?"
        if offset:
            if after is not None:
                raise ValueError("a page is read after a key or at an offset, not both")
            # The key before the page, from the sort's own index alone: an OFFSET over the page's
            # columns reads every row it skips from the table (0.56 s at 500k rows).
            key = self.db.one(f"SELECT {col}, t.id FROM {source} WHERE {where} {order} OFFSET ?",
                              [*params, 1, offset - 1])
            if key is None:
                return []
            after = (key[0], key[1])
        if after is None:
            return self.db.query(f"SELECT {select} FROM {source} WHERE {where} {order}", [*params, limit])
        # Keyset in two seeks of the (column, id) index: the rest of the anchor's value, then the
        # values past it. One `(col, id) < (?, ?)` test makes SQLite seek on the column alone and
        # walk every row of the anchor's value before it: with 3 statuses or 2 providers that
        # was up to a third of the cache per page (1.2 s at 1M tickets, deep in a status sort).
        value = after[0] if after[0] is not None else ""
        rows = self.db.query(f"SELECT {select} FROM {source} WHERE {where} AND {col} = ? AND t.id {op} ? "
                             f"ORDER BY t.id {direction} LIMIT ?", [*params, value, after[1], limit])
        if len(rows) < limit:
            rows += self.db.query(f"SELECT {select} FROM {source} WHERE {where} AND {col} {op} ? {order}",
                                  [*params, value, limit - len(rows)])
        return rows

    def rows_by_id(self, ids: Sequence[str], columns: Sequence[str]) -> list[sqlite3.Row]:
        """The current values of these tickets (any order; a deleted one is missing)."""
        if unknown := set(columns) - TICKET_COLUMNS:
            raise ValueError(f"unknown ticket columns: {', '.join(sorted(unknown))}")
        rows: list[sqlite3.Row] = []
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            rows += self.db.query(f"SELECT {', '.join(columns)} FROM tickets WHERE id IN "
                                  f"({', '.join('?' * len(chunk))})", chunk)
        return rows

    def count(self, q: TicketQuery = TicketQuery()) -> int:
        match = self._match(q)
        if match:
            self.index_pending()  # then the index alone answers: no row of tickets is read
            return self.db.one("SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH ?", (match,))[0]
        source, params, where = self._where(q, match)
        return self.db.one(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)[0]

