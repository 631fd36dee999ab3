"""The SQLite connection: pragmas, migrations, transactions, and recovery of a damaged cache."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from supportdesk.store.schema import MIGRATIONS

log = logging.getLogger(__name__)


class CacheRecovered(Exception):
    """Not raised; kept as the type of Database.recovery for callers to report."""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # the outbox must survive a power cut
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class Database:
    """One connection (use one Database per thread). Writes go through `transaction()`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.recovery: str | None = None
        self._depth = 0
        self._lock = threading.RLock()
        try:
            self.conn = _connect(self.path)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.recovery = self._recover(exc)
        self.db = sqlite_utils.Database(self.conn)

    # --- lifecycle ------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(f"{self.path} was written by a newer Supportdesk (schema "
                               f"{version}); upgrade the app")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits; the version bump rides in the same script.
            self.conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
            log.info("cache migrated to schema %d", number)

    def _recover(self, exc: Exception) -> str:
        """Move a damaged cache aside (never delete it), start afresh, carry readable outbox rows."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            self.conn.close()
        except Exception:
            pass
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                os.replace(src, Path(str(aside) + suffix))
        self.conn = _connect(self.path)
        self._migrate()
        carried = self._carry_outbox(aside)
        note = (f"The cache {self.path} could not be opened ({exc}); it was moved to {aside} "
                f"and a new one was started. {carried} unsent outbox row(s) were carried over.")
        log.warning(note)
        return note

    def _carry_outbox(self, old: Path) -> int:
        try:
            src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
            src.row_factory = sqlite3.Row
            rows = src.execute("SELECT * FROM outbox WHERE state != 'sent'").fetchall()
        except sqlite3.DatabaseError:
            return 0
        carried = 0
        with self.transaction():
            for row in rows:
                try:
                    data = dict(row)
                    data.pop("id", None)
                    data["state"] = "pending" if data.get("state") == "in_flight" else data["state"]
                    cols = ", ".join(data)
                    self.conn.execute(f"INSERT OR IGNORE INTO outbox ({cols}) VALUES "
                                      f"({', '.join('?' * len(data))})", list(data.values()))
                    carried += 1
                except (sqlite3.DatabaseError, KeyError):
                    continue
        src.close()
        return carried

    def close(self) -> None:
        self.conn.close()

    # --- access ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
