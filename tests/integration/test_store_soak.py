"""The store's maintenance thread under load: writes in bursts, searches and counts from other
threads, the inbox paged on the owner's thread, all while the thread indexes, checkpoints, fills
and restarts the WAL. Nothing is lost, every ticket is found, the file stays sound."""

from __future__ import annotations

import random
import threading
import time

import pytest

from supportdesk.models.ticket import Ticket, TicketEvent, new_local_id, utcnow
from supportdesk.store import Store, TicketQuery
from supportdesk.store import db as db_module

pytestmark = pytest.mark.timeout(120)

SECONDS = 3.0


def test_maintenance_keeps_up_with_bursts_of_writes_and_concurrent_reads(tmp_path, monkeypatch):
    # Short idle windows, so the thread runs its jobs between bursts many times in a few seconds;
    # a small WAL room, so bursts outgrow it and the restart path runs too.
    monkeypatch.setattr(db_module, "IDLE_S", 0.03)
    monkeypatch.setattr(db_module, "MAINTENANCE_INTERVAL_S", 0.01)
    monkeypatch.setattr(db_module, "WAL_MIN_BYTES", 64 * 1024)
    monkeypatch.setattr(db_module, "WAL_FILL_CHUNK", 64 * 1024)
    store = Store(tmp_path / "soak.db")
    written: list[tuple[str, str]] = []  # (ticket id, its unique word)
    errors: list[BaseException] = []
    stop = threading.Event()
    rng = random.Random(7)

    def writer() -> None:
        # Writes go through the store's one shared connection, like the services' do.
        try:
            n = 0
            while not stop.is_set():
                for _ in range(rng.randint(5, 40)):
                    word = f"soakword{n:05d}"
                    t = Ticket(id=new_local_id(), provider="support", subject=f"Burst ticket {word}",
                               description="cashback missing " * 20, customer_id=f"c{n % 13}")
                    with store.transaction():
                        store.tickets.insert(t)
                        store.tickets.add_event(TicketEvent(ticket_id=t.id, at=utcnow(), kind="created",
                                                            summary="Filed", status=t.status))
                        store.outbox.enqueue("support_create", t.id, {"n": n}, f"key-{n}")
                    written.append((t.id, word))
                    n += 1
                time.sleep(rng.uniform(0.0, 0.08))  # sometimes long enough for the thread to run
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def reader() -> None:
        # Another thread, as the window counts: its own connection, while commits and checkpoints
        # run. A search indexes what is still queued first, so it always sees a committed ticket.
        try:
            while not stop.is_set():
                if written:
                    _tid, word = written[random.randrange(len(written))]
                    assert store.inbox.count(TicketQuery(search=word)) == 1, word
                    assert store.tickets.count() >= 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + SECONDS
    try:
        while time.monotonic() < deadline:  # the window's thread pages the inbox meanwhile
            rows = store.inbox.page_rows(TicketQuery(), limit=50, columns=("id", "updated_at"))
            if len(rows) == 50:
                store.inbox.page_rows(TicketQuery(), after=(rows[-1]["updated_at"], rows[-1]["id"]), limit=50)
            time.sleep(0.005)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    assert len(written) > 100

    # Every committed ticket is there, in the outbox and found by its own word.
    assert store.tickets.count() == len(written)
    assert len(store.outbox.undelivered()) == len(written)
    for tid, word in rng.sample(written, 40):
        assert [r["id"] for r in store.inbox.page_rows(TicketQuery(search=word), limit=5)] == [tid]
    assert store.db.one("SELECT count(*) FROM fts_pending")[0] == 0
    assert store.db.one("PRAGMA integrity_check")[0] == "ok"
    assert (tmp_path / "soak.db-wal").stat().st_size >= 64 * 1024  # the idle thread grew the WAL
    store.close()

    reopened = Store(tmp_path / "soak.db")
    try:
        assert reopened.tickets.count() == len(written)
        assert reopened.db.one("PRAGMA integrity_check")[0] == "ok"
        last_id, last_word = written[-1]
        assert reopened.tickets.find(last_id) is not None
        assert reopened.tickets.count(TicketQuery(search=last_word)) == 1
    finally:
        reopened.close()
