"""The SQLite connection: pragmas, migrations, transactions, and recovery of a damaged cache."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator

from supportdesk.store.schema import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


MAINTENANCE_INTERVAL_S = 0.1
IDLE_S = 0.5  # no commit for this long: the maintenance thread may take the write lock
CACHE_KIB = 32 * 1024  # SQLite page cache per connection (the default, 2 MiB, is for small files)
READER_CACHE_KIB = 4 * 1024  # per worker thread's read connection
# The WAL file is kept at a sixteenth of the cache's size, within these bounds, filled with zeros
# while the app is idle. A commit then overwrites blocks the file already has, and its fsync
# flushes just that data: appending to the file also commits its new size to the ext4 journal
# (0.32 instead of 0.17 ms a commit, and a longer tail). It is also the room a burst of durable
# writes (~110 KiB of WAL each at 1M tickets) has before a checkpoint runs beside them.
WAL_MIN_BYTES = 2**20
WAL_MAX_BYTES = 256 * 2**20
WAL_FILL_CHUNK = 2**20  # zeros written and synced per hold of the write lock (a few ms)

Job = Callable[[sqlite3.Connection], bool]  # one small step; True when more work is left


class CacheRecovered(Exception):
    """Not raised; kept as the type of Database.recovery for callers to report."""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # the outbox must survive a power cut
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    # Checkpoints copy the WAL into the database and fsync it: tens of ms at 1M rows. The
    # maintenance thread runs them, so no commit (an agent's durable write) pays for one.
    conn.execute("PRAGMA wal_autocheckpoint=0")
    # Index pages of a million tickets: inserts and pages find them here, not through read().
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    # Statement journals in memory. An insert that fires a trigger or checks a foreign key keeps
    # one, and at 1M tickets it spilled to a file in /var/tmp in half the durable writes (create,
    # unlink, writes, close): ~0.1 ms of each. The desk's queries are bounded by an index or a
    # LIMIT, so no big sort or temp table lands in memory instead (a migration's index build may).
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


class Database:
    """One connection (use one Database per thread). Writes go through `transaction()`."""

    def __init__(self, path: Path, *, maintenance: bool = True) -> None:
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
        self._owner = threading.get_ident()
        self._local = threading.local()
        # Other threads' read connections, each with a lock held while it reads: close() must
        # not close a connection under a query still running in its thread (a crash in SQLite).
        self._readers: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._jobs: list[Job] = []
        self._stop = threading.Event()
        self._wal = Path(str(self.path) + "-wal")
        self._wal_room = 0  # the WAL file's size after the last fill or restart
        self._worker: threading.Thread | None = None
        if maintenance:
            self.start_maintenance()

    def start_maintenance(self) -> None:
        """Start the maintenance thread (see _maintain), unless it runs or the cache is closed.
        The window starts it after its first paint: its start-up competed with the window's."""
        if self._worker is None and not self._stop.is_set():
            self._worker = threading.Thread(target=self._maintain, name=f"store-maintenance-{self.path.name}",
                                            daemon=True)
            self._worker.start()

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

    @cached_property
    def db(self) -> "sqlite_utils.Database":
        """sqlite-utils over the same connection, imported on first use (it costs start-up time)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # --- background maintenance -------------------------------------------------------------
    def add_job(self, job: Job) -> None:
        """Run `job(connection)` on the maintenance thread when the app is idle."""
        self._jobs.append(job)

    def _maintain(self) -> None:
        """Its own connection; works only while the app is idle (no commit from any other
        connection since its last look), so an agent's write never queues behind it:
        deferred indexing in small batches, a passive checkpoint, then the WAL file is grown to
        its room (see WAL_MIN_BYTES). While writes go on nothing runs unless the WAL outgrows
        that room: then it is checkpointed and restarted (see _restart_wal)."""
        try:
            conn = _connect(self.path)
            # What this thread writes (the FTS index) can be rebuilt from the tickets; the WAL
            # frames are synced by the next FULL commit of the app's connection anyway.
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            log.debug("store maintenance not started: %s", exc)
            return
        self._wal_room = self._wal_size()
        seen, quiet_since = -1, time.monotonic()
        try:
            while not self._stop.wait(MAINTENANCE_INTERVAL_S):
                try:
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                    if version != seen:
                        seen, quiet_since = version, time.monotonic()
                    if time.monotonic() - quiet_since >= IDLE_S:
                        self._run_jobs(conn)
                        seen = conn.execute("PRAGMA data_version").fetchone()[0]
                        if self._wal_size():
                            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        self._fill_wal(conn)
                    elif self._wal_size() > max(self._wal_room, self._wal_target()):
                        self._restart_wal(conn)
                except (sqlite3.Error, OSError) as exc:
                    log.debug("store maintenance failed: %s", exc)
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
        finally:
            conn.close()

    def _run_jobs(self, conn: sqlite3.Connection) -> None:
        """Each job does a small step and says whether more is left; stop at the first commit
        the app makes meanwhile (data_version moves) and go on at the next idle moment."""
        for job in list(self._jobs):
            while not self._stop.is_set():
                before = conn.execute("PRAGMA data_version").fetchone()[0]
                if not job(conn):
                    break
                if conn.execute("PRAGMA data_version").fetchone()[0] != before:
                    return

    def wal_grown(self) -> bool:
        """The WAL file has its room (see _fill_wal), as an idle desk has it about a second after
        it opened the cache: commits then overwrite blocks the file already has."""
        return self._wal_size() >= self._wal_target()

    def _wal_size(self) -> int:
        try:
            return self._wal.stat().st_size
        except OSError:
            return 0

    def _wal_target(self) -> int:
        try:
            size = self.path.stat().st_size // 16
        except OSError:
            return WAL_MIN_BYTES
        return min(WAL_MAX_BYTES, max(WAL_MIN_BYTES, size))

    def _fill_wal(self, conn: sqlite3.Connection) -> None:
        """Append zeros to the WAL file up to its room. Past its last valid frame a WAL holds
        whatever an earlier generation left there (SQLite never shrinks it on its own): recovery
        stops at the first frame whose salt and checksum do not match. Each chunk is written
        and synced holding the write lock, so no commit appends a frame meanwhile (one that
        comes then waits in SQLite's busy handler for one chunk, only ever while the app is
        idle). Synced per chunk: one sync of the whole fill at the end (206 MiB at 1M tickets)
        made the next commit's own sync of the same file wait for all of it (up to 344 ms)."""
        target = self._wal_target()
        try:
            size = self._wal.stat().st_size
        except OSError:  # no WAL file yet: SQLite makes it at the first write
            return
        if size >= target:
            return
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        zeros = memoryview(bytes(WAL_FILL_CHUNK))
        sync = getattr(os, "fdatasync", os.fsync)
        conn.execute("PRAGMA busy_timeout=0")  # someone is writing: the rest at the next idle moment
        try:
            with open(self._wal, "r+b", buffering=0) as f:
                while size < target and not self._stop.is_set():
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        size = f.seek(0, os.SEEK_END)
                        size += f.write(zeros[:max(0, min(WAL_FILL_CHUNK, target - size))])
                        sync(f.fileno())
                    finally:
                        conn.execute("COMMIT")
                    if conn.execute("PRAGMA data_version").fetchone()[0] != version:
                        break
        finally:
            conn.execute("PRAGMA busy_timeout=10000")
        self._wal_room = max(self._wal_room, size)

    def _restart_wal(self, conn: sqlite3.Connection) -> None:
        """Checkpoint the whole WAL while writes go on, so the next commit writes it from the
        start again instead of appending. A commit restarts the WAL only if every frame was
        copied before it began, which a passive checkpoint never manages under steady writes
        (a commit lands while it copies): the WAL then grew by every commit until the app
        paused. So catch up, then copy the last commit or two while this process cannot commit
        (holding one commit of the app for about a millisecond, once per WAL's worth)."""
        for _ in range(2):
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        with self._lock:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self._wal_room = max(self._wal_room, self._wal_size())

    def close(self) -> None:
        self._stop.set()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=30)
        with self._lock:
            readers, self._readers = self._readers, []
        for reader, busy in readers:
            reader.interrupt()  # a long read (a far page, a count) stops at once
            with busy:
                try:
                    reader.close()
                except sqlite3.Error:
                    pass
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

    def _reader(self) -> tuple[sqlite3.Connection, threading.Lock] | None:
        """A read connection of this thread's own, for threads other than the owner's.

        A count or an export in a worker thread must not hold the lock of the connection the
        window pages and searches with (WAL lets readers run side by side). Inside a
        transaction the shared connection is used, so a thread reads its own writes."""
        if threading.get_ident() == self._owner or self._depth:
            return None
        reader = getattr(self._local, "reader", None)
        if reader is None:
            try:
                conn = _connect(self.path)
                # Counts and exports stream through an index once: a small cache will do, and
                # asyncio's pool has up to six threads (6 x 32 MiB was half the window's RSS).
                conn.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")
            except sqlite3.Error:
                return None
            self._local.reader = reader = (conn, threading.Lock())
            with self._lock:
                self._readers.append(reader)
        return reader

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        if _is_read(sql) and (reader := self._reader()) is not None:
            with reader[1]:
                return reader[0].execute(sql, params).fetchall()
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        if _is_read(sql) and (reader := self._reader()) is not None:
            with reader[1]:
                return reader[0].execute(sql, params).fetchone()
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:10].upper()
    return head.startswith(("SELECT", "WITH"))


def dumps(value: Any) -> str:
    import json  # on the first write, not before the window's first paint (2 ms)

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
