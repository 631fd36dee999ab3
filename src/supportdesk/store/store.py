"""The local cache's repositories over one Database."""

from __future__ import annotations

from pathlib import Path

from supportdesk.store.db import Database
from supportdesk.store.inbox import InboxQueries, TicketQuery, fts_query
from supportdesk.store.misc import DraftRepo, MetaRepo, RememberedRepo, WriteRepo
from supportdesk.store.outbox import OutboxRepo
from supportdesk.store.tickets import TicketRepo


class Store:
    def __init__(self, path: Path | None = None, *, db: Database | None = None,
                 inbox: InboxQueries | None = None) -> None:
        """Open the cache at `path`, or take over a Database (and its inbox) opened earlier."""
        if db is None:
            if path is None:
                raise TypeError("Store needs a path or a Database")
            db = Database(path)
        self.db = db
        self.inbox = inbox or InboxQueries(db)
        self.tickets = TicketRepo(self.db, self.inbox)
        self.outbox = OutboxRepo(self.db)
        self.writes = WriteRepo(self.db)
        self.drafts = DraftRepo(self.db)
        self.remembered = RememberedRepo(self.db)
        self.meta = MetaRepo(self.db)
        self.db.add_job(self.inbox.index_job)

    @property
    def recovery(self) -> str | None:
        return self.db.recovery

    def transaction(self):
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()


__all__ = ["Store", "TicketQuery", "fts_query"]
