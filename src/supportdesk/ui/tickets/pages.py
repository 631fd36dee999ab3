"""Which rows of the inbox are in memory, and how to read any other page of it.

The list is known by its count; its rows are read a page at a time. Every page read leaves its
first and last keys (sort value, id), so the next page down is read after the last key and the
one above before the first key: two index seeks however deep. A page far from any page read
yet (the scroll bar's thumb dragged) is read at its offset, which SQLite walks: the pages around
it then have keys again. Only the rows of the last `keep` pages used stay in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, NamedTuple

Key = tuple[Any, str]
Row = tuple


class Plan(NamedTuple):
    """How to read one page: after a key, before a key, or at an offset."""
    page: int
    after: Key | None = None
    before: Key | None = None
    offset: int = 0


class PageMap:
    def __init__(self, page_size: int, keep: int, key: Callable[[Row], Key]) -> None:
        self.size = page_size
        self.keep = max(2, keep)
        self._key = key
        self._rows: OrderedDict[int, list[Row]] = OrderedDict()
        self._first: dict[int, Key] = {}
        self._last: dict[int, Key] = {}
        self.stale: set[int] = set()  # kept pages to re-read (by id) before they are shown again

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, page: int) -> bool:
        return page in self._rows

    def items(self) -> list[tuple[int, list[Row]]]:
        return list(self._rows.items())

    def seen(self, page: int) -> bool:
        """This page was read before (its rows may have been dropped since)."""
        return page in self._first

    def get(self, page: int) -> list[Row] | None:
        rows = self._rows.get(page)
        if rows is not None:
            self._rows.move_to_end(page)
        return rows

    def put(self, page: int, rows: list[Row]) -> None:
        self._rows[page] = rows
        self._rows.move_to_end(page)
        self.stale.discard(page)
        if rows:
            self._first[page] = self._key(rows[0])
            self._last[page] = self._key(rows[-1])
        while len(self._rows) > self.keep:
            dropped, _ = self._rows.popitem(last=False)
            self.stale.discard(dropped)

    def plan(self, page: int) -> Plan:
        if page == 0:
            return Plan(0)
        if (after := self._last.get(page - 1)) is not None:
            return Plan(page, after=after)
        if (before := self._first.get(page + 1)) is not None:
            return Plan(page, before=before)
        return Plan(page, offset=page * self.size)

    def clear(self) -> None:
        self._rows.clear()
        self._first.clear()
        self._last.clear()
        self.stale.clear()
