"""The durable outbox: every write is a row here, committed with its local record."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from supportdesk.models.ticket import OutboxItem, iso, parse_iso, utcnow
from supportdesk.store.db import Database, dumps

PENDING, IN_FLIGHT, SENT, FAILED = "pending", "in_flight", "sent", "failed"


def _item(r: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=r["id"], kind=r["kind"], target_id=r["target_id"], payload=json.loads(r["payload"]),
        idem_key=r["idem_key"], state=r["state"], attempts=r["attempts"], last_error=r["last_error"],
        created_at=parse_iso(r["created_at"]), updated_at=parse_iso(r["updated_at"]),
        first_attempt_at=parse_iso(r["first_attempt_at"]),
        next_attempt_at=parse_iso(r["next_attempt_at"]), maybe_delivered=bool(r["maybe_delivered"]))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, kind: str, target_id: str, payload: dict[str, Any], idem_key: str) -> int:
        """Call inside the transaction that stores the local record."""
        now = iso(utcnow())
        cur = self.db.execute(
            "INSERT INTO outbox (kind, target_id, payload, idem_key, state, created_at, updated_at, "
            "next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
            (kind, target_id, dumps(payload), idem_key, now, now, now))
        return int(cur.lastrowid)

    def get(self, item_id: int) -> OutboxItem | None:
        r = self.db.one("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return _item(r) if r else None

    def release_orphans(self) -> int:
        """Rows left in flight by a process that died go back to pending."""
        rows = self.db.query("SELECT id, owner_pid FROM outbox WHERE state = 'in_flight'")
        dead = [r["id"] for r in rows if not r["owner_pid"] or r["owner_pid"] == os.getpid()
                or not _pid_alive(r["owner_pid"])]
        with self.db.transaction() as c:
            for rid in dead:
                c.execute("UPDATE outbox SET state = 'pending', owner_pid = NULL, maybe_delivered = 1 "
                          "WHERE id = ? AND state = 'in_flight'", (rid,))  # it died mid-send
        return len(dead)

    def due(self, now: datetime | None = None, limit: int = 100) -> list[OutboxItem]:
        now_s = iso(now or utcnow())
        rows = self.db.query("SELECT * FROM outbox WHERE state = 'pending' AND "
                             "(next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
                             (now_s, limit))
        return [_item(r) for r in rows]

    def next_due_at(self) -> datetime | None:
        r = self.db.one("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
        return parse_iso(r[0]) if r and r[0] else None

    def claim(self, item_id: int) -> OutboxItem | None:
        """pending → in_flight, counting the attempt before it is made (so a resend is known)."""
        now = iso(utcnow())
        with self.db.transaction() as c:
            cur = c.execute(
                "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, owner_pid = ?, "
                "updated_at = ?, first_attempt_at = COALESCE(first_attempt_at, ?) "
                "WHERE id = ? AND state = 'pending'", (os.getpid(), now, now, item_id))
            if cur.rowcount != 1:
                return None
        return self.get(item_id)

    def mark_sent(self, item_id: int) -> None:
        now = iso(utcnow())
        self.db.execute("UPDATE outbox SET state = 'sent', last_error = NULL, owner_pid = NULL, "
                        "updated_at = ?, sent_at = ? WHERE id = ?", (now, now, item_id))

    def mark_failed(self, item_id: int, error: str) -> None:
        self.db.execute("UPDATE outbox SET state = 'failed', last_error = ?, owner_pid = NULL, "
                        "updated_at = ? WHERE id = ?", (error, iso(utcnow()), item_id))

    def mark_retry(self, item_id: int, error: str, delay_s: float, *, maybe_delivered: bool = False) -> None:
        """Back to pending; `maybe_delivered`: this attempt may have reached the provider."""
        now = utcnow()
        self.db.execute("UPDATE outbox SET state = 'pending', last_error = ?, owner_pid = NULL, "
                        "updated_at = ?, next_attempt_at = ?, maybe_delivered = maybe_delivered OR ? "
                        "WHERE id = ?", (error, iso(now), iso(now + timedelta(seconds=delay_s)),
                                         int(maybe_delivered), item_id))

    def update_payload(self, item_id: int, payload: dict[str, Any]) -> None:
        self.db.execute("UPDATE outbox SET payload = ? WHERE id = ?", (dumps(payload), item_id))

    def undelivered(self) -> list[OutboxItem]:
        rows = self.db.query("SELECT * FROM outbox WHERE state != 'sent' ORDER BY id")
        return [_item(r) for r in rows]

    def for_target(self, target_id: str) -> list[OutboxItem]:
        return [_item(r) for r in
                self.db.query("SELECT * FROM outbox WHERE target_id = ? ORDER BY id", (target_id,))]

    def count_undelivered(self) -> int:
        return self.db.one("SELECT COUNT(*) FROM outbox WHERE state != 'sent'")[0]

    def retry(self, item_id: int) -> bool:
        cur = self.db.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? "
                              "WHERE id = ? AND state = 'failed'", (iso(utcnow()), iso(utcnow()), item_id))
        return cur.rowcount == 1

    def drop(self, item_id: int) -> bool:
        cur = self.db.execute("DELETE FROM outbox WHERE id = ? AND state IN ('failed', 'pending')",
                              (item_id,))
        return cur.rowcount == 1
