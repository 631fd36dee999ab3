"""Generated files for seeded support tickets: an app log (text) and a receipt photo (JPEG)."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageDraw, ImageFilter, ImageFont

_COMPONENTS = ["OffersRepo", "CardLinkService", "HttpClient", "AuthManager", "PushRegistrar", "SyncWorker",
               "ReceiptUploader", "UiMainActivity", "CashbackLedger", "FeatureFlags"]
_INFO = [
    "GET /v3/offers?page={n} -> 200 in {ms} ms",
    "Loaded {n} offers from cache (age {s}s)",
    "Session refreshed, expires in {s}s",
    "Push token registered",
    "Sync finished: {n} transactions, {n2} rewards",
    "Screen shown: {screen}",
    "Card ending {card} linked state=ACTIVE",
]
_DEBUG = [
    "Cache hit key=offers:{n}",
    "Layout pass took {ms} ms",
    "Retry policy: attempt {n} of 5",
    "Feature flag new_offer_cards={flag}",
    "Prefetching images for {n} offers",
]
_WARN = [
    "Slow response from /v3/rewards ({ms} ms)",
    "Image decode took {ms} ms on main thread",
    "Token close to expiry, refreshing early",
    "Location permission denied; offers nearby disabled",
]
_ERROR = [
    "POST /v3/cards/link -> 502 Bad Gateway (attempt {n})",
    "java.net.SocketTimeoutException: timeout after {ms} ms",
    "Receipt upload failed: HTTP 413 Payload Too Large",
    "Cashback ledger mismatch: expected {n} got {n2}",
    "ANR detected in UiMainActivity ({ms} ms)",
]
_SCREENS = ["Home", "Offers", "OfferDetail", "Wallet", "Settings", "Support"]


def make_log(rng: random.Random, user: dict, ticket: dict, lines: int = 320) -> str:
    """A realistic multi-line app log ending shortly before the ticket was created."""
    end = datetime.fromtimestamp(ticket["creationDate"] / 1000, tz=timezone.utc)
    t = end - timedelta(minutes=45)
    card = f"{rng.randint(1000, 9999)}"
    out = [
        f"# Northwind Rewards app log - device {user['udid']} ({user['manufacturer']} {user['model']}, {user['os']})",
        f"# user {user['uuid']} - exported {end.strftime('%Y-%m-%d %H:%M:%S')} UTC",
    ]
    for _ in range(lines):
        t += timedelta(milliseconds=rng.randint(20, 16000))
        roll = rng.random()
        if roll < 0.55:
            level, pool = "INFO", _INFO
        elif roll < 0.82:
            level, pool = "DEBUG", _DEBUG
        elif roll < 0.94:
            level, pool = "WARN", _WARN
        else:
            level, pool = "ERROR", _ERROR
        text = rng.choice(pool).format(
            n=rng.randint(1, 40), n2=rng.randint(0, 12), ms=rng.randint(40, 9000), s=rng.randint(5, 3600),
            screen=rng.choice(_SCREENS), card=card, flag=rng.choice(["true", "false"]))
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
        out.append(f"{stamp} {level:<5} [{rng.choice(_COMPONENTS)}] {text}")
    return "\n".join(out) + "\n"


_ITEMS = {
    "COSTA COFFEE": [("Flat white", 3.45), ("Croissant", 2.60), ("Sparkling water", 1.95), ("Panini", 5.20)],
    "TESCO METRO": [("Meal deal", 3.99), ("Bananas x5", 0.95), ("Milk 2L", 1.65), ("Bread", 1.40)],
    "NIKE STORE": [("Running socks", 14.00), ("Trainers", 74.99), ("Cap", 22.00)],
    "SHELL": [("Unleaded 38.2L", 58.40), ("Car wash", 8.00), ("Coffee to go", 2.50)],
}


def make_receipt_jpeg(rng: random.Random, merchant: str, when_ms: int) -> bytes:
    """A photo-like card-payment slip: grey background, slightly rotated white paper with text."""
    font = ImageFont.load_default()
    width, height = 300, 470
    paper = Image.new("RGB", (width, height), (250, 249, 244))
    draw = ImageDraw.Draw(paper)
    ink = (30, 30, 35)
    when = datetime.fromtimestamp(when_ms / 1000, tz=timezone.utc) - timedelta(hours=3)
    pool = _ITEMS.get(merchant, _ITEMS["COSTA COFFEE"])
    chosen = rng.sample(pool, min(3, len(pool)))
    total = sum(p for _, p in chosen)
    rows: list[tuple[str, str, str]] = [  # (kind, left, right); kind: c=centred, r=row, s=rule
        ("c", merchant, ""), ("c", "High Street, London", ""), ("c", "", ""),
        ("r", when.strftime("%d/%m/%Y"), when.strftime("%H:%M")),
        ("r", "Terminal", str(rng.randint(10000000, 99999999))), ("s", "", ""),
    ]
    rows += [("r", name, f"{price:.2f}") for name, price in chosen]
    rows += [("s", "", ""), ("r", "TOTAL GBP", f"{total:.2f}"), ("c", "", ""),
             ("r", "CARD", f"**** **** **** {rng.randint(1000, 9999)}"), ("r", "CONTACTLESS", ""),
             ("c", "", ""), ("c", rng.choice(["DECLINED", "APPROVED"]), ""),
             ("r", "AUTH CODE", str(rng.randint(100000, 999999))), ("c", "", ""),
             ("c", "Thank you for your visit", "")]
    y = 22
    for kind, left, right in rows:
        if kind == "c":
            draw.text((width / 2, y), left, fill=ink, font=font, anchor="ma")
        elif kind == "s":
            draw.line([(16, y + 6), (width - 16, y + 6)], fill=ink, width=1)
        else:
            draw.text((16, y), left, fill=ink, font=font)
            draw.text((width - 16, y), right, fill=ink, font=font, anchor="ra")
        y += 20
    for x in range(0, width, 12):  # torn edge
        draw.polygon([(x, height), (x + 6, height - 8), (x + 12, height)], fill=(118, 120, 116))
    photo = Image.new("RGB", (420, 620), (118, 120, 116))
    rotated = paper.rotate(rng.uniform(-4, 4), expand=True, fillcolor=(118, 120, 116), resample=Image.BICUBIC)
    photo.paste(rotated, ((420 - rotated.width) // 2, (620 - rotated.height) // 2))
    photo = photo.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", quality=85)
    return buf.getvalue()
