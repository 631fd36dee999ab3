"""offers_feedback: offer feedback (PROVIDERS.md section 5): `GET /offers/feedback?...`.

Every answer is HTTP 200 with a JSON object (the document promises "a Success/Error or missing
value message in JSON format"); checks, in this order:
  1. every parameter except comment is present and non-empty, in the documented order
     (action, clientkey, clientpass, apikey, user_id, user_latitude, user_longitude, feedback_type,
     offer_code, your_bank_code, outlet_code), else {"status": "error", "message": "Missing value: <name>"};
  2. action is `user_feedback` or `feedback`, else {"status": "error", "message": "Invalid action: <value>"};
  3. clientkey, clientpass and apikey all match the configured ones, else
     {"status": "error", "message": "Invalid credentials"} (HTTP 200, like the other errors);
  4. user_latitude is a number in [-90, 90] and user_longitude in [-180, 180], else
     {"status": "error", "message": "Invalid value: user_latitude must be a number between -90 and 90"};
  5. feedback_type is one of the seeded types (1 Merchant Declined, 2 Offer Expired,
     3 Cashback Not Applied, 4 Other), else {"status": "error", "message": "Invalid value: feedback_type ..."}.
Success: {"status": "success", "message": "Feedback recorded", "feedback_type": "<name>"}.
"""

from __future__ import annotations

import hmac
import math
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .seed import FEEDBACK_TYPES

PARAMS = ("action", "clientkey", "clientpass", "apikey", "user_id", "user_latitude", "user_longitude",
          "feedback_type", "comment", "offer_code", "your_bank_code", "outlet_code")
ACTIONS = ("user_feedback", "feedback")
SECRET_PARAMS = ("clientkey", "clientpass", "apikey")


def _number(text: str, low: float, high: float) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and low <= value <= high


class OffersStore:
    def __init__(self, state) -> None:
        self.state = state
        self.feedback: list[dict] = []
        self.counts = {"calls": 0, "rejected": 0}

    def check(self, q) -> str | None:
        for name in PARAMS:
            if name != "comment" and not q.get(name, "").strip():
                return f"Missing value: {name}"
        if q["action"] not in ACTIONS:
            return f"Invalid action: {q['action']}"
        config = self.state.config
        expected = (config.offers_clientkey, config.offers_clientpass, config.offers_apikey)
        if not all(hmac.compare_digest(q[n].encode(), e.encode()) for n, e in zip(SECRET_PARAMS, expected)):
            return "Invalid credentials"
        if not _number(q["user_latitude"], -90, 90):
            return "Invalid value: user_latitude must be a number between -90 and 90"
        if not _number(q["user_longitude"], -180, 180):
            return "Invalid value: user_longitude must be a number between -180 and 180"
        if q["feedback_type"].strip() not in FEEDBACK_TYPES:
            return f"Invalid value: feedback_type must be one of {', '.join(FEEDBACK_TYPES)}"
        return None

    def stats(self) -> dict:
        return {**self.counts, "feedback": [dict(f) for f in self.feedback]}


async def feedback(request: Request) -> Response:
    store: OffersStore = request.app.state.sandbox.offers
    store.counts["calls"] += 1
    q = request.query_params
    problem = store.check(q)
    if problem:
        store.counts["rejected"] += 1
        return JSONResponse({"status": "error", "message": problem})
    kind = FEEDBACK_TYPES[q["feedback_type"].strip()]
    store.feedback.append({  # never the three secrets
        "action": q["action"], "user_id": q["user_id"], "user_latitude": float(q["user_latitude"]),
        "user_longitude": float(q["user_longitude"]), "feedback_type": q["feedback_type"].strip(),
        "comment": q.get("comment", ""), "offer_code": q["offer_code"], "your_bank_code": q["your_bank_code"],
        "outlet_code": q["outlet_code"], "receivedAt": time.time(),
    })
    return JSONResponse({"status": "success", "message": "Feedback recorded", "feedback_type": kind})


def routes() -> list[Route]:
    return [Route("/offers/feedback", feedback, methods=["GET"])]
