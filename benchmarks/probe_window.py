"""Probes that run in their own process (the "window process"), driven by benchmarks/run.py.

Each prints one JSON line on stdout and exits. Run under QT_QPA_PLATFORM=offscreen.

    python -m benchmarks.probe_window bare
    python -m benchmarks.probe_window floor
    python -m benchmarks.probe_window scroll  --data-dir DIR [--no-sorts]
    python -m benchmarks.probe_window network --data-dir DIR --sandbox URL --file F --feedback-id ID

`bare` and `floor` report the monotonic clock at the first paint of the window, so the parent
can measure from before it started the process (the desk itself, `supportdesk gui`, writes the
same clock to its log; see run.py's desk_first_paint). `scroll` opens the real MainWindow on a cache,
drags the inbox to the bottom a page at a time, jumps to random rows, sorts by every column and
drags down again (5 pages a step), timing every step and the event loop's stalls, and reports the
process's resident memory after the first scroll. `network`
opens the real MainWindow with providers pointed at a sandbox running in another process and
measures event-loop lateness with a 5 ms timer during an upload alone and during 200 concurrent
provider calls plus the same upload.
"""

from __future__ import annotations

import time

T_START = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def emit(**values: object) -> None:
    print(json.dumps(values), flush=True)


def clean_uploads(folder: Path | None) -> None:
    """Delete what the sandbox stored of earlier uploads: every upload, curl's and ours, starts
    from the same state (with 1.5 GB of earlier uploads kept, both took three times as long)."""
    for p in folder.rglob("*") if folder else ():
        if p.is_file() and p.stat().st_size > 10 * 2**20:
            p.unlink()


def _noting_first_paint(base: type, app: object) -> tuple[type, list[float]]:
    """A subclass of the widget class `base` that notes the monotonic time of its first paint
    and quits the app: what the desk's MainWindow does. (An event filter saw every event of the
    window before that and made PySide build a Python type for each kind: ~1.5 ms in either.)"""
    painted: list[float] = []

    class Noting(base):  # type: ignore[misc, valid-type]
        def paintEvent(self, event):  # noqa: N802, ANN001
            if not painted:
                painted.append(time.monotonic())
                app.quit()
            super().paintEvent(event)

    return Noting, painted


def offline_config(data_dir: Path, settings: dict | None = None):
    from supportdesk.config import Config, Secrets

    return Config(profile="bench", data_dir=data_dir, config_path=None, settings=settings or {},
                  secrets=Secrets("bench", env={}))


# --- first paint ---------------------------------------------------------------------------

def probe_bare() -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    window, painted = _noting_first_paint(QWidget, app)
    w = window()
    w.resize(1360, 860)
    w.setWindowTitle("bare")
    w.show()
    app.exec()
    emit(start=T_START, painted=painted[0])


