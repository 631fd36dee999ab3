"""The sandbox's state: one object per app (app.state.sandbox), holding every provider's store."""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import httpx

from .cardlytics import CardlyticsStore
from .config import FAULT_KINDS, SandboxConfig
from .offers import OffersStore
from .radar import RadarStore
from .seed import build_seed
from .support_store import SupportStore
from .wasabi import WasabiStore

log = logging.getLogger(__name__)


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.seed = build_seed(config.seed)
        self._fault_rng = random.Random(config.seed * 7919 + 1)
        self.fault_counts: dict[str, int] = {kind: 0 for kind in FAULT_KINDS}
        self.stats_requests = 0
        self.tasks: set[asyncio.Task] = set()
        self._tmp: tempfile.TemporaryDirectory | None = None
        if config.files_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="supportdesk-sandbox-")
            self.files_dir = Path(self._tmp.name)
        else:
            self.files_dir = Path(config.files_dir)
            self.files_dir.mkdir(parents=True, exist_ok=True)
        self._http: httpx.AsyncClient | None = None
        self.cardlytics = CardlyticsStore(self)
        self.support = SupportStore(self)
        self.radar = RadarStore(self)
        self.offers = OffersStore(self)
        self.wasabi = WasabiStore()

    # -- faults ---------------------------------------------------------------------------------
    def pick_fault(self) -> str | None:
        rate = self.config.fault_rate
        if rate <= 0 or self._fault_rng.random() >= rate:
            return None
        return self._fault_rng.choice(self.config.fault_kinds)

    # -- background tasks -----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("sandbox background task %s failed", task.get_name(), exc_info=exc)

    def http(self) -> httpx.AsyncClient:
        """The client used for webhook deliveries (created on first use, on the server's loop)."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(5.0), follow_redirects=False)
        return self._http

    async def aclose(self) -> None:
        """Cancel background tasks, close the webhook client, remove a temporary files dir."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- views ----------------------------------------------------------------------------------
    def stats(self) -> dict:
        return {
            "requests": self.stats_requests,
            "faults": dict(self.fault_counts),
            "cardlytics": self.cardlytics.stats(),
            "support": self.support.stats(),
            "radar": self.radar.stats(),
            "offers_feedback": self.offers.stats(),
            "wasabi": self.wasabi.stats(),
        }
