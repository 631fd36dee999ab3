"""Keep secrets out of log records and error messages.

Secret *values* are registered as they are looked up (lazily, by the clients), so a
password or key is scrubbed even where no pattern would recognise it. The registry is
process-wide on purpose: a logging filter has no other way to learn the values.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from typing import NamedTuple

MASK = "***"
_MIN_SECRET_LEN = 4  # shorter values would mangle ordinary text

_secrets: set[str] = set()
_lock = threading.Lock()

_QUERY_NAMES = (r"clientkey|clientpass|apikey|api_key|api-key|password|passwd|token|"
                r"access_token|auth_token|secret")


class _Patterns(NamedTuple):
    query: re.Pattern[str]  # name=value in a query string or form body
    json_pair: re.Pattern[str]  # "name": "value" in JSON or a repr
    header: re.Pattern[str]  # header lines: "Authorization: Bearer abc", "X-Api-Key: abc"
    url_query: re.Pattern[str]  # a URL's query string


@cache
def _patterns() -> _Patterns:
    """Compiled on first use: the window's log is set up before its first paint (~2 ms)."""
    return _Patterns(
        re.compile(rf"(?i)(?<![A-Za-z0-9_])({_QUERY_NAMES})=([^&\s#'\"]*)"),
        re.compile(rf"(?i)([\"'](?:{_QUERY_NAMES}|authorization|x-api-key|x-webhook-secret)[\"']\s*:\s*)"
                   r"([\"'])(.*?)(?<!\\)\2"),
        re.compile(r"(?im)\b(authorization|proxy-authorization|cookie|set-cookie|"
                   r"x-[a-z0-9-]*(?:key|token|secret|auth)[a-z0-9-]*)(\s*:\s*)([^\r\n]+)"),
        re.compile(r"(?i)\b(https?://[^\s?#'\"]+)\?[^\s#'\"]*"),
    )


def register_secret(value: str | None) -> None:
    """Scrub this exact value from everything `redact` sees from now on."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """The text with query secrets, secret headers and registered secret values masked."""
    out = text if isinstance(text, str) else str(text)
    with _lock:
        values = sorted(_secrets, key=len, reverse=True)
    for value in values:
        if value in out:
            out = out.replace(value, MASK)
    p = _patterns()
    out = p.query.sub(lambda m: f"{m.group(1)}={MASK}" if m.group(2) else m.group(0), out)
    out = p.json_pair.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", out)
    return p.header.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", out)


def strip_queries(text: str) -> str:
    """Drop every URL's query string (for messages shown to agents)."""
    return _patterns().url_query.sub(r"\1?…", text)


class RedactingFilter(logging.Filter):
    """Apply `redact` to a record's message and traceback text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_HTTP_LOGGERS = ("httpx", "httpcore", "hpack")


def quiet_http_loggers() -> None:
    """httpx logs every URL at INFO (queries included): keep it at WARNING, and redacted."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
