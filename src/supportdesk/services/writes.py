"""Invitations (radar) and offer feedback: stored, queued, sent; ids remembered per profile."""

from __future__ import annotations

import uuid
from typing import Any, Callable

from supportdesk.models import offers_feedback as off
from supportdesk.models import radar
from supportdesk.models.ticket import OutboxItem, SyncState, WriteRecord, new_local_id
from supportdesk.services.errors import InvalidInput, NotConfigured
from supportdesk.services.outbox import OutboxSender
from supportdesk.store import Store

INVITATION, FEEDBACK = "invitation", "feedback"

FEEDBACK_TYPES = {"1": "Merchant Declined", "2": "Offer Expired"}


class _WriteService:
    kind = ""

    def __init__(self, store: Store, sender: OutboxSender, client: Any | None,
                 require_secrets: Callable[[str], None] = lambda provider: None) -> None:
        self.store = store
        self.require_secrets = require_secrets
        self.sender = sender
        self._client = client
        sender.register(self.kind, self._send, self._rejected)

    @property
    def client(self) -> Any:
        if self._client is None:
            raise NotConfigured(self.provider)
        return self._client

    def get(self, rec_id: str) -> WriteRecord | None:
        return self.store.writes.get(rec_id)

    @property
    def provider(self) -> str:
        return "radar" if self.kind == INVITATION else "offers_feedback"

    async def _submit(self, payload: dict[str, Any], shown: dict[str, Any], send_now: bool) -> WriteRecord:
        if self._client is None:
            raise NotConfigured(self.provider)
        self.require_secrets(self.provider)
        rec = WriteRecord(id=new_local_id("IV" if self.kind == INVITATION else "FB"), kind=self.kind,
                          payload=shown)
        with self.store.transaction():
            self.store.writes.insert(rec)
            item_id = self.store.outbox.enqueue(self.kind, rec.id, payload, str(uuid.uuid4()))
        if send_now:
            await self.sender.deliver(item_id)
        return self.store.writes.get(rec.id)  # type: ignore[return-value]

    def _rejected(self, item: OutboxItem, text: str) -> None:
        rec = self.store.writes.get(item.target_id)
        if rec:
            rec.sync_state, rec.last_error = SyncState.FAILED, text
            self.store.writes.save(rec)

    def _sent(self, item: OutboxItem, reference: str | None) -> None:
        rec = self.store.writes.get(item.target_id)
        if rec:
            rec.sync_state, rec.last_error, rec.provider_reference = SyncState.SENT, None, reference
            self.store.writes.save(rec)

    async def _send(self, item: OutboxItem) -> None:
        raise NotImplementedError


class InvitationService(_WriteService):
    kind = INVITATION

    def __init__(self, store: Store, sender: OutboxSender, client: Any | None, *,
                 default_client: str | None = None, default_programme: str | None = None,
                 require_secrets: Callable[[str], None] = lambda provider: None) -> None:
        super().__init__(store, sender, client, require_secrets)
        self.default_client = default_client
        self.default_programme = default_programme

    def remembered(self) -> dict[str, list[dict[str, Any]]]:
        return {k: self.store.remembered.values(k) for k in ("client", "programme", "location", "pom")}

    async def send(self, *, location: str, client: str | None = None, programme: str | None = None,
                   pom: str | None = None, email: str | None = None, mobile: str | None = None,
                   first_name: str | None = None, last_name: str | None = None,
                   metadata: dict[str, str] | None = None, send_now: bool = True) -> WriteRecord:
        client = client or self.default_client or self.store.remembered.last("client")
        programme = programme or self.default_programme or self.store.remembered.last("programme")
        missing = {k: "required (no default in the profile and none used before)"
                   for k, v in (("client", client), ("programme", programme)) if not v}
        if not (email or "").strip() and not (mobile or "").strip():
            missing["email_or_mobile"] = "give an e-mail or a mobile number (or both)"
        if missing:
            raise InvalidInput(missing)
        with InvalidInput.from_validation():
            req = radar.InvitationRequest(
                client_display_id=client, programme_display_id=programme,
                send_data=[radar.Recipient(
                    email=email, mobile=mobile, first_name=first_name, last_name=last_name,
                    location_display_id=location, pom_display_id=pom,
                    metadata=[radar.MetadataItem(key=k, value=v) for k, v in (metadata or {}).items()] or None)])
        wire = req.to_wire()
        return await self._submit(wire, wire, send_now)

    async def _send(self, item: OutboxItem) -> None:
        req = radar.InvitationRequest.model_validate(item.payload)
        reference = await self.client.send_invitation(req)
        with self.store.transaction():
            self._sent(item, reference)
            self._remember(req)

    def _remember(self, req: radar.InvitationRequest) -> None:
        """Only ids the provider accepted are offered back."""
        rec = req.send_data[0]
        self.store.remembered.remember("client", req.client_display_id)
        self.store.remembered.remember("programme", req.programme_display_id, parent=req.client_display_id)
        self.store.remembered.remember("location", rec.location_display_id, parent=req.programme_display_id)
        if rec.pom_display_id:
            self.store.remembered.remember("pom", rec.pom_display_id, parent=rec.location_display_id)


class FeedbackService(_WriteService):
    kind = FEEDBACK

    async def send(self, *, user_id: str, offer_code: str, bank_code: str, outlet_code: str,
                   feedback_type: str, lat: Any, lon: Any, comment: str | None = None,
                   send_now: bool = True) -> WriteRecord:
        with InvalidInput.from_validation():
            req = off.FeedbackRequest(user_id=user_id, offer_code=offer_code, your_bank_code=bank_code,
                                      outlet_code=outlet_code, feedback_type=feedback_type,
                                      user_latitude=lat, user_longitude=lon, comment=comment)
        data = req.model_dump()
        return await self._submit(data, data, send_now)

    async def _send(self, item: OutboxItem) -> None:
        answer = await self.client.send(off.FeedbackRequest(**item.payload))
        self._sent(item, answer.message)  # the provider's message, if it gave one (no id exists)
