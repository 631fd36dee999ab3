"""The cache on a real SQLite file: migrations, keyset paging, FTS, outbox states, recovery."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta

import pytest

from supportdesk.models.ticket import Ticket, TicketEvent, TicketStatus, utcnow
from supportdesk.store import Store, TicketQuery
from supportdesk.store.schema import MIGRATIONS


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "cache.db")
    yield s
    s.close()


def _ticket(i: int, **kw) -> Ticket:
    base = utcnow() - timedelta(minutes=1000)
    fields = dict(id=f"SD-{i:06d}", provider="support" if i % 2 else "cardlytics",
                  subject=f"subject {i}", customer_id=f"cust-{i % 7}",
                  updated_at=base + timedelta(minutes=i), created_at=base)
    fields.update(kw)
    return Ticket(**fields)


def test_pragmas_and_schema_version(store):
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists open files through /proc")
def test_a_durable_write_opens_no_temporary_file(store):
    """An insert that fires a trigger or checks a foreign key keeps a statement journal. Once
    the indexes are a few levels deep it spilled to a file in the temp dir in about half the
    durable writes (create, unlink, writes, close: ~0.1 ms each time); it stays in memory."""
    def temp_files() -> list[str]:
        names = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                names.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass
        return [n for n in names if "etilqs_" in n]

    with store.transaction():
        for i in range(1000):
            store.tickets.insert(_ticket(i, customer_id=f"cust-{i * 7919 % 1000:04d}"))
    seen = []
    for i in range(20):
        t = _ticket(5000 + i)
        with store.transaction():
            store.tickets.insert(t)
            store.tickets.add_event(TicketEvent(ticket_id=t.id, at=utcnow(), kind="created",
                                                summary="Filed; queued", status=t.status))
            store.outbox.enqueue("support_create", t.id, {"request": {"subject": t.subject}}, f"idem-{i}")
            seen += temp_files()
    assert seen == []
    assert store.tickets.count() == 1020


def test_keyset_pages_cover_every_row_once_in_order(store):
    for i in range(53):
        store.tickets.insert(_ticket(i))
    for sort in ("updated_at", "subject", "customer_id", "provider", "external_id"):
        for descending in (True, False):
            q = TicketQuery(sort=sort, descending=descending)
            seen, after = [], None
            while True:
                rows = store.tickets.page_rows(q, after=after, limit=10)
                if not rows:
                    break
                seen += [r["id"] for r in rows]
                last = rows[-1]
                after = (last[sort] if last[sort] is not None else "", last["id"])
            assert len(seen) == 53 and len(set(seen)) == 53, sort
            keys = [(store.tickets.get(i, full=False).model_dump()[sort] or "", i) for i in seen]
            keys = [(str(k), i) for k, i in keys]
            assert keys == sorted(keys, reverse=descending), sort


def test_a_page_before_a_key_or_at_an_offset_is_that_slice_of_the_order(store):
    for i in range(53):
        store.tickets.insert(_ticket(i, external_id=None if i % 5 else f"X-{i % 3}"))
    for sort in ("updated_at", "subject", "provider", "external_id"):
        for descending in (True, False):
            q = TicketQuery(sort=sort, descending=descending)
            order = [r["id"] for r in store.inbox.page_rows(q, limit=100)]
            assert len(order) == 53
            for start in (0, 10, 40, 50):
                at = store.inbox.page_rows(q, offset=start, limit=10)
                assert [r["id"] for r in at] == order[start:start + 10], (sort, descending, start)
                if start:  # the page before the first row of the one at `start`
                    key = (at[0][sort] if at[0][sort] is not None else "", at[0]["id"])
                    back = store.inbox.page_rows(q, before=key, limit=10, columns=("subject",))
                    assert [r["id"] for r in back] == order[max(0, start - 10):start], (sort, descending)
    with pytest.raises(ValueError):
        store.inbox.page_rows(TicketQuery(), after=("x", "SD-1"), offset=3)


def test_a_common_search_sorted_oldest_first_is_in_order(store, monkeypatch):
    """The newest-first shortcut for searches with many matches is for newest first only."""
    from supportdesk.store import inbox

    monkeypatch.setattr(inbox, "MANY_MATCHES", 5)
    for i in range(30):
        store.tickets.insert(_ticket(i, subject=f"card declined {i}",
                                     updated_at=utcnow() - timedelta(days=40 - i)))
    for descending in (True, False):
        q = TicketQuery(search="card", descending=descending)
        got = [r["id"] for r in store.inbox.page_rows(q, limit=8)]
        assert got == sorted(got, reverse=descending) and len(got) == 8
        want = [f"SD-{i:06d}" for i in range(30)]
        assert got == (want[::-1] if descending else want)[:8]


def test_newest_first_and_filters(store):
    for i in range(10):
        store.tickets.insert(_ticket(i, status=TicketStatus.RESOLVED if i < 3 else TicketStatus.OPEN))
    page = store.tickets.page(TicketQuery(), limit=3)
    assert [t.id for t in page] == ["SD-000009", "SD-000008", "SD-000007"]
    assert store.tickets.count(TicketQuery(status="RESOLVED")) == 3
    assert {t.provider for t in store.tickets.page(TicketQuery(provider="support"))} == {"support"}


def test_full_text_search_prefix_and_words(store):
    store.tickets.insert(_ticket(1, subject="Printer jam on floor 3", description="paper stuck"))
    store.tickets.insert(_ticket(2, subject="Refund for offer", description="cashback missing"))
    store.tickets.insert(_ticket(3, subject="Login fails", email="ana@example.com"))
    assert [t.id for t in store.tickets.page(TicketQuery(search="print"))] == ["SD-000001"]
    assert [t.id for t in store.tickets.page(TicketQuery(search="cashback"))] == ["SD-000002"]
    assert [t.id for t in store.tickets.page(TicketQuery(search="ana@example.com"))] == ["SD-000003"]
    assert store.tickets.page(TicketQuery(search="printer refund")) == []
    # Quotes and FTS operators typed by an agent are plain text, not syntax errors.
    assert store.tickets.page(TicketQuery(search='"unbalanced OR NEAR(')) == []


def test_fts_follows_updates(store):
    t = _ticket(1, subject="old words")
    store.tickets.insert(t)
    t.subject = "fresh words"
    store.tickets.save(t)
    assert store.tickets.page(TicketQuery(search="old")) == []
    assert [x.id for x in store.tickets.page(TicketQuery(search="fresh"))] == [t.id]


def test_find_by_local_external_and_zendesk_id(store):
    t = _ticket(1, external_id="core-123", zendesk_id="345")
    store.tickets.insert(t)
    for ref in (t.id, t.id.lower(), "core-123", "345"):
        assert store.tickets.find(ref).id == t.id
    assert store.tickets.find("nope") is None


def test_outbox_claim_counts_attempts_and_orphans_return(store):
    t = _ticket(1)
    with store.transaction():
        store.tickets.insert(t)
        item_id = store.outbox.enqueue("support_create", t.id, {"a": 1}, "key-1")
    claimed = store.outbox.claim(item_id)
    assert claimed.state == "in_flight" and claimed.attempts == 1
    assert store.outbox.claim(item_id) is None  # nobody claims it twice
    # Simulate a crash: the owner pid is gone.
    store.db.execute("UPDATE outbox SET owner_pid = 999999 WHERE id = ?", (item_id,))
    assert store.outbox.release_orphans() == 1
    assert store.outbox.get(item_id).state == "pending"
    store.outbox.mark_failed(item_id, "bad field")
    assert [i.state for i in store.outbox.undelivered()] == ["failed"]
    assert store.outbox.retry(item_id) and store.outbox.get(item_id).state == "pending"


def test_enqueue_rolls_back_with_its_record(store):
    t = _ticket(1)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.tickets.insert(t)
            store.outbox.enqueue("support_create", t.id, {}, "key-x")
            raise RuntimeError("crash between the two writes")
    assert store.tickets.get(t.id) is None
    assert store.outbox.undelivered() == []


def test_damaged_cache_is_moved_aside_and_outbox_carried(tmp_path):
    path = tmp_path / "cache.db"
    s = Store(path)
    t = _ticket(1)
    with s.transaction():
        s.tickets.insert(t)
        s.outbox.enqueue("cardlytics_create", t.id, {"sourceTicketId": "x"}, "x")
    s.close()
    # Damage the tickets table's pages but keep the header readable.
    with open(path, "r+b") as f:
        f.seek(0)
        f.write(b"not a sqlite file at all" * 4)
    recovered = Store(path)
    assert recovered.recovery and "moved to" in recovered.recovery
    aside = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert aside, "the damaged file must be kept"
    assert recovered.tickets.count() == 0


def test_cache_from_a_newer_version_is_refused_not_replaced(tmp_path):
    path = tmp_path / "cache.db"
    s = Store(path)
    with s.transaction():
        s.tickets.insert(_ticket(1))
        s.outbox.enqueue("cardlytics_create", "SD-000001", {"sourceTicketId": "x"}, "x")
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="newer Supportdesk"):
        Store(path)
    assert not [p for p in tmp_path.iterdir() if ".damaged-" in p.name]


def test_drafts_and_remembered(store):
    store.drafts.save("cardlytics", {"offer_id": "12"})
    assert store.drafts.load("cardlytics") == {"offer_id": "12"}
    store.drafts.discard("cardlytics")
    assert store.drafts.load("cardlytics") is None
    store.remembered.remember("client", "abc")
    store.remembered.remember("client", "def")
    assert store.remembered.last("client") in ("abc", "def")
    assert {v["value"] for v in store.remembered.values("client")} == {"abc", "def"}


def test_pages_can_read_only_the_listed_columns(tmp_path):
    store = Store(tmp_path / "c.db")
    for n in range(3):
        store.tickets.insert(Ticket(id=f"SD-00000{n}", provider="support", subject=f"Subject {n}",
                                    description="long text " * 50))
    q = TicketQuery(sort="subject", descending=False)
    rows = store.inbox.page_rows(q, limit=2, columns=("subject", "status"))
    assert [tuple(r) for r in rows] == [("Subject 0", "OPEN", "SD-000000"), ("Subject 1", "OPEN", "SD-000001")]
    after = (rows[-1]["subject"], rows[-1]["id"])
    assert [r["id"] for r in store.inbox.page_rows(q, after=after, columns=("id",))] == ["SD-000002"]
    with pytest.raises(ValueError, match="unknown ticket columns: password"):
        store.inbox.page_rows(q, columns=("id", "password"))
    got = store.inbox.rows_by_id(["SD-000002", "SD-404", "SD-000000"], ("id", "subject"))
    assert sorted(tuple(r) for r in got) == [("SD-000000", "Subject 0"), ("SD-000002", "Subject 2")]


def test_closing_the_cache_stops_a_read_running_in_another_thread(tmp_path):
    """The window closes while its reading thread walks a far page: the read is interrupted,
    not its connection closed under it (which crashed SQLite)."""
    import threading
    import time

    s = Store(tmp_path / "cache.db")
    started, outcome = threading.Event(), []

    def long_read() -> None:
        started.set()
        try:
            s.db.one("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                     "SELECT count(*) FROM (SELECT i FROM n LIMIT 200000000)")
            outcome.append("finished")
        except sqlite3.Error as exc:
            outcome.append(type(exc).__name__)

    t = threading.Thread(target=long_read)
    t.start()
    started.wait()
    time.sleep(0.2)  # well inside the query
    s.close()
    t.join(timeout=10)
    assert not t.is_alive() and outcome == ["OperationalError"]  # interrupted


def test_an_idle_cache_grows_its_wal_to_its_room(tmp_path):
    import time

    s = Store(tmp_path / "cache.db")
    try:
        s.tickets.insert(_ticket(1))  # the WAL file exists from the first write
        s.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not s.db.wal_grown()
        deadline = time.monotonic() + 15
        while not s.db.wal_grown() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert s.db.wal_grown()  # the maintenance thread filled it while nothing was written
        s.tickets.insert(_ticket(2))  # and the cache still works on top of the zeros
        assert [r["id"] for r in s.inbox.page_rows(limit=5)] == ["SD-000002", "SD-000001"]
    finally:
        s.close()