def probe_floor() -> None:
    """What any main window of the desk's shape costs in PySide6, with no app code at all: a menu
    bar, a toolbar, a search row, a 200-row table and a status bar (the ratio's floor)."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QApplication, QComboBox, QHBoxLayout, QLabel, QLineEdit, QMainWindow, QSplitter, QStatusBar,
        QTableView, QToolBar, QVBoxLayout, QWidget,
    )

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: N802, ANN001, B008
            return 200

        def columnCount(self, parent=QModelIndex()):  # noqa: N802, ANN001, B008
            return 7

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001
            return f"cell {index.row()}:{index.column()}" if role == Qt.ItemDataRole.DisplayRole else None

    app = QApplication(sys.argv[:1])
    window, painted = _noting_first_paint(QMainWindow, app)
    w = window()
    w.resize(1360, 860)
    inbox = QWidget()
    column = QVBoxLayout(inbox)
    row = QHBoxLayout()
    for widget in (QLineEdit(), QComboBox(), QComboBox(), QLabel("0 tickets")):
        row.addWidget(widget)
    column.addLayout(row)
    table = QTableView()
    model = Model()
    table.setModel(model)
    column.addWidget(table)
    split = QSplitter()
    split.addWidget(inbox)
    split.addWidget(QLabel("detail"))
    w.setCentralWidget(split)
    bar = QToolBar()
    for i in range(5):
        bar.addAction(QAction(f"Action {i}", w))
        w.menuBar().addMenu(f"Menu {i}").addAction(QAction("Item", w))
    w.addToolBar(bar)
    w.setStatusBar(QStatusBar())
    w.show()
    app.exec()
    emit(start=T_START, painted=painted[0])


# --- scrolling and sorting -------------------------------------------------------------------

def probe_scroll(data_dir: Path, sorts: bool, stride: int = 5, jumps: int = 40) -> None:
    import asyncio
    import random

    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    from supportdesk.app import build_services
    from supportdesk.ui.launch import make_app
    from supportdesk.ui.main_window import MainWindow
    from supportdesk.ui.tickets.model import COLUMNS

    app, theme = make_app()
    app.setQuitOnLastWindowClosed(False)  # as run_gui: the window's close ends the run
    services = build_services(offline_config(data_dir))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    out: dict[str, object] = {}

    async def main() -> None:
        from supportdesk.ui.launch import _settle_heap

        window = MainWindow(services, theme=theme)
        window.show()
        await asyncio.sleep(0.05)
        _settle_heap()  # as run_gui does once the window is up
        gcp = _GcPauses()
        late = _Lateness()
        model = window.model
        table = window.inbox.table
        rss_before = rss_mb()
        slow: list[dict[str, object]] = []
        top = QAbstractItemView.ScrollHint.PositionAtTop

        async def settle() -> None:
            while model.reading:  # the count or a page is read in the background; the loop runs on
                await asyncio.sleep(0.001)
            await asyncio.sleep(0)  # and the repaint for it

        async def step(kind: str, times: list[float], action) -> None:  # noqa: ANN001
            """One step as the agent makes it (a drag of the scroll bar, a header click): the
            view scrolls or resets and paints, rows not read yet blank; then their page arrives
            from the reading thread and is painted. The step's own time is one figure; the
            loop's lateness meanwhile (the page's arrival and repaint) is the other."""
            t, cpu, g = time.perf_counter(), time.thread_time(), gcp.total
            action()
            await asyncio.sleep(0)  # the paint (never processEvents here)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            if ms > 16:  # what a slow step was: CPU or waiting; a GC pass
                slow.append({"ms": round(ms, 1), "cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
                             "kind": kind, "row": table.rowAt(0),
                             "gc_ms": round((gcp.total - g) * 1000, 1)})
            await settle()

        def stalls(kind: str, times: list[float]) -> None:
            times.append(late.worst * 1000)
            if late.worst * 1000 > 16:
                slow.append({"ms": round(late.worst * 1000, 1), "cpu_ms": round(late.worst_cpu * 1000, 1),
                             "kind": f"loop stall ({kind})"})

        async def scroll_to_bottom(pages_per_step: int) -> list[float]:
            """Down the whole list, `pages_per_step` pages a drag."""
            times: list[float] = []
            await settle()
            late.start()
            for row in range(0, model.rowCount(), model.page_size * pages_per_step):
                await step("drag", times, lambda row=row: table.scrollTo(model.index(row, 0), top))
            await step("drag", times, table.scrollToBottom)
            late.stop()
            stalls("scroll", times)
            return times

        await settle()
        t0 = time.perf_counter()
        pages = await scroll_to_bottom(1)
        out["scroll_s"] = time.perf_counter() - t0
        out["rows"] = model.rowCount()
        out["pages"] = len(pages)
        out["page_worst_ms"] = max(pages, default=0.0)
        out["page_p99_ms"] = sorted(pages)[int(len(pages) * 0.99)] if pages else 0.0
        out["rss_before_mb"] = rss_before
        out["rss_after_scroll_mb"] = rss_mb()
        # The thumb dragged anywhere: a page far from any read is read at its offset.
        rng = random.Random(7)
        times, fills = [], []
        late.start()
        for _ in range(jumps):
            row = rng.randrange(model.rowCount())
            t = time.perf_counter()
            await step("jump", times, lambda row=row: table.scrollTo(model.index(row, 0), top))
            fills.append((time.perf_counter() - t) * 1000)
        late.stop()
        stalls("jumps", times)
        out["jump_worst_ms"] = max(times, default=0.0)
        out["jump_fill_median_ms"] = sorted(fills)[len(fills) // 2] if fills else 0.0
        out["jump_fill_max_ms"] = max(fills, default=0.0)
        if sorts:
            per: dict[str, dict[str, float]] = {}
            for col, c in enumerate(COLUMNS):
                for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                    table.scrollToTop()
                    await settle()
                    click: list[float] = []
                    late.start()
                    t = time.perf_counter()
                    await step("sort", click, lambda col=col, order=order: table.sortByColumn(col, order))
                    shown = (time.perf_counter() - t) * 1000
                    late.stop()
                    stalls("sort", click)
                    pages = await scroll_to_bottom(stride)
                    key = f"{c.key}_{'asc' if order == Qt.SortOrder.AscendingOrder else 'desc'}"
                    per[key] = {"sort_ms": max(click), "first_page_shown_ms": shown,
                                "worst_page_ms": max(pages, default=0.0), "rows": model.rowCount()}
            out["sorts"] = per
            out["sort_worst_ms"] = max(max(v["sort_ms"], v["worst_page_ms"]) for v in per.values())
            out["rss_end_mb"] = rss_mb()
        out["gc_pause_max_ms"] = gcp.worst * 1000
        out["slow_steps"] = sorted(slow, key=lambda x: -x["ms"])[:12]  # type: ignore[arg-type, operator]
        out["pages_reread"] = model.pages_reread
        out["pages_in_memory"] = model.pages_in_memory
        with open("/proc/self/status") as f:
            out["hwm_mb"] = next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM:"))
        await _close(window, services)

    with loop:
        loop.run_until_complete(main())
    emit(**out)


async def _close(window, services) -> None:  # noqa: ANN001
    """As the window's close ends a run: tasks cancelled and awaited, clients and cache closed."""
    window.close()
    await window.tasks.shutdown()
    await services.aclose()


