"""radar: feedback invitations (PROVIDERS.md section 4), under /radar.

Login `POST /auth/login {username, password}` -> 200 {token, expiration (epoch seconds, float),
userName}; wrong credentials -> 401 {"code": "40100", "description": "Invalid username or password"}.
Tokens live `token_ttl` seconds.

Send `POST /invitation` with header `Authorization: <token>` (bare). 401 answers:
  40101 missing header; 40102 "Invalid token" (unknown, or sent as "Bearer <token>");
  40103 "Token expired".
400 answers, checked in this order (all recipients are checked before any invitation is made):
  40002 Content-Type is not application/json;
  40000 a mandatory attribute is missing or wrong (the description names it): clientDisplayId,
        programmeDisplayId, sendData, locationDisplayId, "email or mobile", a malformed email /
        mobile / id (ids must be alphanumeric), and pomDisplayId when the location has >= 2 POMs;
  40001 "No Feedback code found for this clientDisplayId, locationDisplayId, pomDisplayId &
        programmeDisplayId." for an unknown client, programme, location or POM, or a combination
        the seed does not link;
  40004 "To send an email invitation, the programme must set Postmark ID. Provide correct details
        & try again." for a recipient with an email on a programme without a Postmark ID;
  40005 a metadata key that does not match the programme's keys exactly.
Success -> 200 {"code": "00000", "description": "success", "data": "<id>"}: one invitation per
recipient, ids 846673197418938368 + n (beyond 2^53); `data` is the first recipient's id.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .httputil import BadJson, read_json

NO_FEEDBACK_CODE = ("No Feedback code found for this clientDisplayId, locationDisplayId, pomDisplayId "
                    "& programmeDisplayId.")
NO_POSTMARK = ("To send an email invitation, the programme must set Postmark ID. Provide correct details "
               "& try again.")
FIRST_INVITATION_ID = 846673197418938368
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9][0-9 ]{5,18}[0-9]$")


class RadarError(Exception):
    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def response(self) -> JSONResponse:
        return JSONResponse({"code": self.code, "description": self.description}, status_code=self.status)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class RadarStore:
    def __init__(self, state) -> None:
        self.state = state
        radar = state.seed.radar
        self.clients = {c["clientDisplayId"]: c for c in radar["clients"]}
        self.programmes = {p["programmeDisplayId"]: p for p in radar["programmes"]}
        self.locations = {loc["locationDisplayId"]: loc for loc in radar["locations"]}
        self.tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.invitations: list[dict] = []
        self.counts = {"logins": 0, "failed_logins": 0, "invitation_calls": 0, "rejected": 0}

    def login(self, username: str, password: str) -> dict:
        config = self.state.config
        ok_user = hmac.compare_digest(username.encode(), config.radar_username.encode())
        ok_pass = hmac.compare_digest(password.encode(), config.radar_password.encode())
        if not (ok_user and ok_pass):
            self.counts["failed_logins"] += 1
            raise RadarError(401, "40100", "Invalid username or password")
        expiration = round(time.time() + config.token_ttl, 3)
        header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        payload = _b64(json.dumps({"exp": int(expiration), "userName": username}).encode())
        token = f"{header}.{payload}.{_b64(secrets.token_bytes(32))}"
        self.tokens[token] = expiration
        self.counts["logins"] += 1
        return {"token": token, "expiration": expiration, "userName": username}

    def authorize(self, header: str | None) -> None:
        if not header:
            raise RadarError(401, "40101", "Authorization header is missing")
        expiry = self.tokens.get(header.strip())
        if expiry is None:  # also "Bearer <token>": the token must be sent bare
            raise RadarError(401, "40102", "Invalid token")
        if time.time() >= expiry:
            self.tokens.pop(header.strip(), None)
            raise RadarError(401, "40103", "Token expired")

    def _recipient(self, body: dict, r: object, i: int) -> dict:
        if not isinstance(r, dict):
            raise RadarError(400, "40000", f"sendData[{i}] must be an object")
        location_id = _id(r, "locationDisplayId", required=True, where=f"sendData[{i}].")
        pom_id = _id(r, "pomDisplayId", required=False, where=f"sendData[{i}].")
        email, mobile = r.get("email") or None, r.get("mobile") or None
        if email is None and mobile is None:
            raise RadarError(400, "40000", f"sendData[{i}]: email or mobile is mandatory")
        if email is not None and not (isinstance(email, str) and _EMAIL.match(email)):
            raise RadarError(400, "40000", f"sendData[{i}].email is not a valid e-mail address")
        if mobile is not None and not (isinstance(mobile, str) and _MOBILE.match(mobile)):
            raise RadarError(400, "40000", f"sendData[{i}].mobile is not a valid phone number")
        for key in ("firstName", "lastName"):
            if r.get(key) is not None and not isinstance(r[key], str):
                raise RadarError(400, "40000", f"sendData[{i}].{key} must be a string")
        client = self.clients.get(body["clientDisplayId"])
        programme = self.programmes.get(body["programmeDisplayId"])
        location = self.locations.get(location_id)
        if (client is None or programme is None or location is None
                or programme["clientDisplayId"] != client["clientDisplayId"]
                or location["clientDisplayId"] != client["clientDisplayId"]
                or location_id not in programme["locationDisplayIds"]):
            raise RadarError(400, "40001", NO_FEEDBACK_CODE)
        poms = [p["pomDisplayId"] for p in location["poms"]]
        if pom_id is None and len(poms) >= 2:
            raise RadarError(400, "40000", f"sendData[{i}].pomDisplayId is mandatory: the location has "
                                           f"{len(poms)} POMs")
        if pom_id is not None and pom_id not in poms:
            raise RadarError(400, "40001", NO_FEEDBACK_CODE)
        if email is not None and not programme["postmarkId"]:
            raise RadarError(400, "40004", NO_POSTMARK)
        metadata = r.get("metadata")
        if metadata is not None:
            if not isinstance(metadata, list):
                raise RadarError(400, "40000", f"sendData[{i}].metadata must be a list of {{key, value}}")
            for m in metadata:
                if not (isinstance(m, dict) and isinstance(m.get("key"), str) and isinstance(m.get("value"), str)):
                    raise RadarError(400, "40000", f"sendData[{i}].metadata entries need a string key and value")
                if m["key"] not in programme["metadataKeys"]:
                    raise RadarError(400, "40005", f"metadata key {m['key']!r} does not match the programme "
                                                   "settings (keys are case-sensitive)")
        return {"clientDisplayId": body["clientDisplayId"], "programmeDisplayId": body["programmeDisplayId"],
                "locationDisplayId": location_id, "pomDisplayId": pom_id or poms[0], "email": email,
                "mobile": mobile, "firstName": r.get("firstName"), "lastName": r.get("lastName"),
                "metadata": metadata or [], "channel": "email" if email else "sms"}

    def invite(self, body: object) -> str:
        if not isinstance(body, dict):
            raise RadarError(400, "40000", "The request body must be a JSON object")
        _id(body, "clientDisplayId", required=True)
        _id(body, "programmeDisplayId", required=True)
        send = body.get("sendData")
        if not isinstance(send, list) or not send:
            raise RadarError(400, "40000", "sendData is mandatory: a list with at least one recipient")
        made = [self._recipient(body, r, i) for i, r in enumerate(send)]
        ids = []
        for inv in made:
            inv["id"] = str(FIRST_INVITATION_ID + len(self.invitations) + 1)
            inv["createdAt"] = time.time()
            self.invitations.append(inv)
            ids.append(inv["id"])
        return ids[0]

    def stats(self) -> dict:
        return {**self.counts, "invitations": [dict(i) for i in self.invitations]}


def _id(obj: dict, key: str, required: bool, where: str = "") -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise RadarError(400, "40000", f"{where}{key} is mandatory")
        return None
    if not isinstance(value, str) or not _ALNUM.match(value):
        raise RadarError(400, "40000", f"{where}{key} must be alphanumeric")
    return value


def _json_content_type(request: Request) -> None:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise RadarError(400, "40002", "Content-Type must be application/json")


async def login(request: Request) -> Response:
    store: RadarStore = request.app.state.sandbox.radar
    try:
        _json_content_type(request)
        try:
            body = await read_json(request)
        except BadJson as exc:
            raise RadarError(400, "40000", str(exc)) from None
        if not isinstance(body, dict):
            raise RadarError(400, "40000", "The request body must be a JSON object")
        for key in ("username", "password"):
            if not isinstance(body.get(key), str) or not body[key]:
                raise RadarError(400, "40000", f"{key} is mandatory")
        return JSONResponse(store.login(body["username"], body["password"]))
    except RadarError as exc:
        return exc.response()


async def invitation(request: Request) -> Response:
    store: RadarStore = request.app.state.sandbox.radar
    store.counts["invitation_calls"] += 1
    try:
        store.authorize(request.headers.get("authorization"))
        _json_content_type(request)
        try:
            body = await read_json(request)
        except BadJson as exc:
            raise RadarError(400, "40000", str(exc)) from None
        invitation_id = store.invite(body)
    except RadarError as exc:
        store.counts["rejected"] += 1
        return exc.response()
    return JSONResponse({"code": "00000", "description": "success", "data": invitation_id})


def routes() -> list[Route]:
    return [Route("/auth/login", login, methods=["POST"]), Route("/invitation", invitation, methods=["POST"])]
