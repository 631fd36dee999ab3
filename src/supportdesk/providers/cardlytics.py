"""Cardlytics ticket API client (PROVIDERS.md, section 1)."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from supportdesk.models.cardlytics import CreateTicketRequest, RetrievedTicket
from supportdesk.providers.errors import NotFound, Rejected
from supportdesk.providers.transport import HttpBound, RetryPolicy, json_body, parse_answer, send

PROVIDER = "cardlytics"
_CHECK_FIELDS = "Check the ticket's fields and resubmit."


class CardlyticsClient(HttpBound):
    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy = RetryPolicy()) -> None:
        self._http = http
        self._retry = retry

    async def create_ticket(self, req: CreateTicketRequest) -> None:
        """POST the ticket; any 2xx (202 documented) means received.

        Not retried here: a resend must be the outbox's own decision, because only it knows
        whether a later `Ticket already exists` answers its resend or a new submission.
        """
        try:
            await send(self._http, PROVIDER, "POST", "/tickets", retry=False,
                       policy=self._retry, json=req.to_wire())
        except Rejected as exc:
            if type(exc) is Rejected and exc.hint == Rejected.default_hint:
                exc.hint = _CHECK_FIELDS
            raise

    async def retrieve_ticket(self, source_ticket_id: str) -> RetrievedTicket:
        path = f"/tickets/{quote(source_ticket_id, safe='')}"
        try:
            response = await send(self._http, PROVIDER, "GET", path, retry=True,
                                  policy=self._retry)
        except NotFound as exc:
            exc.hint = "Cardlytics does not know this sourceTicketId (yet): check it or resubmit."
            raise
        return parse_answer(PROVIDER, RetrievedTicket, json_body(PROVIDER, response))
