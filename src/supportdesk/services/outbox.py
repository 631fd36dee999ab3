"""The outbox sender: attempt, then mark sent/failed in one transaction; never lose a row."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Awaitable, Callable

from supportdesk.config import ConfigError
from supportdesk.models.ticket import OutboxItem, utcnow
from supportdesk.providers.errors import ProviderError, ProviderBug, Rejected, Transient
from supportdesk.store import Store

log = logging.getLogger(__name__)

Handler = Callable[[OutboxItem], Awaitable[None]]
Failer = Callable[[OutboxItem, str], None]


DROPPED = "Dropped from the outbox by the agent; it was never sent."


class Deferred(Exception):
    """The row cannot go yet (e.g. an upload waiting for its ticket); try again soon."""


@dataclass
class Outcome:
    item_id: int
    state: str  # sent | failed | pending
    error: str | None = None
    deferred: bool = False


def describe(exc: ProviderError) -> str:
    text = str(exc)
    return f"{text} — {exc.hint}" if getattr(exc, "hint", None) else text


def backoff(attempts: int, retry_after: float | None = None) -> float:
    # Full jitter, capped; a provider's Retry-After wins when it asks for longer.
    delay = random.uniform(0, min(30.0, 0.5 * 2 ** min(attempts, 8)))
    return max(delay, retry_after or 0.0)


class OutboxSender:
    """Knows how to deliver each kind of row; the services register their handlers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._handlers: dict[str, tuple[Handler, Failer]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def register(self, kind: str, deliver: Handler, on_rejected: Failer) -> None:
        self._handlers[kind] = (deliver, on_rejected)

    def startup(self) -> int:
        """Rows a crashed process left in flight go back to pending."""
        return self.store.outbox.release_orphans()

    def drop(self, item_id: int) -> OutboxItem | None:
        """The agent gives up on a queued or failed row: it is never sent, and a queued row's record
        becomes failed, saying so (it no longer waits in the outbox). None if no such row."""
        item = self.store.outbox.get(item_id)
        if item is None or item.state not in ("pending", "failed"):
            return None
        with self.store.transaction():
            if not self.store.outbox.drop(item_id):
                return None
            if item.state == "pending":  # a failed row's record already says why
                self._handlers[item.kind][1](item, DROPPED)
        return item

    async def deliver(self, item_id: int) -> Outcome:
        lock = self._locks.setdefault(item_id, asyncio.Lock())
        async with lock:
            item = self.store.outbox.claim(item_id)
            if item is None:
                current = self.store.outbox.get(item_id)
                return Outcome(item_id, current.state if current else "sent",
                               current.last_error if current else None)
            deliver, on_rejected = self._handlers[item.kind]
            try:
                await deliver(item)
            except Deferred as exc:
                self.store.outbox.mark_retry(item.id, str(exc), 1.0)
                return Outcome(item.id, "pending", str(exc), deferred=True)
            except Transient as exc:
                retry_after = exc.retry_after if isinstance(exc, ProviderBug) else None
                self.store.outbox.mark_retry(item.id, describe(exc), backoff(item.attempts, retry_after),
                                             maybe_delivered=exc.maybe_delivered)
                return Outcome(item.id, "pending", describe(exc))
            except Rejected as exc:
                text = describe(exc)  # the row keeps what to do next; the record the provider's words
                with self.store.transaction():
                    self.store.outbox.mark_failed(item.id, text)
                    on_rejected(item, str(exc))
                return Outcome(item.id, "failed", text)
            except ConfigError as exc:  # e.g. a secret removed since the row was queued
                self.store.outbox.mark_retry(item.id, str(exc), 60.0)
                return Outcome(item.id, "pending", str(exc))
            except asyncio.CancelledError:
                self.store.outbox.mark_retry(item.id, "cancelled", 0.0, maybe_delivered=True)
                raise
            except Exception as exc:  # a bug must not strand the row in flight
                log.exception("delivering outbox row %s failed", item.id)
                self.store.outbox.mark_retry(item.id, f"internal error: {type(exc).__name__}",
                                             backoff(item.attempts))
                return Outcome(item.id, "pending", str(exc))
            self.store.outbox.mark_sent(item.id)
            return Outcome(item.id, "sent")

    def _others_pending(self, waiting: set[int]) -> bool:
        return any(i.state in ("pending", "in_flight") and i.id not in waiting
                   for i in self.store.outbox.undelivered())

    async def drain(self, *, idle_timeout: float = 30.0, deadline: float | None = None,
                    on_progress: Callable[[Outcome], None] | None = None,
                    concurrency: int = 4) -> list[Outcome]:
        """Send until nothing is pending, or nothing has been delivered for `idle_timeout` s."""
        loop = asyncio.get_running_loop()
        last_progress = loop.time()
        outcomes: list[Outcome] = []
        sem = asyncio.Semaphore(concurrency)

        waiting: set[int] = set()

        async def one(item: OutboxItem) -> None:
            nonlocal last_progress
            async with sem:
                outcome = await self.deliver(item.id)
            outcomes.append(outcome)
            if outcome.deferred:
                waiting.add(item.id)
            else:
                waiting.discard(item.id)
            if outcome.state in ("sent", "failed"):
                last_progress = loop.time()
            if on_progress:
                on_progress(outcome)

        while True:
            due = self.store.outbox.due()
            if due and {i.id for i in due} <= waiting and not self._others_pending(waiting):
                break  # only rows waiting on something that will not happen in this run
            if due:
                # Per target, keep order (a ticket's create before its uploads).
                by_target: dict[str, list[OutboxItem]] = {}
                for item in due:
                    by_target.setdefault(item.target_id, []).append(item)

                async def chain(items: list[OutboxItem]) -> None:
                    for it in items:
                        await one(it)

                await asyncio.gather(*(chain(items) for items in by_target.values()))
                continue
            nxt = self.store.outbox.next_due_at()
            if nxt is None:
                break
            now = loop.time()
            if now - last_progress >= idle_timeout or (deadline is not None and now >= deadline):
                break
            wait = max(0.05, min((nxt - utcnow()).total_seconds(), 1.0))
            await asyncio.sleep(wait)
        return outcomes
