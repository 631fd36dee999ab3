"""wasabi: a receiver for customer-care-ticket events (PROVIDERS.md section 2), under /wasabi.

`POST /wasabi/events` takes a JSON array of events; every event is checked against the document's
schema (with the fixes PROVIDERS.md lists), RFC 3339 date-times with an offset, and eventType
"CUSTOMER_CARE_TICKET" (the value the prose names; the schema only says "a string"). One bad event
rejects the whole batch: 400 {"message": "event 0: body.customerId must be a string", "errors": [...]}.
A good batch is stored and answered 200 {"accepted": n}. `GET /wasabi/events` lists what was stored.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .httputil import BadJson, read_json

EVENT_TYPE = "CUSTOMER_CARE_TICKET"
ACTIONS = ("CREATED", "UPDATED")
STATUSES = ("OPEN", "IN_PROGRESS", "RESOLVED")
ORDER_REASONS = ("WRONG_PRODUCT", "PRODUCT_QUALITY", "WRONG_CHARGE", "REQUEST_REFUND", "LATE_DELIVERY",
                 "MISSED_DELIVERY", "DAMAGED_DELIVERY")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def is_rfc3339(value: Any) -> bool:
    if not isinstance(value, str) or not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _reason_errors(reason: Any) -> list[str]:
    if not isinstance(reason, dict):
        return ["body.reason must be an object"]
    kind = reason.get("type")
    if kind in ORDER_REASONS:
        if "orderIds" in reason and not _strings(reason["orderIds"]):
            return ["body.reason.orderIds must be a list of strings"]
    elif kind == "CANCELLATION":
        if not _strings(reason.get("subscriptionContractIds")):
            return ["body.reason.subscriptionContractIds is required: a list of strings"]
    elif kind == "SUBJECT_ACCESS_REQUEST":
        if "subtype" in reason and not isinstance(reason["subtype"], str):
            return ["body.reason.subtype must be a string"]
    else:
        return [f"body.reason.type {kind!r} is not a known reason"]
    return []


def event_errors(event: Any) -> list[str]:
    """Schema problems with one event (empty when valid)."""
    if not isinstance(event, dict):
        return ["must be an object"]
    errors = [f"{key} is required" for key in ("eventType", "eventAction", "version", "body") if key not in event]
    if "eventType" in event and event["eventType"] != EVENT_TYPE:  # stricter than the schema: PROVIDERS.md
        errors.append(f"eventType must be {EVENT_TYPE!r}")
    if "eventAction" in event and event["eventAction"] not in ACTIONS:
        errors.append(f"eventAction must be one of {', '.join(ACTIONS)}")
    if "version" in event and not _number(event["version"]):
        errors.append("version must be a number")
    body = event.get("body")
    if "body" in event and not isinstance(body, dict):
        errors.append("body must be an object")
    if not isinstance(body, dict):
        return errors
    for key in ("ticketId", "customerId", "status", "createdAt", "updatedAt"):
        if key not in body:
            errors.append(f"body.{key} is required")
    for key in ("ticketId", "customerId", "ticketOrigin"):
        if key in body and not isinstance(body[key], str):
            errors.append(f"body.{key} must be a string")
    if "status" in body and body["status"] not in STATUSES:
        errors.append(f"body.status must be one of {', '.join(STATUSES)}")
    for key in ("createdAt", "updatedAt", "resolvedAt"):
        if key in body and not is_rfc3339(body[key]):
            errors.append(f"body.{key} must be an RFC 3339 date-time with an offset")
    if "firstReplyTimeInMinutes" in body and not _number(body["firstReplyTimeInMinutes"]):
        errors.append("body.firstReplyTimeInMinutes must be a number")
    if "tags" in body and not _strings(body["tags"]):
        errors.append("body.tags must be a list of strings")
    if "reason" in body:
        errors += _reason_errors(body["reason"])
    return errors


class WasabiStore:
    def __init__(self) -> None:
        self.events: list[dict] = []
        self.counts = {"posts": 0, "rejected": 0}

    def stats(self) -> dict:
        return {**self.counts, "events": len(self.events)}


async def post_events(request: Request) -> Response:
    store: WasabiStore = request.app.state.sandbox.wasabi
    store.counts["posts"] += 1
    try:
        batch = await read_json(request)
    except BadJson as exc:
        store.counts["rejected"] += 1
        return JSONResponse({"message": str(exc)}, status_code=400)
    if not isinstance(batch, list):
        store.counts["rejected"] += 1
        return JSONResponse({"message": "a JSON array of events is expected"}, status_code=400)
    errors = [f"event {i}: {e}" for i, ev in enumerate(batch) for e in event_errors(ev)]
    if errors:
        store.counts["rejected"] += 1
        return JSONResponse({"message": errors[0], "errors": errors}, status_code=400)
    store.events.extend(batch)
    return JSONResponse({"accepted": len(batch)})


async def list_events(request: Request) -> Response:
    store: WasabiStore = request.app.state.sandbox.wasabi
    return JSONResponse({"count": len(store.events), "events": store.events})


def routes() -> list[Route]:
    return [Route("/events", post_events, methods=["POST"]), Route("/events", list_events, methods=["GET"])]
