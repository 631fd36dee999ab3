"""cardlytics: offer-dispute tickets (PROVIDERS.md section 1), under /csaapi/v2.

Create `POST /tickets` answers 202 for a valid new ticket, 400 {"message", "errors"} for an invalid
body, and for an existing sourceTicketId either 409 {"message": "Ticket already exists"} (default) or
202 followed by an Error update event "Ticket already exists" (config duplicate_mode="event"); the
stored ticket never changes. Retrieve `GET /tickets/{sourceTicketId}`; unknown id -> 404
{"message": "Ticket not found"}.

Life of a ticket (each step is also an update event POSTed to webhook_url when one is configured,
with header X-Webhook-Secret; the state advances on the timer with or without a webhook):
  received  -- Retrieve answers status "In Process" (no activationDate yet)
  processed -- after processing_delay: the data is checked against the seed (rules below).
               Success: event {processingStatus: Success, status: "In Process", cdlxTicketId, ...}.
               Error: event {processingStatus: Error, processingStatusMessage: <text>}; the ticket is
               final: Retrieve answers it Closed with cardlyticsResponse = the error text and no
               resolutionType (or 404 with config error_retrieve="404").
  closed    -- close_delay after "processed": event {processingStatus: Success, status: "Closed",
               resolutionType, cardlyticsResponse}; Retrieve adds ticketSolvedDate.

Rules against the seed (GET /_sandbox/seed), checked in this order:
  1. sourceCustomerId must be a seeded customer (its id as text; UUIDs compared ignoring case),
     else "Invalid customer Id".
  2. offerId must be a seeded offer, else "Invalid offer Id".
  3. a transactionId that IS in the seed must belong to that customer and that offer, else
     "Invalid transaction Id"; ids not in the seed are accepted (real transaction ids are unknown
     to the sandbox).
Resolution of a ticket that processed fine: a description shorter than 10 characters closes it
for lack of information (resolutionType "" = Blank, a "please recreate" cardlyticsResponse);
otherwise RESOLUTIONS[crc32(sourceTicketId) % 5].
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .httputil import BadJson, is_int, read_json, static_auth_ok
from .seed import INSTITUTION_ID, prefixed_customer_id

log = logging.getLogger(__name__)

RESOLUTIONS: list[tuple[str, str]] = [
    ("No Credit: Not eligible for reward",
     "The transaction was made before the customer activated the offer, so it does not qualify."),
    ("No Credit: Reward Pending",
     "The transaction qualifies; the reward is pending and will be paid within 30 days of the purchase."),
    ("No Credit: Reward Received", "The reward for this transaction has already been paid to the customer."),
    ("Courtesy Credit", "As a one-off courtesy a credit of 5.00 has been applied to the customer's account."),
    ("", ""),  # Blank
]
NOT_ENOUGH_INFO = ("Not enough information to process this ticket. Please recreate it with the "
                   "expected and the observed behaviour.")
_FIELDS = {"sourceTicketId", "sourceCustomerId", "transactionIds", "offerId", "description", "authorEmailAddress"}


def _utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Ticket:
    source_ticket_id: str
    source_customer_id: int | str  # as submitted
    offer_id: int
    transaction_ids: list[int]
    description: str
    author_email: str | None
    cdlx_ticket_id: int
    created: datetime
    stage: int = 0  # 0 received, 1 processed, 2 closed
    error: str | None = None
    activation_date: str | None = None
    resolution_type: str | None = None
    cardlytics_response: str = ""
    solved: datetime | None = None
    redemption_ids: list[int] = field(default_factory=list)
    next_due: float = 0.0
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    events: list[dict] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.stage >= 2 or (self.stage == 1 and self.error is not None)

    def view(self) -> dict:
        """The Retrieve answer."""
        out: dict = {}
        if self.author_email is not None:
            out["authorEmailAddress"] = self.author_email
        out.update(cdlxTicketId=self.cdlx_ticket_id, sourceTicketId=self.source_ticket_id,
                   sourceCustomerId=prefixed_customer_id(self.source_customer_id),
                   status="Closed" if self.final else "In Process")
        if self.activation_date:
            out["activationDate"] = self.activation_date
        out["description"] = self.description
        if self.resolution_type:
            out["resolutionType"] = self.resolution_type
        out.update(cardlyticsResponse=self.cardlytics_response, offerId=self.offer_id,
                   transactionIds=list(self.transaction_ids), ticketCreatedDate=_utc(self.created))
        if self.solved is not None:
            out["ticketSolvedDate"] = _utc(self.solved)
        out["redemptionIds"] = list(self.redemption_ids)
        return out

    def base_event(self) -> dict:
        event = {"cdlxTicketId": self.cdlx_ticket_id, "sourceTicketId": self.source_ticket_id,
                 "sourceCustomerId": self.source_customer_id, "description": self.description,
                 "offerId": self.offer_id, "transactionIds": list(self.transaction_ids),
                 "institutionId": INSTITUTION_ID}
        if self.author_email is not None:
            event["authorEmailAddress"] = self.author_email
        return event


def validate_create(body: object) -> list[str]:
    """Field-level problems with a create body (empty when valid)."""
    if not isinstance(body, dict):
        return ["body: a JSON object is expected"]
    errors = [f"{key}: unknown field" for key in body if key not in _FIELDS]
    sid = body.get("sourceTicketId")
    if not isinstance(sid, str) or not sid.strip():
        errors.append("sourceTicketId: required, a non-empty string")
    elif len(sid) > 128 or "/" in sid:
        errors.append("sourceTicketId: at most 128 characters, no '/'")
    cid = body.get("sourceCustomerId")
    if not ((is_int(cid) and cid >= 0) or (isinstance(cid, str) and cid.strip())):
        errors.append("sourceCustomerId: required, an integer or a non-empty string")
    if not (is_int(body.get("offerId")) and body["offerId"] > 0):
        errors.append("offerId: required, a positive integer")
    tids = body.get("transactionIds")
    if not isinstance(tids, list):
        errors.append("transactionIds: required, a list of 1 to 10 integers")
    elif not tids:
        errors.append("transactionIds: at least 1 transaction id is required")
    elif len(tids) > 10:
        errors.append(f"transactionIds: at most 10 transaction ids are allowed (got {len(tids)})")
    elif not all(is_int(t) and t > 0 for t in tids):
        errors.append("transactionIds: every id must be a positive integer")
    elif len(set(tids)) != len(tids):
        errors.append("transactionIds: ids must be distinct")
    desc = body.get("description")
    if not isinstance(desc, str) or not desc.strip():
        errors.append("description: required, a non-empty string")
    email = body.get("authorEmailAddress")
    if email is not None and not (isinstance(email, str) and "@" in email and "." in email.split("@")[-1]):
        errors.append("authorEmailAddress: must be an e-mail address")
    return errors


class CardlyticsStore:
    def __init__(self, state) -> None:
        self.state = state
        self.tickets: dict[str, Ticket] = {}
        self.create_calls: dict[str, int] = {}
        self.rejected = 0
        self.duplicates = 0
        self.retrieves = 0
        self.deliveries: list[dict] = []
        self._next_cdlx = 111340

    # -- rules --------------------------------------------------------------------------------
    def check(self, t: Ticket) -> str | None:
        seed = self.state.seed
        customer = str(t.source_customer_id).lower()
        if customer not in {k.lower() for k in seed.customer_keys()}:
            return "Invalid customer Id"
        if t.offer_id not in seed.offer_ids():
            return "Invalid offer Id"
        for tid in t.transaction_ids:
            known = seed.transaction(tid)
            if known is not None and (str(known["sourceCustomerId"]).lower() != customer
                                      or known["offerId"] != t.offer_id):
                return "Invalid transaction Id"
        return None

    # -- lifecycle ----------------------------------------------------------------------------
    def create(self, body: dict) -> Ticket:
        loop = asyncio.get_running_loop()
        t = Ticket(source_ticket_id=body["sourceTicketId"], source_customer_id=body["sourceCustomerId"],
                   offer_id=body["offerId"], transaction_ids=list(body["transactionIds"]),
                   description=body["description"], author_email=body.get("authorEmailAddress"),
                   cdlx_ticket_id=self._next_cdlx, created=datetime.now(timezone.utc).replace(microsecond=0))
        self._next_cdlx += 1
        t.next_due = loop.time() + self.state.config.processing_delay
        self.tickets[t.source_ticket_id] = t
        self.state.spawn(self._run(t), name=f"cardlytics-{t.source_ticket_id}")
        return t

    def advance(self, t: Ticket) -> dict | None:
        """Apply the next step now; returns its update event (None when already final)."""
        if t.final:
            return None
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if t.stage == 0:
            t.stage = 1
            t.error = self.check(t)
            if t.error is not None:
                t.cardlytics_response = t.error
                t.solved = now
                event = {**t.base_event(), "processingStatus": "Error", "processingStatusMessage": t.error}
            else:
                seeded = self.state.seed.activation_date(str(t.source_customer_id), t.offer_id)
                t.activation_date = seeded or (t.created - timedelta(days=12, hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
                event = {**t.base_event(), "processingStatus": "Success", "status": "In Process"}
            t.next_due = asyncio.get_running_loop().time() + self.state.config.close_delay
        else:
            t.stage = 2
            t.solved = now
            if len(t.description.strip()) < 10:
                t.resolution_type, t.cardlytics_response = "", NOT_ENOUGH_INFO
            else:
                t.resolution_type, t.cardlytics_response = RESOLUTIONS[zlib.crc32(t.source_ticket_id.encode()) % 5]
            if t.resolution_type == "No Credit: Reward Received":
                t.redemption_ids = [880000000 + t.cdlx_ticket_id]
            event = {**t.base_event(), "processingStatus": "Success", "status": "Closed",
                     "resolutionType": t.resolution_type, "cardlyticsResponse": t.cardlytics_response}
        t.events.append(event)
        t.wakeup.set()
        return event

    async def _run(self, t: Ticket) -> None:
        loop = asyncio.get_running_loop()
        while not t.final:
            remaining = t.next_due - loop.time()
            if remaining > 0:
                t.wakeup.clear()
                try:
                    await asyncio.wait_for(t.wakeup.wait(), remaining)
                except TimeoutError:
                    pass
                continue
            event = self.advance(t)
            if event is not None:
                await self.deliver(event)

    async def _duplicate_event(self, body: dict) -> None:
        await asyncio.sleep(self.state.config.processing_delay)
        event = {k: body[k] for k in ("sourceTicketId", "sourceCustomerId", "offerId", "transactionIds",
                                       "description", "authorEmailAddress") if k in body}
        event.update(institutionId=INSTITUTION_ID, processingStatus="Error",
                     processingStatusMessage="Ticket already exists")
        await self.deliver(event)

    async def deliver(self, event: dict) -> dict | None:
        """POST one event to the webhook, retrying transport errors, 5xx, 408 and 429."""
        config = self.state.config
        url = config.webhook_url
        if not url:
            return None
        headers = {"X-Webhook-Secret": config.webhook_secret} if config.webhook_secret is not None else {}
        record = {"sourceTicketId": event.get("sourceTicketId"), "processingStatus": event.get("processingStatus"),
                  "status": event.get("status"), "attempts": 0, "result": "pending", "httpStatus": None}
        self.deliveries.append(record)
        delay = config.webhook_retry_delay
        for attempt in range(1, config.webhook_attempts + 1):
            record["attempts"] = attempt
            try:
                resp = await self.state.http().post(url, json=event, headers=headers)
            except httpx.HTTPError as exc:
                log.warning("webhook delivery attempt %d failed: %s", attempt, type(exc).__name__)
            else:
                record["httpStatus"] = resp.status_code
                if resp.is_success:
                    record["result"] = "delivered"
                    return record
                if resp.status_code < 500 and resp.status_code not in (408, 429):
                    record["result"] = "rejected"
                    log.warning("webhook rejected an event with HTTP %d", resp.status_code)
                    return record
            if attempt < config.webhook_attempts:
                await asyncio.sleep(delay)
                delay *= 2
        record["result"] = "failed"
        return record

    def stats(self) -> dict:
        return {"create_calls": dict(self.create_calls), "create_calls_total": sum(self.create_calls.values()),
                "tickets": len(self.tickets), "duplicates": self.duplicates, "rejected": self.rejected,
                "retrieves": self.retrieves, "webhook_deliveries": list(self.deliveries)}


# -- HTTP -----------------------------------------------------------------------------------------
def _store(request: Request) -> CardlyticsStore:
    return request.app.state.sandbox.cardlytics


def _unauthorized(request: Request) -> Response | None:
    if static_auth_ok(request, request.app.state.sandbox.config.cardlytics_auth):
        return None
    return JSONResponse({"message": "Unauthorized"}, status_code=401)


async def create_ticket(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    try:
        body = await read_json(request)
    except BadJson as exc:
        store.rejected += 1
        return JSONResponse({"message": str(exc)}, status_code=400)
    errors = validate_create(body)
    if errors:
        store.rejected += 1
        return JSONResponse({"message": errors[0], "errors": errors}, status_code=400)
    sid = body["sourceTicketId"]
    store.create_calls[sid] = store.create_calls.get(sid, 0) + 1
    if sid in store.tickets:
        store.duplicates += 1
        if store.state.config.duplicate_mode == "409":
            return JSONResponse({"message": "Ticket already exists"}, status_code=409)
        store.state.spawn(store._duplicate_event(body), name=f"cardlytics-duplicate-{sid}")
        return Response(status_code=202)
    store.create(body)
    return Response(status_code=202)


async def retrieve_ticket(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    store.retrieves += 1
    t = store.tickets.get(request.path_params["source_ticket_id"])
    if t is None or (t.error is not None and store.state.config.error_retrieve == "404"):
        return JSONResponse({"message": "Ticket not found"}, status_code=404)
    return JSONResponse(t.view())


def routes() -> list[Route]:
    return [
        Route("/tickets", create_ticket, methods=["POST"]),
        Route("/tickets/{source_ticket_id}", retrieve_ticket, methods=["GET"]),
    ]
