"""Versioned migrations, applied in order; PRAGMA user_version records the last one applied."""

from __future__ import annotations

# Columns the inbox can sort by; each has an index ending in id for keyset paging.
SORTABLE = ("updated_at", "created_at", "provider", "external_id", "customer_id", "subject",
            "status", "sync_state")

NULLABLE_SORT = {"external_id"}


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

MIGRATIONS: list[str] = [V1]
