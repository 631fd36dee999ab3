"""The local cache: SQLite through sqlite-utils, one Store per thread."""

from __future__ import annotations

from pathlib import Path

from supportdesk.store.db import Database
from supportdesk.store.misc import DraftRepo, MetaRepo, RememberedRepo, WriteRepo
from supportdesk.store.outbox import OutboxRepo
from supportdesk.store.tickets import TicketQuery, TicketRepo, fts_query


class Store:
    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.tickets = TicketRepo(self.db)
        self.outbox = OutboxRepo(self.db)
        self.writes = WriteRepo(self.db)
        self.drafts = DraftRepo(self.db)
        self.remembered = RememberedRepo(self.db)
        self.meta = MetaRepo(self.db)
        self.db.add_job(self.tickets.index_job)

    @property
    def recovery(self) -> str | None:
        return self.db.recovery

    def transaction(self):
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()


__all__ = ["Store", "TicketQuery", "fts_query"]
