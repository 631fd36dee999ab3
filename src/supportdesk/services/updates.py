"""One place that applies what a provider says about a ticket: webhook events, Retrieve, search.

Every path (webhook, poll, create answer) goes through here, so a missed webhook loses nothing
and a duplicate event changes nothing. Every change appends a TicketEvent.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any, Callable

from supportdesk.models import cardlytics as cdl
from supportdesk.models import support as sup
from supportdesk.models.ticket import (
    STATUS_RANK, Attachment, AttachmentKind, SyncState, Ticket, TicketEvent, TicketStatus,
    cardlytics_status, iso, new_local_id, support_status, utcnow,
)
from supportdesk.store import Store

log = logging.getLogger(__name__)

RESUBMIT_HINT = ("Correct the ticket and resubmit it (ticket resubmit ID with the corrected "
                 "fields); the resubmission gets a new sourceTicketId on the same ticket.")

Listener = Callable[[Ticket, TicketStatus], None]
_CREATED_KEY = "ticketCreatedDate"  # in a ticket's data once created_at is Cardlytics' own date
# Meta: cardlytics tickets an update event closed (it carries no date): read once more by Retrieve
# for their ticketSolvedDate, though resolved tickets are not polled otherwise.
_SOLVED_DATE_WANTED = "cardlytics.solved_date_wanted"


def _dedup(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()


class TicketUpdater:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._listeners: list[Listener] = []

    def solved_date_wanted(self) -> list[str]:
        return json.loads(self.store.meta.get(_SOLVED_DATE_WANTED) or "[]")

    def _want_solved_date(self, ticket_id: str, want: bool) -> None:
        ids = self.solved_date_wanted()
        if want == (ticket_id in ids):
            return
        ids = (ids + [ticket_id])[-500:] if want else [i for i in ids if i != ticket_id]
        self.store.meta.set(_SOLVED_DATE_WANTED, json.dumps(ids))

    def on_change(self, listener: Listener) -> None:
        """Called with (ticket, previous status) after each stored change (the window listens)."""
        self._listeners.append(listener)

    def notify(self, ticket: Ticket, before: TicketStatus) -> None:
        for listener in self._listeners:
            try:
                listener(ticket, before)
            except Exception:  # a listener must never break intake
                log.exception("ticket change listener failed")

    def record(self, ticket: Ticket, kind: str, summary: str, *, at: datetime | None = None,
               dedup: str | None = None) -> bool:
        ev = TicketEvent(ticket_id=ticket.id, at=at or utcnow(), kind=kind, summary=summary,
                         status=ticket.status, provider_status=ticket.provider_status)
        return self.store.tickets.add_event(ev, dedup)

    # --- cardlytics -----------------------------------------------------------------------
    def apply_cardlytics(self, source_ticket_id: str, *, status: str | None,
                         processing_status: str | None, message: str | None = None,
                         resolution: str | None = None, response: str | None = None,
                         cdlx_id: int | None = None, solved_at: datetime | None = None,
                         created_at: datetime | None = None, resent: bool = False,
                         origin: str = "event") -> Ticket | None:
        """`resent`: an earlier send of this submission may have landed (so 'already exists' = delivered).
        `created_at`/`solved_at`: Retrieve's ticketCreatedDate/ticketSolvedDate, which the wasabi
        export reports as createdAt/resolvedAt (PROVIDERS.md)."""
        tid = self.store.tickets.id_for_ref("cardlytics", source_ticket_id)
        if tid is None:
            log.info("cardlytics %s for an unknown sourceTicketId ignored", origin)
            return None
        with self.store.transaction():
            t = self.store.tickets.get(tid, full=False)
            assert t is not None
            before = t.status
            if t.external_id != source_ticket_id:
                # An earlier submission: history only, the current one decides the state.
                self.record(t, "note", f"Update for earlier submission {source_ticket_id}: "
                            f"{processing_status or status}", dedup=_dedup(
                                t.id, source_ticket_id, processing_status, status, message))
                return t
            is_error = (processing_status or "").strip().lower() == "error"
            exists = (message or "").strip().lower().startswith("ticket already exists")
            if is_error and exists and resent:
                is_error = False  # our own resend landed twice: delivered
                if status is None and processing_status is not None and t.sync_state is SyncState.SENT:
                    self.record(t, "note", "Provider confirmed the resent ticket already exists "
                                "(delivered once).", dedup=_dedup(t.id, source_ticket_id, "dup"))
                    return t
            changes: list[str] = []
            if processing_status is None and t.sync_state is SyncState.FAILED:
                # Retrieve of a submission whose processing failed: it stays failed until resubmitted.
                if status and status != t.provider_status:
                    t.provider_status = status
                    t.updated_at = utcnow()
                    self.store.tickets.save(t)
                return t
            if is_error:
                if t.status is not TicketStatus.RESOLVED:
                    text = message or "Processing failed"
                    if t.sync_state is not SyncState.FAILED or t.last_error != text:
                        t.sync_state, t.last_error = SyncState.FAILED, text
                        t.status = TicketStatus.OPEN
                        changes.append(f"Cardlytics could not process the ticket: {text}")
            else:
                new = cardlytics_status(status, processing_status)
                if STATUS_RANK[new] >= STATUS_RANK[t.status] and new is not t.status:
                    changes.append(f"Status {t.status.value} → {new.value}")
                    t.status = new
                if status and status != t.provider_status and STATUS_RANK[new] >= STATUS_RANK[before]:
                    t.provider_status = status
                if t.sync_state is not SyncState.SYNCED:
                    t.sync_state, t.last_error = SyncState.SYNCED, None
                    changes.append("Accepted by Cardlytics")
            if resolution and resolution != t.resolution:
                t.resolution = resolution
                changes.append(f"Resolution: {resolution}")
            if response and response != t.data.get("cardlyticsResponse"):
                t.data["cardlyticsResponse"] = response
                changes.append(f"Cardlytics: {response}")
            dates = (t.created_at, t.resolved_at)
            if cdlx_id and t.data.get("cdlxTicketId") != cdlx_id:
                t.data["cdlxTicketId"] = cdlx_id
            if created_at is not None and _CREATED_KEY not in t.data:
                # The first date Cardlytics gives; a resubmission's later one does not move it.
                t.data[_CREATED_KEY] = iso(created_at)
                t.created_at = created_at
            if t.status is TicketStatus.RESOLVED and (t.resolved_at is None or solved_at is not None):
                t.resolved_at = solved_at or utcnow()  # first seen resolved, until Cardlytics says when
            if t.status is TicketStatus.RESOLVED and (before is not TicketStatus.RESOLVED or origin == "refresh"):
                # Closed by an event: Retrieve it once for its date. Retrieve answered: once is enough.
                self._want_solved_date(t.id, solved_at is None and origin != "refresh")
            if not changes:
                if (t.created_at, t.resolved_at) != dates:
                    self.store.tickets.save(t)
                return t
            t.updated_at = utcnow()
            self.store.tickets.save(t)
            self.record(t, "error" if is_error else ("resolved" if t.status is TicketStatus.RESOLVED
                                                     and before is not TicketStatus.RESOLVED else "status"),
                        "; ".join(changes) + (f" ({origin})" if origin else ""),
                        dedup=_dedup(t.id, source_ticket_id, processing_status, t.status, t.provider_status,
                                     t.resolution, t.last_error, response))
        self.notify(t, before)
        return t

    def apply_cardlytics_event(self, ev: cdl.UpdateEvent, *, resent: bool) -> Ticket | None:
        return self.apply_cardlytics(
            ev.source_ticket_id, status=ev.status, processing_status=ev.processing_status,
            message=ev.processing_status_message, resolution=ev.resolution_type,
            response=ev.cardlytics_response, cdlx_id=ev.cdlx_ticket_id, resent=resent,
            origin="webhook")

    def apply_cardlytics_retrieve(self, r: cdl.RetrievedTicket) -> Ticket | None:
        return self.apply_cardlytics(
            r.source_ticket_id, status=r.status, processing_status=None,
            resolution=r.resolution_type, response=r.cardlytics_response, cdlx_id=r.cdlx_ticket_id,
            solved_at=r.ticket_solved_date, created_at=r.ticket_created_date, origin="refresh")

    # --- support --------------------------------------------------------------------------
    def apply_support(self, rec: sup.SupportRecord, *, ticket_id: str | None = None,
                      origin: str = "refresh") -> Ticket:
        """Create or update the local ticket for a support record."""
        core_id = rec.ticket_id
        # The cache keeps whole seconds: creationDate's milliseconds read as a change every time.
        created = rec.creation_date.replace(microsecond=0) if rec.creation_date else None
        with self.store.transaction():
            tid = ticket_id or (self.store.tickets.id_for_ref("support", core_id) if core_id else None)
            t = self.store.tickets.get(tid, full=False) if tid else None
            is_new = t is None
            if t is None:
                t = Ticket(id=new_local_id(), provider="support", sync_state=SyncState.SYNCED,
                           created_at=created or utcnow())
            before = t.status
            snapshot = t.model_dump(exclude={"events", "attachments", "updated_at"})
            t.external_id = core_id or t.external_id
            t.zendesk_id = rec.zendesk_ticket_id or t.zendesk_id
            raw = rec.ticket_status
            t.provider_status = raw or t.provider_status
            t.status = support_status(t.provider_status)
            t.sync_state, t.last_error = SyncState.SYNCED, None
            user = rec.user or {}
            info_extra = (rec.ticket_info.model_extra or {}) if rec.ticket_info else {}
            t.customer_id = str(user.get("id") or info_extra.get("userId") or t.customer_id)
            t.email = rec.email or t.email
            t.subject = rec.subject or t.subject
            t.description = rec.message or t.description
            if created:
                t.created_at = created
            t.data.update({k: v for k, v in {
                "feedback_id": rec.id, "name": rec.name, "phone": rec.phone,
                "category": rec.category, "logPath": rec.log_path,
                "feedbackPhoto": rec.feedback_photo,
                "udid": (rec.device or {}).get("udid") or t.data.get("udid"),
                "images": rec.ticket_info.images if rec.ticket_info else None,
            }.items() if v})
            if t.status is TicketStatus.RESOLVED and t.resolved_at is None:
                t.resolved_at = utcnow()
            changed = is_new or snapshot != t.model_dump(exclude={"events", "attachments", "updated_at"})
            if changed:
                t.updated_at = utcnow()
                if is_new:
                    self.store.tickets.insert(t)
                else:
                    self.store.tickets.save(t)
                self.store.tickets.add_ref(t.id, "support", rec.id, "feedback")
                if is_new:
                    self.record(t, "created", f"Found in the support provider ({raw or 'no status'})",
                                at=t.created_at)
                elif t.status is not before or snapshot.get("provider_status") != t.provider_status:
                    self.record(t, "resolved" if t.status is TicketStatus.RESOLVED else "status",
                                f"Status {snapshot.get('provider_status') or '—'} → {raw} ({origin})",
                                dedup=_dedup(t.id, raw, origin, t.updated_at))
            for kind, url in ((AttachmentKind.LOG, rec.log_path),
                              (AttachmentKind.PHOTO, rec.feedback_photo)):
                if url:
                    existing = {a.kind: a for a in self.store.tickets.attachments(t.id)}
                    if kind not in existing or existing[kind].remote_url != url:
                        name = url.rsplit("/", 1)[-1] or kind.value
                        self.store.tickets.upsert_attachment(Attachment(
                            ticket_id=t.id, kind=kind, name=existing[kind].name if kind in existing
                            else name, remote_url=url,
                            state="uploaded" if kind in existing and existing[kind].cached_path else "remote"))
        if changed and not is_new:
            self.notify(t, before)
        return t
