"""Background sync: on a timer and on demand (F5), as an asyncio task; never blocks the window.

Each run first probes the providers (a few hundred ms at most, no retries). With every ticket
provider unreachable it stops there: the outbox stays queued and the window says it is offline,
instead of spending the run on retries that cannot succeed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from supportdesk.models.ticket import parse_iso
from supportdesk.services.health import HealthService, ProviderHealth
from supportdesk.services.sync import SyncReport
from supportdesk.ui.tasks import TaskRunner, alive

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 60_000
IDLE_TIMEOUT = 5.0  # seconds the outbox drain waits for a retry before giving the loop back
# Unresolved tickets a window's sync refreshes: the 250 most recently updated and, in turn, 250
# of the older ones (the CLI's `sync` refreshes them all). Webhooks bring cardlytics changes anyway.
REFRESH_SHARE = 500


class SyncController(QObject):
    started = Signal()
    finished = Signal(object)  # SyncReport, or None when offline
    failed = Signal(str)
    healthChanged = Signal(object)  # ProviderHealth

    def __init__(self, services: Any, health: HealthService, tasks: TaskRunner,
                 parent: QObject | None = None, *, interval_ms: int = SYNC_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.services, self.health, self.tasks = services, health, tasks
        self.running = False
        self.runs = 0
        self.last_report: SyncReport | None = None
        self.last_sync: datetime | None = self._stored_last_sync()
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.sync_now)
        health.on_change(self._health_changed)

    def _stored_last_sync(self) -> datetime | None:
        try:
            return parse_iso(self.services.store.meta.get("last_sync"))
        except ValueError:
            return None

    def _health_changed(self, h: ProviderHealth) -> None:
        if alive(self):
            self.healthChanged.emit(h)

    @property
    def offline(self) -> bool:
        return self.health.all_offline()

    def start(self) -> None:
        """The first check right away (in the background), then every interval."""
        self.timer.start()
        self.sync_now()

    def stop(self) -> None:
        self.timer.stop()

    def sync_now(self) -> bool:
        if self.running:
            return False
        self.running = True
        self.started.emit()
        self.tasks.spawn(self._run(), "sync")
        return True

    async def _run(self) -> None:
        try:
            await self.health.probe_all()
            if self.health.all_offline():
                self._done(None)
                return
            report = await self.services.sync.run(idle_timeout=IDLE_TIMEOUT, refresh=True,
                                                  refresh_limit=REFRESH_SHARE)
        except Exception as exc:
            log.exception("sync failed")
            if alive(self):
                self.running = False
                self.failed.emit(f"Sync failed: {type(exc).__name__}: {exc}")
            return
        self._done(report)

    def _done(self, report: SyncReport | None) -> None:
        if not alive(self):
            return
        self.running = False
        self.runs += 1
        if report is not None:
            self.last_report = report
            self.last_sync = report.finished_at
        self.finished.emit(report)
