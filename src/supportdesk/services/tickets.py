"""Ticket use cases: file, resubmit, refresh, find — stored first, then sent through the outbox."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from supportdesk.models import cardlytics as cdl
from supportdesk.models import support as sup
from supportdesk.models.ticket import (
    OutboxItem, SyncState, Ticket, TicketStatus, new_local_id, utcnow,
)
from supportdesk.providers.errors import NotFound, ProviderError, Rejected
from supportdesk.services.errors import InvalidInput, NotConfigured, TicketNotFound
from supportdesk.services.outbox import DROPPED, OutboxSender
from supportdesk.services.updates import TicketUpdater
from supportdesk.store import Store, TicketQuery
from supportdesk.store.files import FileStore

log = logging.getLogger(__name__)

CARDLYTICS_CREATE = "cardlytics_create"
SUPPORT_CREATE = "support_create"


class TicketService:
    def __init__(self, store: Store, sender: OutboxSender, updater: TicketUpdater, *,
                 cardlytics: Any | None = None, support: Any | None = None,
                 files: FileStore | None = None, refresh_concurrency: int = 8,
                 require_secrets: Callable[[str], None] = lambda provider: None) -> None:
        self.store = store
        self.sender = sender
        self.updater = updater
        self._cardlytics = cardlytics
        self._support = support
        self._files = files
        self._concurrency = refresh_concurrency
        self._rotation = 0  # where the next share of older unresolved tickets starts (open_share)
        self.require_secrets = require_secrets
        sender.register(CARDLYTICS_CREATE, self._send_cardlytics, self._rejected_ticket)
        sender.register(SUPPORT_CREATE, self._send_support, self._rejected_ticket)

    @property
    def cardlytics(self) -> Any:
        if self._cardlytics is None:
            raise NotConfigured("cardlytics")
        return self._cardlytics

    @property
    def support(self) -> Any:
        if self._support is None:
            raise NotConfigured("support")
        return self._support

    def _ready(self, provider: str) -> None:
        """Before anything is stored: the provider is configured and its secrets are set."""
        if {"cardlytics": self._cardlytics, "support": self._support}[provider] is None:
            raise NotConfigured(provider)
        self.require_secrets(provider)

    # --- reading --------------------------------------------------------------------------
    def get(self, ref: str) -> Ticket:
        t = self.store.tickets.find(ref)
        if t is None:
            raise TicketNotFound(ref)
        return t

    def list(self, query: TicketQuery = TicketQuery(), limit: int = 50) -> list[Ticket]:
        return self.store.tickets.page(query, limit=limit)

    # --- cardlytics -----------------------------------------------------------------------
    def _validate_cardlytics(self, **fields: Any) -> cdl.CreateTicketRequest:
        with InvalidInput.from_validation():
            return cdl.CreateTicketRequest(**fields)

    async def create_cardlytics(self, *, offer_id: Any, transaction_ids: Iterable[Any],
                                customer_id: Any, description: str, author_email: str | None = None,
                                source_ticket_id: str | None = None, send_now: bool = True) -> Ticket:
        self._ready("cardlytics")
        tid = new_local_id()
        stid = source_ticket_id or f"{tid}-1"
        req = self._validate_cardlytics(
            source_ticket_id=stid, source_customer_id=customer_id, transaction_ids=list(transaction_ids),
            offer_id=offer_id, description=description, author_email_address=author_email)
        if self.store.tickets.id_for_ref("cardlytics", req.source_ticket_id):
            raise InvalidInput({"source_ticket_id": f"{req.source_ticket_id} is already used by a "
                                                    "ticket in the cache"})
        now = utcnow()
        t = Ticket(id=tid, provider="cardlytics", external_id=req.source_ticket_id,
                   customer_id=req.source_customer_id, email=req.author_email_address,
                   subject=_subject(req.description), description=req.description,
                   created_at=now, updated_at=now,
                   data={"offerId": req.offer_id, "transactionIds": list(req.transaction_ids),
                         "submissions": [{"sourceTicketId": req.source_ticket_id, "at": now.isoformat()}]})
        with self.store.transaction():
            self.store.tickets.insert(t)
            self.updater.record(t, "created", f"Filed as {req.source_ticket_id}; queued for Cardlytics", at=now)
            item_id = self.store.outbox.enqueue(CARDLYTICS_CREATE, t.id, req.to_wire(), req.source_ticket_id)
        if send_now:
            await self.sender.deliver(item_id)
        return self.get(t.id)

    async def resubmit(self, ref: str, *, offer_id: Any = None, transaction_ids: list[Any] | None = None,
                       customer_id: Any = None, description: str | None = None,
                       author_email: str | None = None, send_now: bool = True) -> Ticket:
        t = self.get(ref)
        if t.provider != "cardlytics":
            raise InvalidInput({"ticket": "only cardlytics tickets are resubmitted; support tickets "
                                          "are updated in Zendesk"})
        pending = [i for i in self.store.outbox.for_target(t.id)
                   if i.kind == CARDLYTICS_CREATE and i.state in ("pending", "in_flight")]
        if pending:
            raise InvalidInput({"ticket": "this ticket is still waiting to be sent; it cannot be "
                                          "resubmitted until it has been answered"})
        if t.sync_state is not SyncState.FAILED and t.status is not TicketStatus.RESOLVED:
            raise InvalidInput({"ticket": f"only a ticket that failed (processingStatus Error) or was "
                                          f"closed can be resubmitted; this one is {t.status.value}/"
                                          f"{t.sync_state.value}"})
        self._ready("cardlytics")
        submissions = list(t.data.get("submissions", []))
        stid = f"{t.id}-{len(submissions) + 1}"
        req = self._validate_cardlytics(
            source_ticket_id=stid,
            source_customer_id=customer_id if customer_id is not None else t.customer_id,
            transaction_ids=transaction_ids or t.data.get("transactionIds", []),
            offer_id=offer_id if offer_id is not None else t.data.get("offerId"),
            description=description if description is not None else t.description,
            author_email_address=author_email if author_email is not None else t.email)
        now = utcnow()
        submissions.append({"sourceTicketId": stid, "at": now.isoformat()})
        t.external_id = stid
        t.customer_id, t.email = req.source_customer_id, req.author_email_address
        t.description, t.subject = req.description, _subject(req.description)
        t.status, t.sync_state, t.last_error = TicketStatus.OPEN, SyncState.QUEUED, None
        t.provider_status, t.resolution, t.resolved_at = None, None, None
        t.data.update({"offerId": req.offer_id, "transactionIds": list(req.transaction_ids),
                       "submissions": submissions})
        t.data.pop("cardlyticsResponse", None)
        t.updated_at = now
        with self.store.transaction():
            for old in self.store.outbox.for_target(t.id):
                if old.kind == CARDLYTICS_CREATE and old.state == "failed":
                    self.store.outbox.drop(old.id)  # superseded: a retry would send the old submission
            self.store.tickets.save(t)
            self.updater.record(t, "resubmitted", f"Resubmitted as {stid} with corrected data", at=now)
            item_id = self.store.outbox.enqueue(CARDLYTICS_CREATE, t.id, req.to_wire(), stid)
        if send_now:
            await self.sender.deliver(item_id)
        return self.get(t.id)

    async def _send_cardlytics(self, item: OutboxItem) -> None:
        req = cdl.CreateTicketRequest(**item.payload)
        resent = item.maybe_delivered  # an earlier attempt may have landed: "already exists" is ours
        try:
            await self.cardlytics.create_ticket(req)
            note = "Sent to Cardlytics (202 Accepted); waiting for processing"
        except Rejected as exc:
            if not (resent and "ticket already exists" in str(exc).lower()):
                raise
            note = "Sent to Cardlytics (the resend found it already delivered)"
        with self.store.transaction():
            t = self.store.tickets.get(item.target_id, full=False)
            if t is not None and t.sync_state in (SyncState.QUEUED, SyncState.FAILED):
                t.sync_state, t.last_error, t.updated_at = SyncState.SENT, None, utcnow()
                self.store.tickets.save(t)
                self.updater.record(t, "submitted", note)

    def _rejected_ticket(self, item: OutboxItem, text: str) -> None:
        t = self.store.tickets.get(item.target_id, full=False)
        if t is None:
            return
        before = t.status
        t.sync_state, t.last_error, t.updated_at = SyncState.FAILED, text, utcnow()
        self.store.tickets.save(t)
        self.updater.record(t, "error", text if text == DROPPED else f"Rejected by {t.provider}: {text}")
        self.updater.notify(t, before)

    # --- support --------------------------------------------------------------------------
    async def create_support(self, *, uuid_: str, udid: str, subject: str, message: str, email: str,
                             category: str, name: str | None = None, phone: str | None = None,
                             images: list[Any] | None = None, send_now: bool = True) -> Ticket:
        with InvalidInput.from_validation():
            req = sup.CreateRequest(uuid=uuid_, udid=udid, subject=subject, message=message,
                                    email=email, category=category, name=name, phone=phone)
        self._ready("support")
        stored_images = self._stage_images(images or [])
        tid = new_local_id()
        now = utcnow()
        t = Ticket(id=tid, provider="support", customer_id=req.uuid, email=req.email,
                   subject=req.subject, description=req.message, created_at=now, updated_at=now,
                   data={"udid": req.udid, "category": req.category, "name": req.name,
                         "phone": req.phone})
        payload = {"request": req.to_wire(), "images": stored_images}
        with self.store.transaction():
            self.store.tickets.insert(t)
            self.updater.record(t, "created", "Filed; queued for the support provider", at=now)
            item_id = self.store.outbox.enqueue(SUPPORT_CREATE, t.id, payload, str(uuid.uuid4()))
        if send_now:
            await self.sender.deliver(item_id)
        return self.get(t.id)

    def _stage_images(self, paths: list[Any]) -> list[dict[str, Any]]:
        """Copy images into the cache now, so they survive the originals moving."""
        from supportdesk.services.attachments import check_file

        staged = []
        for i, p in enumerate(paths):
            path = check_file(Path(p), "photo", field=f"images.{i}")
            if self._files is None:
                raise NotConfigured("files")
            stored = self._files.add(path)
            staged.append({"path": str(stored.path), "sha256": stored.sha256, "name": None,
                           "original": path.name})
        return staged

    async def _send_support(self, item: OutboxItem) -> None:
        payload = dict(item.payload)
        request = dict(payload["request"])
        # Images go to the common upload service first; names are kept so a resend reuses them.
        names = list(request.get("images") or [])
        pending = [img for img in payload.get("images", []) if not img.get("name")]
        for img in pending:
            img["name"] = await self.support.upload_image(Path(img["path"]), filename=img.get("original"))
            names.append(img["name"])
            request["images"] = names
            payload["request"] = request
            self.store.outbox.update_payload(item.id, payload)
        req = sup.CreateRequest(**request)
        record = None
        if item.attempts > 1 and item.first_attempt_at is not None:
            record = await self._find_delivered(req, item)
        if record is None:
            record = await self.support.create(req)
        self.updater.apply_support(record, ticket_id=item.target_id, origin="create")

    async def _find_delivered(self, req: sup.CreateRequest, item: OutboxItem) -> Any:
        """No idempotency key: before a resend, look for the ticket the lost reply created."""
        found = await self.support.search(sup.SearchCriteria(uuid=req.uuid, udid=req.udid, email=req.email))
        since = item.first_attempt_at - timedelta(minutes=10)
        for rec in found:
            if (rec.subject == req.subject and rec.message == req.message
                    and (rec.creation_date is None or rec.creation_date >= since)
                    and not (rec.ticket_id and self.store.tickets.id_for_ref("support", rec.ticket_id))):
                return rec
        return None

    async def find_support(self, **criteria: Any) -> list[Ticket]:
        with InvalidInput.from_validation():
            crit = sup.SearchCriteria(**criteria)
        records = await self.support.search(crit)
        return [self.get(self.updater.apply_support(r, origin="search").id) for r in records]

    # --- refresh --------------------------------------------------------------------------
    async def refresh(self, tickets: list[Ticket]) -> tuple[list[Ticket], list[tuple[Ticket, str]]]:
        sem = asyncio.Semaphore(self._concurrency)
        done: list[Ticket] = []
        errors: list[tuple[Ticket, str]] = []

        async def one(t: Ticket) -> None:
            async with sem:
                try:
                    done.append(await self._refresh_one(t))
                except (ProviderError, NotConfigured) as exc:
                    errors.append((t, str(exc)))

        await asyncio.gather(*(one(t) for t in tickets))
        return done, errors

    async def refresh_open(self, limit: int | None = None) -> tuple[list[Ticket], list[tuple[Ticket, str]]]:
        """Refresh every unresolved ticket (the CLI's `sync`), or with `limit` the window's share
        of them (see open_share). Read in a worker thread (its own connection): with a big cache
        the list is long, and the window's loop must not wait for it."""
        tickets = await asyncio.to_thread(self.store.tickets.unresolved if limit is None else
                                          lambda: self.open_share(limit))
        listed = {t.id for t in tickets}
        for tid in self.updater.solved_date_wanted():  # closed by an event, no date yet (see updates)
            if tid not in listed and (t := self.store.tickets.get(tid, full=False)) is not None:
                tickets.append(t)
        return await self.refresh(tickets)

    def open_share(self, limit: int) -> list[Ticket]:
        """Up to `limit` unresolved tickets: the most recently updated half, and in turn the next
        slice of the older ones, so that a window syncing every few minutes refreshes what moves
        now at once and every older ticket within a few rounds, instead of polling a big cache
        whole each time (two thirds of a million tickets at 1M)."""
        newest = self.store.tickets.unresolved(limit=max(1, limit // 2))
        rest = limit - len(newest)
        older = self.store.tickets.unresolved(limit=rest, offset=len(newest) + self._rotation) if rest else []
        self._rotation += len(older)
        if len(older) < rest:  # the end of the older ones: start over from the first of them
            self._rotation = 0
        seen = {t.id for t in newest}
        return newest + [t for t in older if t.id not in seen]

    async def _refresh_one(self, t: Ticket) -> Ticket:
        if not t.external_id or t.sync_state is SyncState.QUEUED:
            return t
        if t.provider == "cardlytics":
            try:
                r = await self.cardlytics.retrieve_ticket(t.external_id)
            except NotFound:
                if t.sync_state is SyncState.SENT:
                    return t  # accepted, not processed yet
                raise
            self.updater.apply_cardlytics_retrieve(r)
        else:
            recs = await self.support.search(sup.SearchCriteria(ticket_id=t.external_id))
            for rec in recs:
                if rec.ticket_id == t.external_id:
                    self.updater.apply_support(rec, ticket_id=t.id)
        return self.get(t.id)


def _subject(description: str) -> str:
    line = description.strip().splitlines()[0] if description.strip() else ""
    return line[:80] + ("…" if len(line) > 80 else "")
