"""Background coroutines on the qasync loop: kept referenced, their failures logged, never lost."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any, Callable, Coroutine

import shiboken6
from PySide6.QtCore import QObject

if TYPE_CHECKING:  # asyncio is imported once a task starts: not before the window's first paint
    import asyncio

log = logging.getLogger(__name__)

ErrorHandler = Callable[[str, BaseException], None]


def alive(obj: QObject | None) -> bool:
    """False once the C++ side of a Qt object is gone (a window closed during an await)."""
    return obj is not None and shiboken6.isValid(obj)


class TaskRunner:
    """Owns every task the window starts, so none is garbage-collected mid-flight or forgotten."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def __len__(self) -> int:
        return len(self._tasks)

    @staticmethod
    def loop_running() -> bool:
        """Whether an asyncio loop runs (not yet while the window paints its first frame)."""
        asyncio = sys.modules.get("asyncio")  # not imported means not running: don't import it
        if asyncio is None:
            return False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Start `coro` on the running loop; RuntimeError (and `coro` closed) if none runs."""
        import asyncio

        try:
            task = asyncio.get_running_loop().create_task(coro, name=name)
        except RuntimeError:
            coro.close()
            raise
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def running(self, name: str) -> bool:
        return any(t.get_name() == name and not t.done() for t in self._tasks)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        log.error("background task %s failed", task.get_name(), exc_info=exc)
        if self._on_error is not None:
            try:
                self._on_error(task.get_name(), exc)
            except Exception:
                log.exception("error handler failed")

    def cancel_all(self) -> list[asyncio.Task[Any]]:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks

    async def shutdown(self) -> None:
        tasks = self.cancel_all()
        if tasks:
            import asyncio

            await asyncio.gather(*tasks, return_exceptions=True)
