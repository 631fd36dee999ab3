"""`GET /` (the base URLs) and the test/control endpoints under /_sandbox (never faulted).

GET  /_sandbox/seed                         the demo data, credentials and rules (JSON)
GET  /_sandbox/stats                        counters for "delivered exactly once" checks
GET  /_sandbox/config                       the runtime settings (no secret values)
POST /_sandbox/config                       change runtime settings: {"fault_rate": 0.2, ...}
GET  /_sandbox/cardlytics/{id}              {"ticket": <Retrieve view>, "stage", "events": [...]}
POST /_sandbox/cardlytics/{id}/advance      apply the next update now, deliver its event, answer
                                            {"event", "delivery", "ticket"}; 409 when already final
POST /_sandbox/support/{id}/advance         next status now (id: ticketId, feedback id or Zendesk no.)
GET  /_sandbox/wasabi/events                the events the wasabi receiver stored
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import cardlytics, offers, radar, support, support_store
from .config import (DEMO_OFFERS_APIKEY, DEMO_OFFERS_CLIENTKEY, DEMO_OFFERS_CLIENTPASS, DEMO_RADAR_PASSWORD,
                     DEMO_RADAR_USERNAME, apply_runtime_changes)
from .httputil import BadJson, base_url, read_json
from .seed import FEEDBACK_TYPES, INSTITUTION_ID

HIDDEN = "<configured; not shown>"


def provider_urls(base: str) -> dict:
    return {
        "cardlytics": {"base_url": f"{base}/csaapi/v2"},
        "support": {"base_url": f"{base}/support/api"},
        "radar": {"base_url": f"{base}/radar"},
        "offers_feedback": {"base_url": f"{base}/offers/feedback"},
        "wasabi": {"base_url": f"{base}/wasabi", "post_url": f"{base}/wasabi/events"},
    }


async def root(request: Request) -> Response:
    return JSONResponse(provider_urls(base_url(request)))


def _shown(value: str, demo: str) -> str:
    """Demo values are public; anything else configured is a secret and is not shown."""
    return value if value == demo else HIDDEN


def _credentials(state) -> dict:
    c = state.config
    return {
        "radar": {"username": _shown(c.radar_username, DEMO_RADAR_USERNAME),
                  "password": _shown(c.radar_password, DEMO_RADAR_PASSWORD)},
        "offers_feedback": {"clientkey": _shown(c.offers_clientkey, DEMO_OFFERS_CLIENTKEY),
                            "clientpass": _shown(c.offers_clientpass, DEMO_OFFERS_CLIENTPASS),
                            "apikey": _shown(c.offers_apikey, DEMO_OFFERS_APIKEY),
                            "action": "user_feedback"},
        "cardlytics": {"auth_header": c.cardlytics_auth[0] if c.cardlytics_auth else None},
        "support": {"auth_header": c.support_auth[0] if c.support_auth else None},
        "webhook": {"header": "X-Webhook-Secret", "secret_set": c.webhook_secret is not None},
    }


async def seed(request: Request) -> Response:
    state = request.app.state.sandbox
    s = state.seed
    support_tickets = [{
        "feedbackId": t.feedback_id, "ticketId": t.core_id, "supportTicketId": t.zendesk_id, "uuid": t.uuid,
        "udid": t.udid, "email": t.email, "subject": t.subject, "category": t.category,
        "seededStatus": t.path[0], "hasLog": "LOG" in t.files, "hasPhoto": "FEEDBACK_PHOTO" in t.files,
    } for t in state.support.tickets[: len(s.support_tickets)]]
    users = [{k: u[k] for k in ("uuid", "udid", "name", "firstName", "lastName", "email", "phone",
                                "manufacturer", "model", "os")} for u in s.support_users]
    return JSONResponse({
        "credentials": _credentials(state),
        "cardlytics": {"institutionId": INSTITUTION_ID, "customers": s.cardlytics_customers, "offers": s.offers,
                       "transactions": s.transactions,
                       "resolutionTypes": [r for r, _ in cardlytics.RESOLUTIONS],
                       "errorMessages": ["Invalid customer Id", "Invalid offer Id", "Invalid transaction Id"],
                       "rules": cardlytics.__doc__},
        "support": {"users": users, "tickets": support_tickets,
                    "categories": sorted({t["category"] for t in s.support_tickets}), "rules": support.__doc__,
                    "progression": support_store.__doc__},
        "radar": {**s.radar, "rules": radar.__doc__},
        "offers_feedback": {"offers": [{"offer_code": o["offerCode"], "merchant": o["merchant"],
                                        "reward": o["reward"], "outlet_codes": o["outletCodes"]} for o in s.offers],
                            "feedback_types": FEEDBACK_TYPES, "bank_codes": ["NWB", "LBK", "MZO"],
                            "rules": offers.__doc__},
    })


async def stats(request: Request) -> Response:
    return JSONResponse(request.app.state.sandbox.stats())


async def get_config(request: Request) -> Response:
    return JSONResponse(request.app.state.sandbox.config.public_view())


async def post_config(request: Request) -> Response:
    state = request.app.state.sandbox
    try:
        changes = await read_json(request)
    except BadJson as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)
    if not isinstance(changes, dict):
        return JSONResponse({"message": "a JSON object of settings is expected"}, status_code=400)
    try:
        apply_runtime_changes(state.config, changes)
    except ValueError as exc:
        return JSONResponse({"message": str(exc)}, status_code=400)
    return JSONResponse(state.config.public_view())


def _cardlytics_ticket(request: Request):
    return request.app.state.sandbox.cardlytics.tickets.get(request.path_params["source_ticket_id"])


async def cardlytics_show(request: Request) -> Response:
    t = _cardlytics_ticket(request)
    if t is None:
        return JSONResponse({"message": "Ticket not found"}, status_code=404)
    return JSONResponse({"ticket": t.view(), "stage": ["received", "processed", "closed"][t.stage],
                         "processingError": t.error, "events": t.events})


async def cardlytics_advance(request: Request) -> Response:
    store = request.app.state.sandbox.cardlytics
    t = _cardlytics_ticket(request)
    if t is None:
        return JSONResponse({"message": "Ticket not found"}, status_code=404)
    event = store.advance(t)
    if event is None:
        return JSONResponse({"message": "Ticket is already final", "ticket": t.view()}, status_code=409)
    delivery = await store.deliver(event)
    return JSONResponse({"event": event, "delivery": delivery, "ticket": t.view()})


async def support_advance(request: Request) -> Response:
    store = request.app.state.sandbox.support
    key = request.path_params["ticket_id"]
    t = store.by_core.get(key) or store.by_feedback.get(key)
    t = t or next((x for x in store.tickets if x.zendesk_id == key), None)
    if t is None:
        return JSONResponse({"message": "Ticket not found"}, status_code=404)
    store.progress(t)
    moved = store.advance(t)
    return JSONResponse({"moved": moved, "ticketStatus": t.status, "record": store.record(t, base_url(request))})


async def wasabi_events(request: Request) -> Response:
    events = request.app.state.sandbox.wasabi.events
    return JSONResponse({"count": len(events), "events": events})


def routes() -> list[Route]:
    return [
        Route("/seed", seed, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),
        Route("/config", get_config, methods=["GET"]),
        Route("/config", post_config, methods=["POST"]),
        Route("/cardlytics/{source_ticket_id}", cardlytics_show, methods=["GET"]),
        Route("/cardlytics/{source_ticket_id}/advance", cardlytics_advance, methods=["POST"]),
        Route("/support/{ticket_id}/advance", support_advance, methods=["POST"]),
        Route("/wasabi/events", wasabi_events, methods=["GET"]),
    ]
