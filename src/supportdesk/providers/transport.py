"""The one way providers talk HTTP: client construction, auth, error mapping, retries."""

from __future__ import annotations

import asyncio
import email.utils
import importlib.util
import logging
import random
import sys
import time
import weakref
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import stamina
from pydantic import BaseModel, ValidationError

from supportdesk.providers.errors import (
    AuthFailed,
    NotFound,
    ProviderBug,
    ProviderError,
    Rejected,
    Transient,
    Unreachable,
)
from supportdesk.providers.redaction import (
    RedactingFilter,
    quiet_http_loggers,
    redact,
    register_secret,
    strip_queries,
)

log = logging.getLogger("supportdesk.providers")

M = TypeVar("M", bound=BaseModel)
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


def timeout_of(seconds: float | None) -> httpx.Timeout:
    """A configured timeout: `seconds` for an answer (read, write), at most 5 s to connect."""
    if seconds is None:
        return DEFAULT_TIMEOUT
    return httpx.Timeout(connect=min(5.0, seconds), read=seconds, write=seconds, pool=min(5.0, seconds))
_MAX_ERROR_TEXT = 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Few attempts, short total; the outbox retries later anyway. attempts=1: no retry."""

    attempts: int = 3
    timeout: float = 10.0  # total seconds across attempts
    wait_initial: float = 0.5
    wait_max: float = 4.0  # also the longest Retry-After honoured in-process


def _no_sniffio() -> None:
    """httpcore runs `import sniffio` for every lock, event and shield it sets up (several per
    request). Since anyio 4.11 sniffio is seldom installed and a failed import is not cached: each
    one stats sys.path, ~60 µs, tens of ms of loop time for 200 requests (encode/httpcore#1103).
    None in sys.modules makes it fail at once; httpcore then assumes asyncio, as it does anyway."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_no_sniffio()


def _import_anyio_backend() -> None:
    """What anyio imports lazily on the first request (20-70 ms with PySide6's import hook): here,
    while the services are built, rather than in the middle of the first upload or sync."""
    import anyio._backends._asyncio
    import anyio._core._sockets
    import anyio.abc
    import anyio.lowlevel
    import anyio.streams.tls
    import anyio.to_thread


class HttpBound:
    """A provider client over its one httpx client, which the health probe shares (same pool)."""

    _http: httpx.AsyncClient

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http


def build_http_client(
    base_url: str,
    *,
    auth: httpx.Auth | None = None,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    _import_anyio_backend()
    # Redirects are not followed: they would forward our auth header to another origin.
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        timeout=timeout or DEFAULT_TIMEOUT,
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": "Supportdesk"},
    )


class HeaderSecretAuth(httpx.Auth):
    """A static secret header, looked up on the first request (keyring may be slow)."""

    def __init__(self, header_name: str, get_secret: Callable[[], str | None]) -> None:
        self.header_name = header_name
        self._get_secret = get_secret
        self._value: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._value is None:
            self._value = self._get_secret() or ""
            register_secret(self._value)
        if self._value:
            request.headers[self.header_name] = self._value
        yield request

    def reset(self) -> None:
        """Forget the cached value (after the agent changed it)."""
        self._value = None

    def __repr__(self) -> str:
        return f"HeaderSecretAuth({self.header_name!r}, ***)"


# --- error mapping -----------------------------------------------------------------------

def answer_text(response: httpx.Response) -> str:
    """The provider's own words: a JSON message field, else the raw text (shortened)."""
    try:
        body = response.json()
    except Exception:
        body = None
    if isinstance(body, dict):
        for key in ("message", "description", "processingStatusMessage", "detail", "error",
                    "msg", "errorMessage", "error_description", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e) if isinstance(e, dict) else e)
                             for e in errors)
    return raw_text(response)


def raw_text(response: httpx.Response) -> str:
    """The answer's body as it came (shortened), or its status line when it has none."""
    text = response.text.strip() if response.content else ""
    if text:
        return text[:_MAX_ERROR_TEXT]
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


Describe = Callable[[httpx.Response], str]


