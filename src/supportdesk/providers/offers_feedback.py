"""Offers-feedback client: one GET with query parameters (PROVIDERS.md, section 5)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from supportdesk.models.offers_feedback import DEFAULT_ACTION, FeedbackAnswer, FeedbackRequest
from supportdesk.providers.errors import Rejected
from supportdesk.providers.redaction import register_secret
from supportdesk.providers.transport import HttpBound, RetryPolicy, parse_answer, raw_text, send

PROVIDER = "offers_feedback"
_FIELDS_HINT = "Check the feedback's fields (codes, position) and resubmit."


class OffersFeedbackClient(HttpBound):
    def __init__(self, http: httpx.AsyncClient, base_url: str, action: str,
                 get_clientkey: Callable[[], str], get_clientpass: Callable[[], str],
                 get_apikey: Callable[[], str], retry: RetryPolicy = RetryPolicy()) -> None:
        self._http = http
        self._base = httpx.URL(base_url)
        self._action = action or DEFAULT_ACTION
        self._secrets = (("clientkey", get_clientkey), ("clientpass", get_clientpass),
                         ("apikey", get_apikey))
        self._retry = retry

    def _url(self, req: FeedbackRequest) -> httpx.URL:
        query = {"action": self._action}
        for name, get in self._secrets:
            value = get() or ""
            register_secret(value)  # scrubbed from every log record and error from now on
            query[name] = value
        query |= req.to_query()
        # Merge with any query already in the base URL (ours win on a clash).
        return self._base.copy_merge_params(query)

    async def send(self, req: FeedbackRequest) -> FeedbackAnswer:
        # Not retried: each GET records one feedback.
        try:
            response = await send(self._http, PROVIDER, "GET", self._url(req), retry=False,
                                  policy=self._retry)
        except Rejected as exc:
            if type(exc) is Rejected and exc.hint == Rejected.default_hint:
                exc.hint = _FIELDS_HINT
            raise
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):  # "any other 200 is success" (PROVIDERS.md): its text says what
            text = raw_text(response) if response.content else ""
            body = {"message": text} if text else {}
        answer = parse_answer(PROVIDER, FeedbackAnswer, body)
        if answer.is_rejection:
            raise Rejected(PROVIDER, answer.message or "The feedback was refused.",
                           status=response.status_code, hint=_FIELDS_HINT)
        return answer
