"""The app's log: a rotating file under the data dir, every record through the redacting filter.

Kept apart from the composition root (app.py) so the window can log before the services exist.
"""

from __future__ import annotations

import logging
import logging.handlers

from supportdesk.config import Config
from supportdesk.providers.redaction import RedactingFilter, quiet_http_loggers


def setup_logging(config: Config, *, verbose: bool = False) -> None:
    """A rotating log under the data dir; every record passes the redacting filter."""
    quiet_http_loggers()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if any(getattr(h, "_supportdesk", False) for h in root.handlers):
        return
    try:
        config.log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            config.log_dir / "supportdesk.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._supportdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
