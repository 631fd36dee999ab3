"""Small tables: invitations/feedback records, drafts, remembered radar ids, meta."""

from __future__ import annotations

import json
from typing import Any

from supportdesk.models.ticket import SyncState, WriteRecord, iso, parse_iso, utcnow
from supportdesk.store.db import Database, dumps


class WriteRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, rec: WriteRecord) -> None:
        self.db.execute("INSERT INTO writes (id, kind, sync_state, last_error, provider_reference, "
                        "payload, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (rec.id, rec.kind, rec.sync_state.value, rec.last_error,
                         rec.provider_reference, dumps(rec.payload), iso(rec.created_at),
                         iso(rec.updated_at)))

    def save(self, rec: WriteRecord) -> None:
        rec.updated_at = utcnow()
        self.db.execute("UPDATE writes SET sync_state = ?, last_error = ?, provider_reference = ?, "
                        "payload = ?, updated_at = ? WHERE id = ?",
                        (rec.sync_state.value, rec.last_error, rec.provider_reference,
                         dumps(rec.payload), iso(rec.updated_at), rec.id))

    def get(self, rec_id: str) -> WriteRecord | None:
        r = self.db.one("SELECT * FROM writes WHERE id = ?", (rec_id,))
        if r is None:
            return None
        return WriteRecord(id=r["id"], kind=r["kind"], sync_state=SyncState(r["sync_state"]),
                           last_error=r["last_error"], provider_reference=r["provider_reference"],
                           payload=json.loads(r["payload"]), created_at=parse_iso(r["created_at"]),
                           updated_at=parse_iso(r["updated_at"]))

    def recent(self, kind: str, limit: int = 100) -> list[WriteRecord]:
        rows = self.db.query("SELECT id FROM writes WHERE kind = ? ORDER BY created_at DESC LIMIT ?",
                             (kind, limit))
        return [r for r in (self.get(row["id"]) for row in rows) if r]


class DraftRepo:
    """What an agent typed, saved as they type, even when not yet valid."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, form: str, data: dict[str, Any], key: str = "") -> None:
        self.db.execute("INSERT INTO drafts (form, key, data, updated_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(form, key) DO UPDATE SET data = excluded.data, "
                        "updated_at = excluded.updated_at", (form, key, dumps(data), iso(utcnow())))

    def load(self, form: str, key: str = "") -> dict[str, Any] | None:
        r = self.db.one("SELECT data FROM drafts WHERE form = ? AND key = ?", (form, key))
        return json.loads(r["data"]) if r else None

    def discard(self, form: str, key: str = "") -> None:
        self.db.execute("DELETE FROM drafts WHERE form = ? AND key = ?", (form, key))

    def all(self) -> list[tuple[str, str]]:
        return [(r["form"], r["key"]) for r in self.db.query("SELECT form, key FROM drafts")]


class RememberedRepo:
    """Radar ids per profile, offered back so an agent never retypes them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def remember(self, kind: str, value: str, label: str | None = None, parent: str | None = None) -> None:
        self.db.execute("INSERT INTO remembered (kind, value, label, parent, last_used) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(kind, value) DO UPDATE SET "
                        "last_used = excluded.last_used, label = COALESCE(excluded.label, label), "
                        "parent = COALESCE(excluded.parent, parent)",
                        (kind, value, label, parent, iso(utcnow())))

    def values(self, kind: str, parent: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT value, label, parent FROM remembered WHERE kind = ?"
        params: list[Any] = [kind]
        if parent is not None:
            sql += " AND parent = ?"
            params.append(parent)
        return [dict(r) for r in self.db.query(sql + " ORDER BY last_used DESC", params)]

    def last(self, kind: str) -> str | None:
        r = self.db.one("SELECT value FROM remembered WHERE kind = ? ORDER BY last_used DESC LIMIT 1",
                        (kind,))
        return r["value"] if r else None


class MetaRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        r = self.db.one("SELECT value FROM meta WHERE key = ?", (key,))
        return r["value"] if r else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                        "SET value = excluded.value", (key, value))
