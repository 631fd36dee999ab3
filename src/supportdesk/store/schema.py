"""Versioned migrations, applied in order; PRAGMA user_version records the last one applied."""

from __future__ import annotations

# Columns the inbox can sort by; each has an index ending in id for keyset paging.
SORTABLE = ("updated_at", "created_at", "provider", "external_id", "customer_id", "subject",
            "status", "sync_state")

NULLABLE_SORT = {"external_id"}
TICKET_COLUMNS = frozenset((
    "id", "provider", "external_id", "zendesk_id", "status", "provider_status", "sync_state",
    "last_error", "customer_id", "email", "subject", "description", "resolution", "created_at",
    "updated_at", "resolved_at", "data", "search_messages"))


def sort_expr(column: str, alias: str = "") -> str:
    """The ORDER BY expression for a column; nullable ones sort as '' so keyset paging works."""
    ref = f"{alias}{column}"
    return f"COALESCE({ref}, '')" if column in NULLABLE_SORT else ref


V1 = """
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    external_id TEXT,
    zendesk_id TEXT,
    status TEXT NOT NULL,
    provider_status TEXT,
    sync_state TEXT NOT NULL,
    last_error TEXT,
    customer_id TEXT NOT NULL DEFAULT '',
    email TEXT,
    subject TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    resolution TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    search_messages TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tickets_external ON tickets(external_id);
CREATE INDEX tickets_zendesk ON tickets(zendesk_id);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at, id);
CREATE INDEX tickets_provider_updated ON tickets(provider, updated_at, id);
""" + "".join(
    f"CREATE INDEX tickets_sort_{c} ON tickets({sort_expr(c)}, id);\n" for c in SORTABLE
) + """
CREATE TABLE ticket_refs (
    provider TEXT NOT NULL,
    ref TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (provider, ref)
);
CREATE INDEX ticket_refs_ref ON ticket_refs(ref);
CREATE INDEX ticket_refs_ticket ON ticket_refs(ticket_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    provider_status TEXT,
    dedup TEXT UNIQUE
);
CREATE INDEX events_ticket ON events(ticket_id, id);
CREATE INDEX events_at ON events(at);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER,
    sha256 TEXT,
    media_type TEXT,
    cached_path TEXT,
    remote_url TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (ticket_id, kind)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    owner_pid INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_attempt_at TEXT,
    next_attempt_at TEXT,
    sent_at TEXT
);
CREATE INDEX outbox_state ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_target ON outbox(target_id);

CREATE TABLE writes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    sync_state TEXT NOT NULL,
    last_error TEXT,
    provider_reference TEXT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE drafts (
    form TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (form, key)
);

CREATE TABLE remembered (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT,
    parent TEXT,
    last_used TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, description, customer_id, email, search_messages, external_id, zendesk_id,
    content='tickets', content_rowid='rowid', prefix='2 3', tokenize='unicode61'
);
CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN
  INSERT INTO tickets_fts(rowid, subject, description, customer_id, email, search_messages,
                          external_id, zendesk_id)
  VALUES (new.rowid, new.subject, new.description, new.customer_id, new.email,
          new.search_messages, new.external_id, new.zendesk_id);
END;
CREATE TRIGGER tickets_ad AFTER DELETE ON tickets BEGIN
  INSERT INTO tickets_fts(tickets_fts, rowid, subject, description, customer_id, email,
                          search_messages, external_id, zendesk_id)
  VALUES ('delete', old.rowid, old.subject, old.description, old.customer_id, old.email,
          old.search_messages, old.external_id, old.zendesk_id);
END;
CREATE TRIGGER tickets_au AFTER UPDATE OF subject, description, customer_id, email,
    search_messages, external_id, zendesk_id ON tickets BEGIN
  INSERT INTO tickets_fts(tickets_fts, rowid, subject, description, customer_id, email,
                          search_messages, external_id, zendesk_id)
  VALUES ('delete', old.rowid, old.subject, old.description, old.customer_id, old.email,
          old.search_messages, old.external_id, old.zendesk_id);
  INSERT INTO tickets_fts(rowid, subject, description, customer_id, email, search_messages,
                          external_id, zendesk_id)
  VALUES (new.rowid, new.subject, new.description, new.customer_id, new.email,
          new.search_messages, new.external_id, new.zendesk_id);
END;
"""

# --- V2: full-text search that stays instant at a million tickets -----------------------------
# * The index reads its content from a view of tickets (rowid = tickets.rowid, so 'rebuild'
#   still works) and has prefix indexes for 2..8 characters:
#   FTS5 answers a prefix that has no prefix index by merging the doclists of every matching term
#   in memory (~20 ms for "card*" at 1M rows, whatever the LIMIT); with one, it streams.
# * A hidden column `tm` holds the day, month and year of updated_at, the status and the provider
#   ("d20241125 m202411 y2024 sopen pcardlytics"), so the newest matches of a common term are
#   found inside the newest days/months (an FTS5 AND with one more term) and the inbox filters
#   narrow the matches inside the index, instead of joining and sorting every match.
# * Inserts and updates do not index in the writer's transaction: they queue the rowid in
#   fts_pending, which the store's maintenance thread indexes in the background, and every search
#   first indexes what is still queued (so a search always sees every committed ticket). The
#   durable write of a ticket + outbox row stays a handful of B-tree inserts, without FTS5's
#   segment flushes and merges (which gave it a p99 of 26 ms at 1M).

