"""Radar feedback-invitation client with its token holder (PROVIDERS.md, section 4)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import httpx

from supportdesk.models.radar import (
    InvitationAnswer,
    InvitationRequest,
    LoginAnswer,
    hint_for,
)
from supportdesk.providers.errors import AuthFailed, NotFound, Rejected
from supportdesk.providers.redaction import register_secret
from supportdesk.providers.transport import (
    HttpBound,
    RetryPolicy,
    json_body,
    parse_answer,
    raw_text,
    send,
)

PROVIDER = "radar"
log = logging.getLogger("supportdesk.providers.radar")

_JSON = {"Content-Type": "application/json"}  # the document requires it on every call
_CREDENTIALS_HINT = "Check the radar username and password in Settings."
_FIELDS_HINT = "Check the invitation's ids and recipient, then resubmit."
_UNREADABLE_HINT = ("Radar may have sent it anyway: check with Radar before resubmitting, so the "
                    "customer is not invited twice.")


class TokenHolder:
    """Logs in lazily, refreshes shortly before expiry; concurrent callers share one login."""

    REFRESH_MARGIN = 60.0  # seconds before `expiration`
    DEFAULT_TTL = 3600.0  # the document: valid 60 minutes

    def __init__(self, login: Callable[[], Awaitable[LoginAnswer]],
                 clock: Callable[[], float] = time.time) -> None:
        self._login = login
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.logins = 0  # how many logins this holder made (status bar, tests)

    def _valid(self) -> bool:
        return self._token is not None and self._clock() < self._refresh_at

    async def get(self) -> str:
        if self._valid():
            return self._token  # type: ignore[return-value]
        async with self._lock:
            if self._valid():  # someone else logged in while we waited
                return self._token  # type: ignore[return-value]
            return await self._renew()

    async def renew(self) -> str:
        async with self._lock:
            return await self._renew()

    async def _renew(self) -> str:
        answer = await self._login()
        self.logins += 1
        register_secret(answer.token)
        now = self._clock()
        expires = answer.expiration
        if expires is None or expires <= now:
            # Missing, or in the past by our clock (skew): trust the documented lifetime.
            expires = now + self.DEFAULT_TTL
        # Short-lived tokens (a sandbox knob) refresh at half-life instead.
        margin = min(self.REFRESH_MARGIN, (expires - now) / 2)
        self._token, self._refresh_at = answer.token, expires - margin
        return answer.token

    def invalidate(self, token: str) -> None:
        """Forget `token` unless a newer one already replaced it."""
        if self._token == token:
            self._token = None


def _describe(response: httpx.Response) -> str:
    # PROVIDERS.md: show `description` if present, else the raw text.
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("description"), str) \
            and body["description"].strip():
        return body["description"].strip()
    return raw_text(response)


class RadarClient(HttpBound):
    def __init__(self, http: httpx.AsyncClient, username: str, get_password: Callable[[], str],
                 retry: RetryPolicy = RetryPolicy(),
                 clock: Callable[[], float] = time.time) -> None:
        self._http = http
        self._username = username
        self._get_password = get_password
        self._retry = retry
        self.tokens = TokenHolder(self._login, clock)

    async def login(self) -> None:
        """Log in now (Settings' "test connection"); the token is kept for later calls."""
        await self.tokens.renew()

    async def send_invitation(self, req: InvitationRequest) -> str:
        """Send one invitation and return its id (text: ids exceed 2^53)."""
        token = await self.tokens.get()
        try:
            return await self._send(req, token)
        except AuthFailed as exc:
            if exc.status != 401:
                raise
        # The token died early: log in again once and replay (401 means nothing was sent).
        self.tokens.invalidate(token)
        token = await self.tokens.get()
        try:
            return await self._send(req, token)
        except AuthFailed as exc:
            exc.hint = _CREDENTIALS_HINT
            raise

    async def _send(self, req: InvitationRequest, token: str) -> str:
        try:
            response = await send(self._http, PROVIDER, "POST", "/invitation", retry=False,
                                  policy=self._retry, describe=_describe,
                                  json=req.to_wire(), headers={**_JSON, "Authorization": token})
        except Rejected as exc:
            if not isinstance(exc, (AuthFailed, NotFound)):
                exc.hint = hint_for(exc.message) or _FIELDS_HINT
            raise
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # A 200 whose code is not "00000" is a rejection (PROVIDERS.md); resending it
            # could invite the customer twice.
            raise Rejected(PROVIDER, f"Radar's answer carries no code: {raw_text(response)}",
                           status=response.status_code, hint=_UNREADABLE_HINT)
        answer = parse_answer(PROVIDER, InvitationAnswer, body)
        if not answer.is_success:
            text = answer.description or f"Radar answered code {answer.code or '(none)'}."
            raise Rejected(PROVIDER, text, status=response.status_code,
                           hint=hint_for(text) or _FIELDS_HINT)
        if answer.data is None:
            # Sent, but no id came back: do not fail (a resend would invite twice).
            log.warning("radar accepted an invitation without returning its id")
            return ""
        return answer.data

    async def _login(self) -> LoginAnswer:
        password = self._get_password() or ""
        register_secret(password)
        try:
            response = await send(
                self._http, PROVIDER, "POST", "/auth/login", retry=True, policy=self._retry,
                describe=_describe, headers=_JSON,
                json={"username": self._username, "password": password},
            )
        except Rejected as exc:
            if exc.status in (400, 401, 403):
                raise AuthFailed(PROVIDER, exc.message, status=exc.status,
                                 hint=_CREDENTIALS_HINT) from None
            raise
        return parse_answer(PROVIDER, LoginAnswer, json_body(PROVIDER, response))
