"""Deterministic demo data for the sandbox: the same `seed` always gives the same ids and records.

Where the provider documents give sample values (the cardlytics customer 1756524 and offer
1000030804, the support user 79af4bc5-…, the radar client, programme and the non-hex POM id
7547ct569yh67n0326vghddte86bkkn), the seed uses them, so the documents' samples work against it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

INSTITUTION_ID = "7094"

# (first, last, email, phone, manufacturer, model, os)
_SUPPORT_PEOPLE = [
    ("John", "Connor", "john.connor@example.com", "+447700900123", "Genymotion",
     "Google Nexus 4 - 4.3 - API 18 - 768x1280", "Android:4.3"),
    ("Priya", "Raman", "priya.raman@example.in", "+919916248135", "samsung", "SM-S911B Galaxy S23", "Android:14"),
    ("Aroha", "Ngata", "aroha.ngata@example.co.nz", "+64211234321", "Apple", "iPhone 14", "iOS:17.5"),
    ("Liam", "O'Brien", "liam.obrien@example.ie", "+353861234567", "Google", "Pixel 8", "Android:14"),
    ("Sofia", "Marquez", "sofia.marquez@example.com", "+14155550134", "Apple", "iPhone 15 Pro", "iOS:17.4"),
    ("Kwame", "Mensah", "kwame.mensah@example.com", "+233201234567", "Xiaomi", "Redmi Note 12", "Android:13"),
    ("Emma", "Schneider", "emma.schneider@example.de", "+4915123456789", "Apple", "iPhone 13", "iOS:16.7"),
    ("Hiroshi", "Tanaka", "hiroshi.tanaka@example.jp", "+818012345678", "Sony", "Xperia 5 V", "Android:14"),
]
_SAMPLE_USER = ("79af4bc5-a995-4262-92ee-0da381ccaf07", "7237F578-828D-43D9-995D-F8B7AC8A4881",
                "435bdd41-5347-42c4-9685-a3f66f8dc169")

# (user index, subject, message, category, status, log?, photo?, merchant for the photo)
_SUPPORT_TICKETS = [
    (0, "Cashback not credited", "I paid at Costa Coffee on 3 June with my linked card but the 10% "
     "cashback never showed up in the app.", "cashback", "SOLVED", True, True, "COSTA COFFEE"),
    (0, "App freezes on the offers tab", "Every time I open Offers the app freezes for about ten seconds "
     "and then closes.", "app", "OPEN", True, False, None),
    (1, "Card declined at merchant", "My card was declined at Tesco Metro although the offer said it was "
     "valid there. Photo of the slip attached.", "card", "PENDING", False, True, "TESCO METRO"),
    (1, "Wrong cashback amount", "I got 2.10 back instead of the 5.00 the offer promised.", "cashback",
     "CREATED", False, False, None),
    (2, "Cannot link my debit card", "Linking my debit card fails with 'Something went wrong' after the "
     "3-D Secure step.", "account", "OPEN", True, False, None),
    (2, "Offer expired before its end date", "The Nike offer disappeared on the 12th but it said valid "
     "until the 30th.", "offers", "SOLVED", False, True, "NIKE STORE"),
    (3, "Login code never arrives", "The SMS login code does not arrive; I tried five times today.",
     "account", "CREATED", True, False, None),
    (3, "Charged twice", "The same Uber Eats order shows twice on my statement.", "card", "PENDING",
     False, False, None),
    (4, "Receipt upload fails", "Uploading a receipt photo stops at 90% and shows an error.", "app",
     "SOLVED", True, True, "SHELL"),
    (4, "Reward pending for weeks", "My Deliveroo reward has been pending for 6 weeks.", "cashback",
     "CLOSED", False, False, None),
    (5, "Merchant refused the offer", "The cashier at Costa said they do not take this offer.", "offers",
     "OPEN", False, True, "COSTA COFFEE"),
    (5, "App crashes after update", "Since version 4.12 the app crashes on start.", "app", "CREATED",
     True, False, None),
    (6, "Change my e-mail address", "Please change my e-mail address to the one in this ticket.",
     "account", "SOLVED", False, False, None),
    (6, "Cashback reversed", "A cashback I received last month was taken back without explanation.",
     "cashback", "OPEN", False, False, None),
    (7, "Notifications not working", "I no longer get offer notifications on my phone.", "app",
     "PENDING", True, False, None),
]

_OFFERS = [
    (1000030804, "Costa Coffee", "10% cashback", "CST10", ["CST-LDN-001", "CST-LDN-014"]),
    (1000030811, "Tesco", "£5 back when you spend £40", "TSC5", ["TSC-MAN-220", "TSC-LDN-078"]),
    (1000030825, "Uber Eats", "15% cashback up to £6", "UBE15", ["UBE-ONLINE"]),
    (1000031002, "Nike", "12% cashback online", "NKE12", ["NKE-ONLINE", "NKE-LDN-003"]),
    (1000031017, "Shell", "3p per litre back", "SHL3P", ["SHL-BRS-011"]),
    (1000031044, "Deliveroo", "£4 back on your first order", "DLV4", ["DLV-ONLINE"]),
]

_CARDLYTICS_CUSTOMERS = [
    (1756524, "Sam Carter"),
    ("6a4a5ce6-9484-4051-84c7-07b5d845ab5c", "Jordan Lee"),
    (2048311, "Mia Thompson"),
    (3390157, "Oliver Brown"),
    (4471822, "Ava Wilson"),
]

RADAR_CLIENT_ID = "8291a9ed952342c5b5fe2915f2189e7c"
RADAR_PROGRAMME_EMAIL = "1cf118a0326d47aa851a90b9674e90aa"
RADAR_PROGRAMME_SMS = "5be2c07d9a1f4e63b8d0c4a7e19f2d36"
RADAR_TWO_POM_LOCATION = "3f9a6c1e8b2d4f07a5c9e1b3d7f2a860"
RADAR_NON_HEX_POM = "7547ct569yh67n0326vghddte86bkkn"

FEEDBACK_TYPES = {"1": "Merchant Declined", "2": "Offer Expired", "3": "Cashback Not Applied", "4": "Other"}


@dataclass
class Seed:
    support_users: list[dict] = field(default_factory=list)
    support_tickets: list[dict] = field(default_factory=list)
    cardlytics_customers: list[dict] = field(default_factory=list)
    offers: list[dict] = field(default_factory=list)
    transactions: list[dict] = field(default_factory=list)
    radar: dict = field(default_factory=dict)

    def offer_ids(self) -> set[int]:
        return {o["offerId"] for o in self.offers}

    def customer_keys(self) -> set[str]:
        return {str(c["sourceCustomerId"]) for c in self.cardlytics_customers}

    def transaction(self, transaction_id: int) -> dict | None:
        for t in self.transactions:
            if t["transactionId"] == transaction_id:
                return t
        return None

    def activation_date(self, customer: str, offer_id: int) -> str | None:
        for t in self.transactions:
            if str(t["sourceCustomerId"]) == customer and t["offerId"] == offer_id:
                return t["activationDate"]
        return None


def _uuid(rng: random.Random, upper: bool = False) -> str:
    value = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return value.upper() if upper else value


def _hex32(rng: random.Random) -> str:
    return "%032x" % rng.getrandbits(128)


def build_seed(seed: int = 7) -> Seed:
    rng = random.Random(seed)
    out = Seed()
    base = datetime(2024, 5, 6, 8, 30, tzinfo=timezone.utc)

    for i, (first, last, email, phone, maker, model, os_name) in enumerate(_SUPPORT_PEOPLE):
        if i == 0:
            user_id, udid, device_id = _SAMPLE_USER
        else:
            user_id, udid, device_id = _uuid(rng), _uuid(rng, upper=True), _uuid(rng)
        registered = base - timedelta(days=300 + 37 * i, minutes=rng.randint(0, 1440))
        out.support_users.append({
            "uuid": user_id, "udid": udid, "deviceId": device_id, "firstName": first, "lastName": last,
            "name": f"{first} {last}", "email": email, "phone": phone, "manufacturer": maker,
            "model": model, "os": os_name, "registrationDate": int(registered.timestamp() * 1000),
        })

    for n, (ui, subject, message, category, status, has_log, has_photo, merchant) in enumerate(_SUPPORT_TICKETS):
        user = out.support_users[ui]
        created = base + timedelta(days=2 * n, hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        out.support_tickets.append({
            "id": _uuid(rng), "ticketId": _uuid(rng), "supportTicketId": str(330 + n), "uuid": user["uuid"],
            "udid": user["udid"], "name": user["name"], "email": user["email"], "phone": user["phone"],
            "subject": subject, "message": message, "category": category, "ticketStatus": status,
            "creationDate": int(created.timestamp() * 1000), "hasLog": has_log,
            "photoMerchant": merchant if has_photo else None,
        })

    for offer_id, merchant, reward, code, outlets in _OFFERS:
        out.offers.append({"offerId": offer_id, "merchant": merchant, "reward": reward,
                           "offerCode": code, "outletCodes": outlets})

    customers: list[tuple[int | str, str]] = list(_CARDLYTICS_CUSTOMERS)
    customers += [(u["uuid"], u["name"]) for u in out.support_users[:3]]
    next_txn = 1132328647
    for ci, (cid, name) in enumerate(customers):
        out.cardlytics_customers.append({"sourceCustomerId": cid, "name": name})
        picks = [_OFFERS[0]] if ci == 0 else []
        picks += rng.sample(_OFFERS, 2)
        for offer in picks:
            when = base - timedelta(days=rng.randint(5, 60), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
            activated = when - timedelta(days=rng.randint(1, 20), seconds=rng.randint(0, 86399))
            out.transactions.append({
                "transactionId": next_txn, "sourceCustomerId": cid, "offerId": offer[0],
                "merchant": offer[1], "amount": round(rng.uniform(3.5, 95.0), 2), "currency": "GBP",
                "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "activationDate": activated.strftime("%Y-%m-%dT%H:%M:%S"),
            })
            next_txn += rng.randint(1_000, 900_000)

    loc_names = ["Auckland Central", "Wellington Lambton Quay", "Christchurch Riccarton", "Online Store"]
    locations = []
    for i, name in enumerate(loc_names):
        loc_id = RADAR_TWO_POM_LOCATION if i == 0 else _hex32(rng)
        poms = ([{"pomDisplayId": RADAR_NON_HEX_POM, "name": "Front counter"},
                 {"pomDisplayId": _hex32(rng), "name": "Drive-through"}] if i == 0
                else [{"pomDisplayId": _hex32(rng), "name": "Store"}])
        locations.append({"locationDisplayId": loc_id, "name": name, "poms": poms})
    out.radar = {
        "clients": [{"clientDisplayId": RADAR_CLIENT_ID, "name": "Northwind Bank"}],
        "programmes": [
            {"programmeDisplayId": RADAR_PROGRAMME_EMAIL, "clientDisplayId": RADAR_CLIENT_ID,
             "name": "Branch experience", "postmarkId": "pm-7f3a21", "channels": ["email", "sms"],
             "metadataKeys": ["booking_reference", "invoice_no"],
             "locationDisplayIds": [loc["locationDisplayId"] for loc in locations]},
            {"programmeDisplayId": RADAR_PROGRAMME_SMS, "clientDisplayId": RADAR_CLIENT_ID,
             "name": "Card services (SMS only)", "postmarkId": None, "channels": ["sms"],
             "metadataKeys": ["case_reference"],
             "locationDisplayIds": [locations[0]["locationDisplayId"], locations[3]["locationDisplayId"]]},
        ],
        "locations": [dict(loc, clientDisplayId=RADAR_CLIENT_ID) for loc in locations],
    }
    return out


def prefixed_customer_id(customer: int | str) -> int | str:
    """Retrieve's sourceCustomerId: the institution id 7094 before a 10-digit zero-padded id when the
    id is all digits (1756524 -> 70940001756524, as in the document's sample); else unchanged."""
    text = str(customer)
    if text.isdigit() and len(text) <= 10:
        return int(INSTITUTION_ID + text.zfill(10))
    return customer
