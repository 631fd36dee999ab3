"""The app's log: a rotating file under the data dir, every record through the redacting filter.

Kept apart from the composition root (app.py) so the window can log before the services exist.
"""

from __future__ import annotations

import logging
from pathlib import Path

from supportdesk.config import Config
from supportdesk.providers.redaction import RedactingFilter, quiet_http_loggers

MAX_BYTES = 5_000_000
BACKUPS = 3


class LogFile(logging.Handler):
    """A RotatingFileHandler opened at the first record, so that logging.handlers (sockets,
    pickle, queues: ~4 ms) is not imported before the window's first paint."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def _open(self) -> logging.Handler:
        if self._file is None:
            import logging.handlers

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = logging.handlers.RotatingFileHandler(
                    self.path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
            except OSError:  # an unwritable data dir: the desk runs without its log
                self._file = logging.NullHandler()
            self._file.setFormatter(self.formatter)
        return self._file

    def emit(self, record: logging.LogRecord) -> None:
        self._open().emit(record)  # under this handler's lock: records stay in order

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging(config: Config, *, verbose: bool = False) -> None:
    """A rotating log under the data dir; every record passes the redacting filter."""
    quiet_http_loggers()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if any(isinstance(h, LogFile) for h in root.handlers):
        return
    handler = LogFile(config.log_dir / "supportdesk.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
