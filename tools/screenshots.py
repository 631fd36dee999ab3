"""Render the main window and its viewers offscreen into docs/screenshots/ (`make screenshots`).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

Everything shown is real: the built-in sandbox profile on a throw-away data dir, its first-start
demo data filed and found through the services, update events arriving over the webhook, files
downloaded, and a few situations an agent meets (a ticket the provider rejected, one queued while
the provider answered 503).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1440, 900)


async def settle(ms: int = 150) -> None:
    # Sleeping on the qasync loop lets Qt lay out and paint; never processEvents() inside a
    # coroutine (a re-entered task step loses its wake-up).
    await asyncio.sleep(ms / 1000)


async def shoot(widget: QWidget, out: Path, name: str) -> None:
    widget.show()
    widget.raise_()
    await settle(250)
    image = widget.grab().toImage()
    image.save(str(out / name))
    print(f"wrote {out / name} ({image.width()}×{image.height()})", flush=True)


async def until(check: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise TimeoutError(f"gave up waiting for {check}")
        await asyncio.sleep(0.05)


async def sync(window: Any) -> None:
    await until(lambda: not window.sync.running)
    window.sync_now()
    await until(lambda: not window.sync.running, 60)


def ticket_with(services: Any, subject: str) -> Any:
    from supportdesk.store import TicketQuery

    rows = services.store.tickets.page_rows(TicketQuery(search=subject), limit=5)
    return services.store.tickets.get(rows[0]["id"])


async def situations(services: Any) -> None:
    """What an agent meets besides the happy path."""
    from supportdesk.services.errors import ServiceError

    # A cardlytics ticket for a customer Cardlytics does not know: the webhook reports the error.
    await services.tickets.create_cardlytics(
        offer_id=1000030811, transaction_ids=[1132328647], customer_id=9990001,
        description="Spent £42 at Tesco on 2 May with the linked card; the £5 back never arrived.",
        author_email="agent@supportdesk.example")
    # A support ticket filed with the customer number where the provider wants the user's UUID.
    try:
        await services.tickets.create_support(
            uuid_="cust-4471822", udid="7237F578-828D-43D9-995D-F8B7AC8A4881",
            subject="Cashback missing for Shell", message="3p per litre was not credited for 38 litres.",
            email="ava.wilson@example.com", category="cashback", name="Ava Wilson")
    except ServiceError:
        pass


async def queued_while_failing(services: Any) -> None:
    services.sandbox.set_faults(fault_rate=1.0)
    try:
        await services.tickets.create_cardlytics(
            offer_id=1000030825, transaction_ids=[1132500001], customer_id=2048311,
            description="Uber Eats order of 14 May: 15% cashback shown in the app but not paid.",
            author_email="agent@supportdesk.example")
    finally:
        services.sandbox.set_faults(fault_rate=0.0)


async def main(out: Path, theme: Any) -> None:
    from supportdesk.app import build_services
    from supportdesk.config import load_config
    from supportdesk.ui.attachments.viewer import open_viewer
    from supportdesk.ui.launch import demo_first_start, start_webhook
    from supportdesk.ui.main_window import MainWindow

    data = Path(tempfile.mkdtemp(prefix="supportdesk-shots-"))
    config = load_config(None, data, "sandbox", env={})
    services = build_services(config)
    sandbox = services.sandbox
    # Quicker progress than a real provider, so one run shows tickets moving.
    sandbox.config.processing_delay, sandbox.config.close_delay = 0.3, 0.8
    sandbox.config.support_progress_delay = 0.8
    listener = start_webhook(services)
    settings = QSettings(str(data / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, theme=theme, settings=settings, sync_interval_ms=3_600_000)
    window.resize(*SIZE)
    window.splitter.setSizes([900, SIZE[0] - 900])
    window.show()
    window.start()
    try:
        await demo_first_start(services)
        await situations(services)
        for _ in range(4):  # seeded support tickets move one step every 5 s
            await asyncio.sleep(1.5)
            await sync(window)
        await asyncio.sleep(1.0)  # the last webhook events
        await queued_while_failing(services)

        photo_ticket = ticket_with(services, "Merchant refused the offer")
        photo = await services.attachments.download(photo_ticket.id, "photo")
        log_ticket = ticket_with(services, "App freezes on the offers tab")
        log_file = await services.attachments.download(log_ticket.id, "log")

        window.model.reload()
        window.inbox.filters.search.clear()
        window.reveal_ticket(photo_ticket.id)
        window.update_outbox()
        await settle(600)  # the thumbnail decodes in the background
        await shoot(window, out, "main-window.png")

        window.set_theme("dark")
        await settle(300)
        await shoot(window, out, "main-window-dark.png")
        window.set_theme("light")

        failed = ticket_with(services, "Tesco")
        window.reveal_ticket(failed.id)
        window.detail.resize(640, SIZE[1] - 120)
        await settle(200)
        await shoot(window.detail, out, "ticket-detail.png")

        viewer = open_viewer(Path(log_file.cached_path), "log", log_file.name, f"ticket {log_ticket.id}", theme,
                             window)
        viewer.resize(1100, 680)
        await until(lambda: not viewer.view.loading and viewer.view.text.document().blockCount() > 10)
        viewer.view.find.setText("ERROR")
        viewer.view.find_next()
        viewer.view.find_next()
        await shoot(viewer, out, "log-viewer.png")
        viewer.close()

        viewer = open_viewer(Path(photo.cached_path), "photo", photo.name, f"ticket {photo_ticket.id}", theme,
                             window)
        viewer.resize(760, 820)
        await until(lambda: viewer.view.image() is not None)
        await shoot(viewer, out, "photo-preview.png")
        viewer.close()

        outbox = window.open_outbox()
        outbox.resize(1100, 380)
        outbox.table.selectRow(0)
        await shoot(outbox, out, "outbox.png")
        outbox.close()
    finally:
        window.close()
        await window.tasks.shutdown()
        if listener is not None:
            await listener.stop()
        await services.aclose()


def run() -> int:
    import qasync

    from supportdesk.ui.launch import make_app

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    settings_dir = tempfile.mkdtemp(prefix="supportdesk-shots-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    app, theme = make_app()
    app.setQuitOnLastWindowClosed(False)
    theme.set_mode("light")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(asyncio.wait_for(main(out, theme), timeout=240))
    return 0


if __name__ == "__main__":
    sys.exit(run())
