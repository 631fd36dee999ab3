"""The inbox's reading thread: the count and the pages the view paints, read off the window's
thread and handed back to it as signals, one read at a time, the most recent ask first."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from supportdesk.store.inbox import InboxQueries, TicketQuery
from supportdesk.ui.tickets.pages import Plan, Row

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

WANTED = 8  # pages asked for and not read yet: beyond that the oldest ask (scrolled past) is dropped


class PageReader(QObject):
    counted = Signal(int)
    pageRead = Signal(object, object)  # (Plan, rows)
    _done = Signal(int, object, object)  # (generation, Plan | None for the count, Future), from the thread

    def __init__(self, inbox: InboxQueries, read: Callable[[Plan, TicketQuery], list[Row]],
                 plan: Callable[[int], Plan | None], parent: QObject | None = None) -> None:
        """`read` reads a page in the thread; `plan` says how to read a page when its turn comes
        (None: it is in memory by now)."""
        super().__init__(parent)
        self._inbox = inbox
        self._read = read
        self._plan = plan
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: Future[Any] | None = None
        self._wanted: list[int] = []  # pages to read, the most recent ask last
        self._count = False
        self._query = TicketQuery()
        self._generation = 0  # bumped whenever the list is replaced: late reads are dropped
        self._done.connect(self._arrived, Qt.ConnectionType.QueuedConnection)

    def start(self) -> ThreadPoolExecutor:
        """The thread, with its read connection. The window starts it once it has painted, so
        the first scroll does not wait for a thread, an import and a connection (250 ms once,
        while the disk was busy at start-up). Asks made before wait for it."""
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor  # not before the first paint

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-pages")
            self._pool.submit(self._inbox.db.one, "SELECT 1")
            self._pump()
        return self._pool

    def stop(self) -> None:
        self.reset(self._query)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    @property
    def busy(self) -> bool:
        """Something is being read, or waits to be."""
        return self._inflight is not None or bool(self._wanted) or self._count

    def reset(self, query: TicketQuery) -> None:
        """Another list: forget every ask, and drop what is on its way."""
        self._generation += 1
        self._query = query
        self._wanted.clear()
        self._count = False
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None

    def want_count(self) -> None:
        self._count = True
        self._pump()

    def want(self, page: int) -> None:
        if page in self._wanted:
            self._wanted.remove(page)
        self._wanted.append(page)
        del self._wanted[:-WANTED]
        self._pump()

    def _pump(self) -> None:
        """Start the next read: the count first, then the page asked for last."""
        if self._inflight is not None or self._pool is None:
            return
        generation, query = self._generation, self._query
        if self._count:
            self._count = False
            plan, job = None, (self._inbox.count, query)
        else:
            plan = None
            while self._wanted and (plan := self._plan(self._wanted.pop())) is None:
                pass
            if plan is None:
                return
            job = (self._read, plan, query)
        self._inflight = future = self._pool.submit(*job)
        future.add_done_callback(lambda f: self._post(generation, plan, f))

    def _post(self, generation: int, plan: Plan | None, future: Future[Any]) -> None:
        # On the reading thread: hand the result to the window's thread (queued), unless the
        # reader is gone meanwhile (the window closed).
        if shiboken6.isValid(self):
            try:
                self._done.emit(generation, plan, future)
            except RuntimeError:
                pass

    def _arrived(self, generation: int, plan: Plan | None, future: Future[Any]) -> None:
        if future is not self._inflight:
            return  # the reader stopped while this was read
        self._inflight = None
        if generation == self._generation:
            if (exc := future.exception()) is not None:  # the next paint asks again
                log.warning("reading the inbox (%s) failed: %s", plan or "count", exc)
            elif plan is None:
                self.counted.emit(future.result())
            else:
                self.pageRead.emit(plan, future.result())
        self._pump()