FTS_COLUMNS = ("subject", "description", "customer_id", "email", "search_messages", "external_id",
               "zendesk_id")
FTS_USER_COLUMNS = "{" + " ".join(FTS_COLUMNS) + "}"
FTS_PREFIXES = "2 3 4 5 6 7 8"


def tm_expr(alias: str = "") -> str:
    """SQL for the hidden `tm` tokens of a ticket row (`alias` "old." / "new." / ""): the day, month
    and year of updated_at, the status and the provider ("d20241125 m202411 y2024 sopen
    pcardlytics"), so a search finds the newest matches and applies the inbox filters inside the
    index, where an AND costs the shorter doclist, not a look-up per match."""
    ref = f"{alias}updated_at"
    y, m, d = f"substr({ref}, 1, 4)", f"substr({ref}, 6, 2)", f"substr({ref}, 9, 2)"
    return (f"('d' || {y} || {m} || {d} || ' m' || {y} || {m} || ' y' || {y} || "
            f"' s' || lower(replace({alias}status, '_', '')) || ' p' || {alias}provider)")


def tm_filter(status: str | None, provider: str | None) -> str | None:
    """The `tm` terms for the inbox's status and provider filters (None when there is none)."""
    terms = []
    if status:
        terms.append('"s' + status.replace("_", "").lower().replace('"', "") + '"')
    if provider:
        terms.append('"p' + provider.lower().replace('"', "") + '"')
    return " ".join(terms) or None


def fts_index_sql(where: str) -> str:
    """INSERT the FTS rows of the tickets selected by `where` (an SQL condition on tickets)."""
    cols = ", ".join(FTS_COLUMNS)
    return (f"INSERT INTO tickets_fts(rowid, {cols}, tm) SELECT rowid, {cols}, "
            f"{tm_expr()} FROM tickets WHERE {where}")


def _fts_delete(ref: str) -> str:
    vals = ", ".join(f"{ref}.{c}" for c in FTS_COLUMNS)
    return (f"INSERT INTO tickets_fts(tickets_fts, rowid, {', '.join(FTS_COLUMNS)}, tm) "
            f"SELECT 'delete', {ref}.rowid, {vals}, {tm_expr(ref + '.')}")


V2 = f"""
DROP TRIGGER tickets_ai;
DROP TRIGGER tickets_ad;
DROP TRIGGER tickets_au;
DROP TABLE tickets_fts;
CREATE VIEW tickets_fts_source AS
  SELECT rowid AS rid, {", ".join(FTS_COLUMNS)}, {tm_expr()} AS tm FROM tickets;
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, tm,
    content='tickets_fts_source', content_rowid='rid', prefix='{FTS_PREFIXES}', tokenize='unicode61'
);
CREATE TABLE fts_pending (rid INTEGER PRIMARY KEY);
CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN
  INSERT OR IGNORE INTO fts_pending(rid) VALUES (new.rowid);
END;
CREATE TRIGGER tickets_ad AFTER DELETE ON tickets BEGIN
  {_fts_delete("old")} WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = old.rowid);
  DELETE FROM fts_pending WHERE rid = old.rowid;
END;
CREATE TRIGGER tickets_au AFTER UPDATE OF {", ".join(FTS_COLUMNS)}, updated_at, status, provider ON tickets
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = old.rowid) BEGIN
  {_fts_delete("old")};
  INSERT OR IGNORE INTO fts_pending(rid) VALUES (new.rowid);
END;
{fts_index_sql("1")};
"""

# --- V3: fewer B-trees per durable write ------------------------------------------------------
# No query uses these, yet every insert wrote a page of each: a pasted reference is found through
# ticket_refs, sorting by external id has tickets_sort_external_id, and the queries on events.at
# also bound events.id, so SQLite reads them by rowid. Takes ~2.5 s on a 1M-ticket cache (this
# build's secure_delete zeroes the freed pages).
V3 = """
DROP INDEX IF EXISTS tickets_external;
DROP INDEX IF EXISTS tickets_zendesk;
DROP INDEX IF EXISTS events_at;
"""

# V4: whether an attempt may have reached the provider (a lost reply, a 5xx, a crash mid-send):
# only then is a later "already exists" our own first send, not someone else's ticket.
V4 = """
ALTER TABLE outbox ADD COLUMN maybe_delivered INTEGER NOT NULL DEFAULT 0;
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4]
