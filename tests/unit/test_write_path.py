"""The durable write's path: local ids, the V3 migration, the preallocated and restarted WAL."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time

from supportdesk.models import ticket as ticket_model
from supportdesk.models.ticket import Ticket, TicketEvent, new_local_id, utcnow
from supportdesk.store import Store
from supportdesk.store import db as db_module
from supportdesk.store.db import Database, _connect
from supportdesk.store.schema import MIGRATIONS


def _write(store: Store, i: int) -> str:
    now = utcnow()
    t = Ticket(id=new_local_id(), provider="support", customer_id=f"cust-{i}", subject=f"s {i}",
               created_at=now, updated_at=now)
    with store.transaction():
        store.tickets.insert(t)
        store.tickets.add_event(TicketEvent(ticket_id=t.id, at=now, kind="created", summary="Filed",
                                            status=t.status))
        store.outbox.enqueue("support_create", t.id, {"i": i}, f"idem-{t.id}")
    return t.id


def test_local_ids_keep_their_shape_and_are_unique_and_ordered_in_a_process():
    ids = [new_local_id() for _ in range(100_000)]
    assert all(re.fullmatch(r"SD-[0-9A-F]{12}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # made close together: next to each other in every index
    assert re.fullmatch(r"IV-[0-9A-F]{12}", new_local_id("IV"))


def test_local_ids_are_unique_across_threads():
    out: list[list[str]] = [[] for _ in range(4)]

    def make(bucket: list[str]) -> None:
        bucket.extend(new_local_id() for _ in range(20_000))

    threads = [threading.Thread(target=make, args=(b,)) for b in out]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for bucket in out for i in bucket]
    assert len(set(ids)) == len(ids)


def test_local_ids_sort_by_creation_time_and_the_clock_wraps(monkeypatch):
    clock = [1_800_000_000.0]
    monkeypatch.setattr(ticket_model.time, "time", lambda: clock[0])
    monkeypatch.setattr(ticket_model, "_last_id", 0)
    first = new_local_id()
    clock[0] += 3600
    later = new_local_id()
    assert later > first
    assert int(later[3:9], 16) - int(first[3:9], 16) == 3600 * 16  # 6 hex digits of 1/16 s
    # Time runs back (the clock was set back): still unique, still above the last one.
    clock[0] -= 7200
    assert new_local_id() > later


def test_a_v2_cache_is_upgraded_in_place(tmp_path):
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
    conn.execute("INSERT INTO tickets (id, provider, external_id, zendesk_id, status, sync_state, "
                 "created_at, updated_at) VALUES ('SD-1', 'support', 'EXT-1', '42', 'OPEN', 'queued', "
                 "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO ticket_refs VALUES ('support', '42', 'SD-1', 'zendesk')")
    conn.commit()
    conn.close()

    store = Store(path)
    try:
        c = store.db.conn
        assert c.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 4
        assert "maybe_delivered" in {r[1] for r in c.execute("PRAGMA table_info(outbox)")}  # V4
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not {"tickets_external", "tickets_zendesk", "events_at"} & names
        assert {"tickets_sort_external_id", "tickets_status_updated"} <= names
        assert store.tickets.find("42").id == "SD-1"  # a pasted Zendesk number: ticket_refs
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


def test_the_wal_is_filled_while_idle_and_commits_written_into_it_survive_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(db_module, "IDLE_S", 0.05)
    monkeypatch.setattr(db_module, "MAINTENANCE_INTERVAL_S", 0.02)
    path, wal = tmp_path / "cache.db", tmp_path / "cache.db-wal"
    store = Store(path)
    try:
        _write(store, 0)
        deadline = time.monotonic() + 10
        while wal.stat().st_size < db_module.WAL_MIN_BYTES and time.monotonic() < deadline:
            time.sleep(0.02)
        assert wal.stat().st_size >= db_module.WAL_MIN_BYTES
        store.db._stop.set()  # the maintenance thread stops; the connection stays open
        store.db._worker.join()
        # Written over the zeros (from the start: the WAL was checkpointed first), then past them.
        ids = [_write(store, i) for i in range(1, 60)]
        assert wal.stat().st_size > db_module.WAL_MIN_BYTES
        # A power cut now: the files as they are, without the shared-memory index.
        crash = tmp_path / "crash"
        crash.mkdir()
        shutil.copy(path, crash / "cache.db")
        shutil.copy(wal, crash / "cache.db-wal")
    finally:
        store.close()
    conn = sqlite3.connect(crash / "cache.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = {r[0] for r in conn.execute("SELECT target_id FROM outbox")}
    assert set(ids) <= got
    conn.close()


def test_restart_wal_makes_the_next_commit_write_the_wal_from_its_start(tmp_path):
    path, wal = tmp_path / "cache.db", tmp_path / "cache.db-wal"
    store = Store(db=Database(path, maintenance=False))
    other = _connect(path)  # as the maintenance thread's
    try:
        for i in range(30):  # no checkpoint meanwhile: every commit appended
            _write(store, i)
        grown = wal.stat().st_size
        store.db._restart_wal(other)
        _write(store, 30)
        _busy, frames, _ = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert 0 < frames * 4120 < grown / 10  # the WAL holds that one commit only
        assert wal.stat().st_size == grown  # and the file was reused, not grown
    finally:
        other.close()
        store.close()