def error_for_status(provider: str, response: httpx.Response,
                     describe: Describe | None = None) -> ProviderError | None:
    """None for 2xx; else the typed error for this answer (body must be read)."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    text = (describe or answer_text)(response)
    if status in (401, 403):
        return AuthFailed(provider, text, status=status)
    if status == 404:
        return NotFound(provider, text, status=status)
    if status in (408, 429) or status >= 500:
        return ProviderBug(provider, text, status=status, retry_after=_retry_after(response),
                           maybe_delivered=status not in (408, 429))
    if 300 <= status < 400:
        where = strip_queries(response.headers.get("Location", ""))
        return Rejected(provider, f"Unexpected redirect ({status}) to {where or 'nowhere'}",
                        status=status, hint="Check the provider's base URL in Settings.")
    if 400 <= status < 500:
        return Rejected(provider, text, status=status)
    return ProviderBug(provider, text, status=status, maybe_delivered=True)


# Exceptions raised before any byte could reach the provider.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


def transport_error(provider: str, exc: httpx.HTTPError) -> ProviderError:
    detail = strip_queries(redact(str(exc))) or type(exc).__name__
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return Rejected(provider, f"Invalid provider address: {detail}",
                        hint="Check the provider's base URL in Settings.")
    if isinstance(exc, httpx.TimeoutException):
        what = "Timed out connecting" if isinstance(exc, _NOT_SENT) else "Timed out waiting"
        return Unreachable(provider, f"{what} ({type(exc).__name__})",
                           maybe_delivered=not isinstance(exc, _NOT_SENT))
    if isinstance(exc, httpx.TransportError):
        return Unreachable(provider, f"Could not reach the provider ({type(exc).__name__}: "
                                     f"{detail})", maybe_delivered=not isinstance(exc, _NOT_SENT))
    return ProviderBug(provider, f"{type(exc).__name__}: {detail}", maybe_delivered=True)


# --- sending -----------------------------------------------------------------------------

MAX_IN_FLIGHT = 10
_gates: "weakref.WeakKeyDictionary[httpx.AsyncClient, asyncio.Semaphore]" = weakref.WeakKeyDictionary()


def _gate(http: httpx.AsyncClient) -> asyncio.Semaphore:
    """Few requests per client at once: with hundreds queued, httpcore's pool scans every
    connection for each one and stalls the event loop (100 ms measured with 200 at once)."""
    gate = _gates.get(http)
    if gate is None:
        gate = _gates[http] = asyncio.Semaphore(MAX_IN_FLIGHT)
    return gate


async def _send_once(http: httpx.AsyncClient, provider: str, method: str, url: str | httpx.URL,
                     stream: bool, describe: Describe | None,
                     kwargs: dict[str, Any]) -> httpx.Response:
    try:
        request = http.build_request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise transport_error(provider, exc) from None
    # Path only: queries carry secrets (offers) and customer data.
    shown = redact(str(request.url).partition("?")[0])
    started = time.monotonic()
    try:
        response = await http.send(request, stream=True)
    except httpx.HTTPError as exc:
        log.info("%s %s %s failed: %s", provider, method, shown, type(exc).__name__)
        # `from None`: httpx errors carry the request, and its URL may hold secrets.
        raise transport_error(provider, exc) from None
    log.debug("%s %s %s -> %s in %.0f ms", provider, method, shown, response.status_code,
              (time.monotonic() - started) * 1000)
    try:
        if not stream or not response.is_success:
            await response.aread()
    except httpx.HTTPError as exc:
        await response.aclose()
        raise transport_error(provider, exc) from None
    except BaseException:  # cancelled mid-body: give the connection back
        await response.aclose()
        raise
    if (error := error_for_status(provider, response, describe)) is not None:
        await response.aclose()
        log.info("%s %s %s answered %s: %s", provider, method, shown, response.status_code,
                 error.message)
        try:
            raise error
        finally:
            error = None  # else this frame, in the error's traceback, holds the error: a cycle
    return response


def _backoff_hook(policy: RetryPolicy) -> Callable[[Exception], bool | float]:
    failures = 0

    def hook(exc: Exception) -> bool | float:
        nonlocal failures
        if not isinstance(exc, Transient):
            return False
        failures += 1
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            # Longer than we wait in-process: give up now, the outbox comes back later.
            return float(retry_after) if retry_after <= policy.wait_max else False
        cap = min(policy.wait_max, policy.wait_initial * 2 ** (failures - 1))
        return random.uniform(0, cap)  # full jitter  # noqa: S311

    return hook


async def send(
    http: httpx.AsyncClient,
    provider: str,
    method: str,
    url: str | httpx.URL,
    *,
    retry: bool,
    policy: RetryPolicy | None = None,
    stream: bool = False,
    describe: Describe | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and return a 2xx response, or raise the typed error.

    retry=True only for idempotent (or idempotency-keyed) calls. With stream=True the
    caller must `aclose()` the response; the body of a 2xx is not read here. `describe`
    overrides how the provider's message is read from an error answer.
    """
    # The gate comes before any work: building a request and setting up the retries cost
    # ~0.2 ms, and 200 calls issued at once would otherwise all do it in one loop turn (~40 ms).
    # A request keeps its slot while it backs off: a struggling provider gets no more at once.
    async with _gate(http):
        policy = policy or RetryPolicy()
        if not retry or policy.attempts <= 1:
            return await _send_once(http, provider, method, url, stream, describe, kwargs)
        # The first attempt without stamina: its retry state is ~50 objects in reference cycles
        # per call, left for the garbage collector to sweep on the loop. A transient failure is
        # handed to stamina as its first attempt, so it decides on the retries as before.
        started = time.monotonic()
        try:
            return await _send_once(http, provider, method, url, stream, describe, kwargs)
        except Transient as exc:
            left = policy.timeout - (time.monotonic() - started)
            if left <= 0:  # the whole time spent on the first attempt: no retry, as stamina would
                raise
            failed: Transient | None = exc
        async for attempt in stamina.retry_context(
            on=_backoff_hook(policy), attempts=policy.attempts, timeout=left,
        ):
            with attempt:
                if failed is not None:
                    try:
                        raise failed
                    finally:
                        failed = None
                return await _send_once(http, provider, method, url, stream, describe, kwargs)
    raise AssertionError("unreachable")  # pragma: no cover


def json_body(provider: str, response: httpx.Response) -> Any:
    """The JSON of a 2xx answer; an unreadable one is the provider's bug."""
    try:
        return response.json()
    except ValueError:
        raise ProviderBug(provider, "The provider's answer is not valid JSON.",
                          status=response.status_code, maybe_delivered=True) from None


def parse_answer(provider: str, model: type[M], data: Any) -> M:
    """Validate an answer; a shape we cannot read is the provider's bug (inputs not shown)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise ProviderBug(provider, f"Unexpected answer from the provider: {where}: "
                                    f"{first['msg']}", maybe_delivered=True) from None


__all__ = [
    "DEFAULT_TIMEOUT",
    "HeaderSecretAuth",
    "RedactingFilter",
    "RetryPolicy",
    "build_http_client",
    "answer_text",
    "error_for_status",
    "json_body",
    "parse_answer",
    "quiet_http_loggers",
    "redact",
    "register_secret",
    "send",
    "transport_error",
]