# --- network: loop stalls, upload memory and throughput ---------------------------------------

class _GcPauses:
    """The longest garbage-collector pause (a stall the timer sees but no await explains)."""

    def __init__(self) -> None:
        import gc

        self.worst = 0.0
        self.total = 0.0
        self._t = 0.0
        gc.callbacks.append(self._cb)

    def _cb(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            took = time.perf_counter() - self._t
            self.worst = max(self.worst, took)
            self.total += took


class _Lateness:
    """A 5 ms Qt timer; every tick notes how late it fired (the event loop's stall) and the RSS."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.reset()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.worst = 0.0
        self.worst_cpu = 0.0  # the window thread's CPU time in the worst stall: work, or waiting
        self.rss_peak = rss_mb()
        self.ticks = 0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if now - self.last - self.interval > self.worst:
            self.worst, self.worst_cpu = now - self.last - self.interval, cpu - self.last_cpu
        self.last, self.last_cpu = now, cpu
        self.ticks += 1
        if self.ticks % 4 == 0:
            self.rss_peak = max(self.rss_peak, rss_mb())

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def probe_network(data_dir: Path, sandbox: str, upload: Path, feedback_id: str,
                  limit: int = 0, warm: bool = False, freeze: bool = False,
                  chunk: int = 0, files_dir: Path | None = None) -> None:
    import asyncio

    import qasync

    from supportdesk.app import build_services
    from supportdesk.models.support import FileKind, SearchCriteria
    from supportdesk.providers.errors import ProviderError
    from supportdesk.ui.launch import make_app
    from supportdesk.ui.main_window import MainWindow

    base = sandbox.rstrip("/")
    import httpx

    urls = {k: (v.get("post_url") or v["base_url"]) for k, v in httpx.get(base + "/").json().items()}
    seed = httpx.get(base + "/_sandbox/seed").json()
    settings = {"cardlytics": {"base_url": urls["cardlytics"]}, "support": {"base_url": urls["support"]}}
    app, theme = make_app()
    app.setQuitOnLastWindowClosed(False)
    services = build_services(offline_config(data_dir, settings))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    out: dict[str, object] = {}
    size = upload.stat().st_size

    async def do_upload() -> float:
        done = {"n": 0}

        def progress(n: int, total: int) -> None:
            done["n"] = n

        t = time.perf_counter()
        await services.clients["support"].upload_file(feedback_id, FileKind.LOG, upload, progress=progress)
        return time.perf_counter() - t

    async def calls(n: int) -> int:
        support = services.clients["support"]
        cardlytics = services.clients["cardlytics"]
        users = seed["support"]["users"]
        customers = seed["cardlytics"]["customers"]

        gate = asyncio.Semaphore(limit) if limit else None

        async def one(i: int) -> bool:
            if gate is not None:  # --limit: what a sender with bounded concurrency would see
                async with gate:
                    return await call(i)
            return await call(i)

        async def call(i: int) -> bool:
            try:
                if i % 2:
                    await support.search(SearchCriteria(uuid=users[i % len(users)]["uuid"]))
                else:
                    cid = customers[i % len(customers)]
                    await cardlytics.retrieve_ticket(f"bench-{i}-{cid if isinstance(cid, str) else i}")
            except ProviderError:  # an unknown ticket is a 404: still a full round trip
                pass
            return True

        results = await asyncio.gather(*(one(i) for i in range(n)))
        return len(results)

    async def main() -> None:
        from PySide6.QtCore import QTimer

        from supportdesk.ui.launch import _settle_heap

        window = MainWindow(services, theme=theme)
        window.show()
        QTimer.singleShot(0, _settle_heap)  # as run_gui does once the window is up
        await asyncio.sleep(0.3)
        if warm:  # --warm: first connections made before measuring (mimetypes: see _settle_heap)
            import mimetypes

            mimetypes.init()
            await calls(4)
        if chunk:  # --chunk: a bigger multipart read size than httpx's 64 KiB
            import httpx._multipart

            httpx._multipart.FileField.CHUNK_SIZE = chunk
        if freeze:  # --freeze: a second collect-and-freeze (the heap is settled as in the app already)
            import gc

            gc.collect()
            gc.freeze()
        late = _Lateness()
        gcp = _GcPauses()
        # 1. the upload alone: throughput and memory growth (each upload starts with the sandbox's
        # earlier ones deleted, outside the stall measure, as the runner does for curl's)
        clean_uploads(files_dir)
        late.start()
        rss0 = rss_mb()
        late.rss_peak = rss0
        secs = await do_upload()
        late.stop()
        out["upload_s"] = secs
        out["upload_bytes"] = size
        out["upload_rss_growth_mb"] = max(0.0, late.rss_peak - rss0)
        out["upload_stall_ms"] = late.worst * 1000
        # 2. 200 concurrent provider calls, then the same with the upload beside them
        late.start()
        t = time.perf_counter()
        n = await calls(200)
        out["calls_s"] = time.perf_counter() - t
        out["calls_stall_ms"] = late.worst * 1000
        late.stop()
        clean_uploads(files_dir)
        late.start()
        t = time.perf_counter()
        n, up = await asyncio.gather(calls(200), do_upload())
        out["both_s"] = time.perf_counter() - t
        out["both_stall_ms"] = late.worst * 1000
        late.stop()
        out["calls"] = n
        # Two more uploads alone: the throughput is a median of three, like curl's baseline.
        runs = [secs]
        for _ in range(2):
            clean_uploads(files_dir)
            runs.append(await do_upload())
        out["upload_runs_s"] = runs
        out["gc_pause_max_ms"] = gcp.worst * 1000
        await _close(window, services)

    with loop:
        loop.run_until_complete(main())
    emit(**out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("bare", "floor", "scroll", "network"))
    p.add_argument("--data-dir", type=Path)
    p.add_argument("--no-sorts", action="store_true")
    p.add_argument("--sandbox")
    p.add_argument("--file", type=Path)
    p.add_argument("--feedback-id")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--warm", action="store_true")
    p.add_argument("--freeze", action="store_true")
    p.add_argument("--chunk", type=int, default=0)
    p.add_argument("--files-dir", type=Path, help="the sandbox's upload folder, cleaned before each upload")
    a = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if a.mode == "bare":
        probe_bare()
    elif a.mode == "floor":
        probe_floor()
    elif a.mode == "scroll":
        probe_scroll(a.data_dir, sorts=not a.no_sorts)
    else:
        probe_network(a.data_dir, a.sandbox, a.file, a.feedback_id, a.limit, a.warm, a.freeze, a.chunk,
                      a.files_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
