"""The outbox sender's state machine with real rows in a real SQLite file."""

from __future__ import annotations

import asyncio
import time

import pytest

from supportdesk.providers.errors import ProviderBug, Rejected, Unreachable
from supportdesk.services.outbox import Deferred, OutboxSender
from supportdesk.store import Store

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "c.db")
    yield s
    s.close()


def _enqueue(store, kind, key):
    with store.transaction():
        return store.outbox.enqueue(kind, "T-1", {"n": key}, key)


async def test_transient_then_success_and_rejection_is_kept_failed(store):
    sender = OutboxSender(store)
    calls = []
    rejected = []

    async def flaky(item):
        calls.append(item.attempts)
        if item.attempts < 3:
            raise (Unreachable if item.attempts == 1 else ProviderBug)("p", "down")

    async def refuse(item):
        raise Rejected("p", "Invalid offer Id")

    sender.register("flaky", flaky, lambda i, t: None)
    sender.register("refuse", refuse, lambda i, t: rejected.append(t))
    a = _enqueue(store, "flaky", "a")
    b = _enqueue(store, "refuse", "b")
    await sender.drain(idle_timeout=20)
    assert calls == [1, 2, 3]
    assert store.outbox.get(a).state == "sent"
    failed = store.outbox.get(b)
    assert failed.state == "failed" and "Invalid offer Id" in failed.last_error
    assert rejected and "Invalid offer Id" in rejected[0]
    # Failed rows are never resent by a drain; only an explicit retry does that.
    await sender.drain(idle_timeout=1)
    assert store.outbox.get(b).attempts == 1


async def test_drain_does_not_wait_for_rows_that_only_wait_on_others(store):
    sender = OutboxSender(store)

    async def waits(item):
        raise Deferred("waiting for the ticket to be created first")

    sender.register("upload", waits, lambda i, t: None)
    item = _enqueue(store, "upload", "u")
    started = time.monotonic()
    outcomes = await sender.drain(idle_timeout=30)
    assert time.monotonic() - started < 10
    assert outcomes and outcomes[0].deferred
    assert store.outbox.get(item).state == "pending"


async def test_cancelled_delivery_goes_back_to_pending(store):
    sender = OutboxSender(store)
    started = asyncio.Event()

    async def slow(item):
        started.set()
        await asyncio.sleep(30)

    sender.register("slow", slow, lambda i, t: None)
    item = _enqueue(store, "slow", "s")
    task = asyncio.ensure_future(sender.deliver(item))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.outbox.get(item).state == "pending"
