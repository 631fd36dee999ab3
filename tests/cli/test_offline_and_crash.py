"""Must-holds of the core issue: offline filing, exactly-once delivery through crashes and faults."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time

import httpx
import pytest

from tests.cli.test_commands import CARD, SUPPORT
from tests.conftest import free_port

pytestmark = pytest.mark.timeout(300)


def _file_mixed(cli, n: int) -> list[dict]:
    made = []
    for i in range(n):
        if i % 2:
            args = [*CARD[:-1], f"Cashback missing #{i}", "--json"]
        else:
            args = [*SUPPORT[:-6], "--message", f"Crash report #{i}", "--email",
                    "john.connor@example.com", "--category", "cat1", "--json"]
        r = cli(*args)
        assert r.code == 0, r.err
        made.append(r.json)
    return made


def _assert_exactly_once(server, made: list[dict]) -> None:
    stats = httpx.get(server.base_url + "/_sandbox/stats").json()
    card = [t for t in made if t["provider"] == "cardlytics"]
    sup = [t for t in made if t["provider"] == "support"]
    created = stats["cardlytics"]["create_calls"]
    assert set(created) == {t["external_id"] for t in card}
    assert stats["cardlytics"]["tickets"] == len(card)
    # Support has no idempotency key: every local ticket created exactly one remote ticket.
    messages = [c["message"] for c in stats["support"]["creates"]]
    for t in sup:
        assert messages.count(t["description"]) == 1, t["description"]


def test_twenty_tickets_filed_offline_are_delivered_once_by_one_sync(sandbox_factory, cli_for):
    port = free_port()
    cli = cli_for(f"http://127.0.0.1:{port}")
    made = _file_mixed(cli, 20)
    assert {t["sync_state"] for t in made} == {"queued"}
    assert len(cli("outbox", "list", "--json").json) == 20
    server = sandbox_factory(port=port)
    r = cli("sync", "--json")
    assert r.code == 0, r.err
    assert r.json["sent"] == 20 and r.json["queued"] == 0
    assert cli("outbox", "list", "--json").json == []
    _assert_exactly_once(server, made)
    states = {t["id"]: t["sync_state"] for t in cli("ticket", "list", "--json").json}
    assert set(states.values()) <= {"sent", "synced"}


def test_sync_killed_at_random_moments_loses_nothing_and_sends_once(sandbox_factory, cli_for):
    port = free_port()
    cli = cli_for(f"http://127.0.0.1:{port}")
    made = _file_mixed(cli, 20)
    server = sandbox_factory(port=port, fault_rate=0.35, latency_ms=40)
    rng = random.Random(1234)
    for _ in range(5):
        proc = cli.popen("sync")
        time.sleep(rng.uniform(0.6, 2.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    server.set_faults(fault_rate=0.0, latency_ms=0)
    r = cli("sync", "--json")
    assert r.code == 0, r.err
    assert cli("outbox", "list", "--json").json == []
    _assert_exactly_once(server, made)
    db = cli.data_dir / "test" / "supportdesk.db"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 20
    conn.close()


def test_webhook_takes_a_ticket_through_success_to_resolved(sandbox_factory, cli_for):
    hook_port = free_port()
    secret = "whs-9f8e7d6c5b4a"
    server = sandbox_factory(webhook_url=f"http://127.0.0.1:{hook_port}/", webhook_secret=secret)
    cli = cli_for(server.base_url, webhook_port=hook_port)
    listener = cli.popen("webhook", "serve", env={"SUPPORTDESK_SECRET_WEBHOOK_SECRET": secret})
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                httpx.post(f"http://127.0.0.1:{hook_port}/", content=b"{}")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        # crc32 picks the sandbox's resolution; this id gets a non-blank one.
        t = cli(*CARD, "--source-ticket-id", "hook-test-2", "--json").json
        deadline = time.time() + 30
        shown = None
        while time.time() < deadline:
            shown = cli("ticket", "show", t["id"], "--json").json
            if shown["status"] == "RESOLVED":
                break
            time.sleep(0.5)
        assert shown["status"] == "RESOLVED", shown
        assert shown["sync_state"] == "synced" and shown["resolution"]
        kinds = [e["kind"] for e in shown["events"]]
        assert kinds[0] == "created" and "resolved" in kinds
        # A wrong secret or a bad body is refused and changes nothing.
        bad = httpx.post(f"http://127.0.0.1:{hook_port}/", json={"sourceTicketId": t["external_id"]},
                         headers={"X-Webhook-Secret": "wrong"})
        assert bad.status_code == 401
        bad = httpx.post(f"http://127.0.0.1:{hook_port}/", content=b"[1,2",
                         headers={"X-Webhook-Secret": secret})
        assert bad.status_code == 422
        assert cli("ticket", "show", t["id"], "--json").json["events"] == shown["events"]
    finally:
        listener.terminate()
        listener.wait(timeout=10)


def test_file_attached_offline_is_cached_then_uploaded_after_its_ticket(sandbox_factory, cli_for, tmp_path):
    port = free_port()
    cli = cli_for(f"http://127.0.0.1:{port}")
    t = cli(*SUPPORT, "--json").json
    assert t["sync_state"] == "queued"
    photo = tmp_path / "receipt.png"
    from PIL import Image

    Image.new("RGB", (120, 80), (10, 120, 200)).save(photo)
    r = cli("file", "upload", t["id"], str(photo), "--kind", "photo", "--json")
    assert r.code == 0 and r.json["sync_state"] == "queued"
    cached = r.json["cached_path"]
    photo.unlink()  # the original moves away: the cached copy is what gets sent
    assert open(cached, "rb").read()[:4] == b"\x89PNG"
    server = sandbox_factory(port=port)
    r = cli("sync", "--json")
    assert r.code == 0 and r.json["sent"] == 2, r.out + r.err
    shown = cli("ticket", "show", t["id"], "--json").json
    assert shown["sync_state"] == "synced"
    assert [a["state"] for a in shown["attachments"] if a["kind"] == "photo"] == ["uploaded"]
    stats = httpx.get(server.base_url + "/_sandbox/stats").json()
    assert stats["support"]["uploads"] == 1

