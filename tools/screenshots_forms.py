"""Render the forms offscreen into docs/screenshots/ (part of `make screenshots`).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_forms.py [OUT_DIR]

Real forms over real services on a throw-away data dir (the providers unreachable: nothing is sent);
the content is typed in as an agent would, so what is shown is what the forms do.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = "http://127.0.0.1:9"


def services(data: Path, config_path: Path) -> Any:
    from supportdesk.app import build_services
    from supportdesk.config import Config, Secrets
    from supportdesk.providers.transport import RetryPolicy

    settings = {"cardlytics": {"base_url": "https://pub-api-eu.prod.cardlytics.com/csaapi/v2"},
                "support": {"base_url": "https://core.example.net/api"},
                "radar": {"base_url": "https://api.feedback.fyi", "username": "acme-desk"},
                "offers_feedback": {"base_url": "https://offers.example.com/api"}}
    config = Config(profile="production", data_dir=data, config_path=config_path,
                    settings=settings, secrets=Secrets("production", env={}))
    return build_services(config, retry=RetryPolicy(attempts=1, timeout=1.0))


def settle(app: QApplication, ms: int = 60) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents()


def shoot(app: QApplication, form: QWidget, out: Path, name: str) -> None:
    from PySide6.QtWidgets import QScrollArea

    form.show()
    settle(app)
    scroll = form.findChild(QScrollArea)
    if scroll is not None:  # fit the window to its content: no scroll bar, no empty band
        chrome = form.height() - scroll.viewport().height()
        form.resize(form.width(), chrome + form.body.sizeHint().height() + 8)
        settle(app)
    image: QImage = form.grab().toImage()
    image.save(str(out / name))
    print(f"wrote {out / name} ({image.width()}×{image.height()})")
    # Put away without a draft, so the next form of the same kind starts clean.
    form._draft_timer.stop()
    form.hide()
    form.services.store.drafts.discard(form.form_name, form.draft_key)


def put(form: Any, **values: Any) -> None:
    from supportdesk.ui.forms.fields import set_value

    for name, value in values.items():
        set_value(form.fields[name].editor, value)


def main(out: Path) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # never read (or show) the real keyring's secrets here
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from supportdesk.ui.theme import Theme

    Theme(app, "light")  # the window's look: Fusion, palette, style sheet
    from supportdesk.ui.forms import create_form

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="supportdesk-shots-"))
    images = tmp / "Downloads"
    images.mkdir()
    slip = images / "receipt-costa.jpg"
    QImage(8, 8, QImage.Format.Format_RGB32).save(str(slip), "JPG")
    log = images / "supportdesk-android.log"
    log.write_bytes(b"2024-06-03 12:00:01 INFO offers tab opened\n" * 700_000)
    (tmp / "config.toml").write_text(
        'profile = "production"\n\n[profiles.production.radar]\nbase_url = "https://api.feedback.fyi"\n'
        'username = "acme-desk"\nclient_id = "8291a9ed952342c5b5fe2915f2189e7c"\n\n'
        '[profiles.production.cardlytics]\nbase_url = "https://pub-api-eu.prod.cardlytics.com/csaapi/v2"\n'
        'auth_header = "X-Api-Key"\n')
    svc = services(tmp / "data", tmp / "config.toml")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    f = create_form("cardlytics", svc)
    put(f, offer_id="1000030804", customer_id="1756524", author_email="sam.agent@northwind.example",
        description="Expected: 10% cashback on the Costa Coffee purchase of 3 June (£4.60).\n"
                    "Observed: no reward after 30 days; the offer was activated on 28 May.",
        transaction_ids=["1132328647", "1132451260"])
    shoot(app, f, out, "form-cardlytics.png")

    f = create_form("support", svc)
    put(f, uuid="79af4bc5-a995-4262-92ee-0da381ccaf07", udid="7237F578-828D-43D9-995D-F8B7AC8A4881",
        subject="Cashback not credited", email="john.connor@example.com", category="cashback",
        message="I paid at Costa Coffee on 3 June with my linked card but the 10% cashback never "
                "showed up in the app. Photo of the receipt attached.",
        name="John Connor", phone="+447700900123", images=[str(slip)])
    shoot(app, f, out, "form-support.png")

    remembered = svc.store.remembered
    remembered.remember("client", "8291a9ed952342c5b5fe2915f2189e7c", "Northwind Bank")
    for prog in ("5be2c07d9a1f4e63b8d0c4a7e19f2d36", "1cf118a0326d47aa851a90b9674e90aa"):
        remembered.remember("programme", prog, parent="8291a9ed952342c5b5fe2915f2189e7c")
    remembered.remember("location", "3f9a6c1e8b2d4f07a5c9e1b3d7f2a860", parent="1cf118a0326d47aa851a90b9674e90aa")
    for pom in ("0d6be8a4f1c2437e9b5a7c3e2f1d0a98", "7547ct569yh67n0326vghddte86bkkn"):
        remembered.remember("pom", pom, parent="3f9a6c1e8b2d4f07a5c9e1b3d7f2a860")
    f = create_form("invitation", svc)
    put(f, location="3f9a6c1e8b2d4f07a5c9e1b3d7f2a860", pom="7547ct569yh67n0326vghddte86bkkn",
        email="aroha.ngata@example.co.nz", mobile="0211234321", first_name="Aroha", last_name="Ngata",
        metadata=[["booking_reference", "BK-20240603-118"]])
    shoot(app, f, out, "form-invitation.png")

    f = create_form("feedback", svc)
    put(f, user_id="priya.raman@example.in", offer_code="TSC5", bank_code="NWB", outlet_code="TSC-MAN-220",
        lat="53.4794", lon="-2.2453", comment="The cashier said the offer is not valid in Metro stores.")
    f.types.setCurrentIndex(0)
    shoot(app, f, out, "form-feedback.png")

    f = create_form("cardlytics", svc)  # typos as they happen: a letter O, a pasted row twice
    put(f, offer_id="10000308O4", transaction_ids=["1132328647", "1132328647"], customer_id="",
        description="Expected: £5 back on the Tesco purchase.\nObserved: nothing.",
        author_email="sam.agent@northwind")
    f.show_all_errors()
    shoot(app, f, out, "form-validation.png")

    ticket = loop.run_until_complete(svc.tickets.create_support(
        uuid_="79af4bc5-a995-4262-92ee-0da381ccaf07", udid="7237F578-828D-43D9-995D-F8B7AC8A4881",
        subject="App freezes on the offers tab", message="Every time I open Offers the app freezes.",
        email="john.connor@example.com", category="app"))
    f = create_form("upload", svc, ticket_id=ticket.id)
    put(f, path=str(log))
    total = log.stat().st_size
    f._set_busy(True)  # the state mid-upload: what the agent sees while bytes go out
    f.banner.show_message("info", "Uploading…", "You can keep working; Cancel stops it and attaches nothing.")
    f.progress_box.show()
    f._started = time.monotonic() - 2.4
    f._progress(int(total * 0.42), total)
    shoot(app, f, out, "upload-progress.png")
    f._set_busy(False)

    f = create_form("settings", svc)
    f.tabs.setCurrentIndex(2)
    f.secret_edits["radar.password"].set_value("correct horse battery staple")
    f.test_results["radar"].setStyleSheet("color: #1e7e34;")
    f.test_results["radar"].setText("Connected: logged in (84 ms).")
    shoot(app, f, out, "settings.png")

    for w in QApplication.topLevelWidgets():
        w.hide()
    loop.run_until_complete(svc.aclose())
    loop.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
