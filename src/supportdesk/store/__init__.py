"""The local cache: SQLite (WAL, synchronous=FULL), its repositories and the inbox's queries.

Names are imported on first use: the window opens `store.db` and `store.inbox` to paint its first
page before the records' models (pydantic) are imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supportdesk.store.inbox import TicketQuery, fts_query
    from supportdesk.store.store import Store

_WHERE = {"Store": "supportdesk.store.store", "TicketQuery": "supportdesk.store.inbox",
          "fts_query": "supportdesk.store.inbox"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'supportdesk.store' has no attribute {name!r}")


__all__ = ["Store", "TicketQuery", "fts_query"]
