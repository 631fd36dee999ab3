"""Logging filters for the server the sandbox runs in.

- Intentional connection drops (faults.DroppedConnection) are not logged as application errors.
- The access log never shows the offers_feedback secrets (clientkey, clientpass, apikey), which
  travel in the query string.
"""

from __future__ import annotations

import logging

from supportdesk.providers.redaction import redact

from .faults import DroppedConnection


class DropLogFilter(logging.Filter):
    """Hide the server's traceback for intentional drops (and nothing else)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


class RedactQueryFilter(logging.Filter):
    """Mask secret query parameters in access-log records (the desk's own redaction)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_log_filters() -> None:
    """Idempotent: attach the filters to uvicorn's loggers."""
    for name, kind in (("uvicorn.error", DropLogFilter), ("uvicorn.access", RedactQueryFilter)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
