"""Fill a Supportdesk cache with N realistic tickets, fast.

Both providers, a timeline of events per ticket, attachment metadata, external references and the
full-text index, shaped like years of an agent's history: a few very common words ("card",
"cashback"), a long tail of merchants, and per-ticket reference numbers that occur once.

Speed: the schema comes from the app's own migrations; secondary indexes and FTS triggers are
dropped for the load (their SQL is read back from sqlite_master and re-run afterwards, so they stay
exactly the app's), rows go in with executemany in one transaction with the journal off, indexes are
then built from sorted data and the FTS index with one INSERT ... SELECT (the app's own SQL).

    python -m benchmarks.generate CACHE.db 100000 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from supportdesk.store.schema import MIGRATIONS, fts_index_sql

# --- vocabulary ------------------------------------------------------------------------------

MERCHANTS = [
    "Costa Coffee", "Tesco Metro", "Nike Store", "Uber Eats", "Deliveroo", "Shell", "Starbucks",
    "Sainsbury's", "Boots", "Argos", "Currys", "Pret A Manger", "Greggs", "Waitrose", "Asda",
    "Morrisons", "Lidl", "Aldi", "John Lewis", "Marks & Spencer", "Primark", "H&M", "Zara",
    "Amazon", "eBay", "Apple Store", "Google Play", "Netflix", "Spotify", "Disney Plus", "Just Eat",
    "McDonald's", "Burger King", "KFC", "Subway", "Domino's", "Pizza Hut", "Nando's", "Wagamama",
    "Five Guys", "Leon", "Itsu", "Wasabi", "Caffe Nero", "Ikea", "B&Q", "Wickes", "Halfords",
    "Screwfix", "Toolstation", "Dunelm", "Next", "River Island", "New Look", "Sports Direct",
    "JD Sports", "Decathlon", "Superdrug", "Holland & Barrett", "Specsavers", "Vision Express",
    "Trainline", "Ryanair", "easyJet", "British Airways", "Booking.com", "Airbnb", "Expedia",
    "Premier Inn", "Travelodge", "Hilton", "Marriott", "Odeon", "Vue", "Cineworld", "Ticketmaster",
    "PlayStation Store", "Xbox Store", "Steam", "Nintendo eShop", "Audible", "Kindle", "Waterstones",
    "WHSmith", "Smyths Toys", "The Entertainer", "Pets at Home", "Jet2", "TUI", "Hotels.com",
    "Ocado", "Iceland", "Co-op", "Spar", "BP", "Esso", "Texaco", "Gulf", "Tesco Express", "Costco",
] + [f"Corner Shop {i}" for i in range(1, 401)]  # the long tail

FIRST = ["John", "Priya", "Aroha", "Liam", "Sofia", "Kwame", "Emma", "Hiroshi", "Olivia", "Noah",
         "Amelia", "Oliver", "Isla", "George", "Ava", "Arthur", "Mia", "Leo", "Ivy", "Oscar",
         "Freya", "Harry", "Lily", "Jack", "Grace", "Muhammad", "Aisha", "Chen", "Mateo", "Zara"]
LAST = ["Connor", "Raman", "Ngata", "O'Brien", "Marquez", "Mensah", "Schneider", "Tanaka", "Smith",
        "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan",
        "Wright", "Walker", "Thompson", "Evans", "Roberts", "Green", "Hall", "Wood", "Clarke", "Hughes"]
DOMAINS = ["example.com", "example.co.uk", "example.in", "example.de", "example.ie", "example.jp",
           "mail.example.net"]
AGENTS = [f"agent{i:02d}@desk.example.com" for i in range(40)]

SUPPORT_SUBJECTS = [
    "Cashback not credited", "App freezes on the offers tab", "Card declined at merchant",
    "Wrong cashback amount", "Cannot link my debit card", "Offer expired before its end date",
    "Login code never arrives", "Charged twice", "Receipt upload fails", "Reward pending for weeks",
    "Merchant refused the offer", "App crashes after update", "Change my e-mail address",
    "Cashback reversed", "Offer not showing", "Account locked", "Missing transaction",
    "Notification spam", "Referral bonus missing", "Cannot unlink old card",
]
CATEGORIES = ["cashback", "app", "card", "account", "offers"]
DEVICES = ["Pixel 8", "iPhone 15 Pro", "iPhone 13", "SM-S911B Galaxy S23", "Redmi Note 12",
           "Xperia 5 V", "iPhone 14", "Nexus 4", "OnePlus 11", "Moto G84"]

OPENERS = [
    "I paid at {m} on {d} with my linked card but the cashback never showed up in the app.",
    "My card was declined at {m} although the offer said it was valid there.",
    "I got {a} back from {m} instead of the amount the offer promised.",
    "The {m} offer disappeared before the end date shown in the app.",
    "The same {m} order shows twice on my statement, reference {r}.",
    "My {m} reward has been pending for {w} weeks now.",
    "The cashier at {m} said they do not take this offer.",
    "Cashback from {m} was reversed without explanation, transaction {r}.",
    "Customer reports the {m} purchase of {a} on {d} did not qualify for the offer.",
    "Customer disputes the cashback for {m}; receipt number {r} attached.",
    "Since the last update the app crashes on my {v} when I open offers.",
    "Linking my debit card fails with an error after the 3-D Secure step on my {v}.",
    "The SMS login code does not arrive on my {v}; tried several times today.",
    "Uploading a receipt photo for {m} stops at 90% and shows an error.",
]
FILLERS = [
    "Please look into it.", "Thanks for your help.", "This is the second time this happened.",
    "I have attached a screenshot.", "The transaction is visible in my bank statement.",
    "Could you check whether the offer was activated?", "I activated the offer before paying.",
    "The app shows the offer as redeemed.", "My friend got the cashback for the same offer.",
    "I would like the cashback credited to my card.", "Customer called twice about this.",
    "Agent note: verified the transaction amount with the customer.",
    "Agent note: customer confirmed the card number ending.", "Please escalate if needed.",
    "The amount was paid in full by card, not by voucher.", "It happened on the mobile app.",
    "I am using the latest version of the app.", "I reinstalled the app, it did not help.",
]
RESOLUTIONS = ["Cashback issued", "Goodwill credit", "Declined - offer not activated",
               "Declined - merchant not eligible", "Duplicate ticket", "Transaction not found",
               "Credited after merchant confirmation"]
CDL_RESPONSES = ["Credited to the customer's account", "Transaction not eligible for this offer",
                 "Offer was not activated before purchase", "Merchant data pending",
                 "Ticket already exists"]
CDL_STATUS = ["In Process", "Closed"]
SUPPORT_STATUS = ["CREATED", "NEW", "OPEN", "PENDING", "HOLD", "SOLVED", "CLOSED"]

EPOCH0 = 1_577_836_800  # 2020-01-01T00:00:00Z
SPAN = 5 * 365 * 86400  # five years of history
NOW = EPOCH0 + SPAN  # the cache's "now": nothing was updated after it


def _iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (k ** s) for k in range(1, n + 1)]


class _Gen:
    """Deterministic for a seed: the same (n, seed) always gives the same cache."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.merchant_w = _zipf_weights(len(MERCHANTS))

    def tickets(self, n: int) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]],
                                               list[tuple[Any, ...]]]]:
        r = self.r
        merchants = r.choices(MERCHANTS, self.merchant_w, k=n)
        seen: set[str] = set()
        for i in range(n):
            cardlytics = r.random() < 0.6
            tid = f"SD-{r.getrandbits(48):012X}"
            while tid in seen:
                tid = f"SD-{r.getrandbits(48):012X}"
            seen.add(tid)
            created = EPOCH0 + int(SPAN * (i + r.random()) / n)  # inserted roughly in time order
            life = int(r.expovariate(1 / (6 * 86400)))
            updated = created + life
            if updated > NOW:  # still being worked on: last touched some time before "now"
                updated = created + int((NOW - created) * r.random())
                status = "OPEN" if r.random() < 0.4 else "IN_PROGRESS"
            else:  # history: nearly all resolved, a few left hanging
                roll = r.random()
                status = "RESOLVED" if roll < 0.96 else ("IN_PROGRESS" if roll < 0.985 else "OPEN")
            m = merchants[i]
            ref = f"R{r.getrandbits(40):010d}"[:11]
            opener = r.choice(OPENERS).format(
                m=m, d=_iso(created - r.randrange(86400 * 20))[:10], a=f"£{r.randrange(1, 90)}.{r.randrange(100):02d}",
                r=ref, w=r.randrange(2, 9), v=r.choice(DEVICES))
            desc = " ".join([opener] + r.sample(FILLERS, r.randrange(1, 4)))
            sroll = r.random()
            sync = "synced" if sroll < 0.93 else ("failed" if sroll < 0.97 else ("sent" if sroll < 0.99 else "queued"))
            resolved_at = _iso(updated) if status == "RESOLVED" else None
            last_error = None
            name = phone = None
            if sync == "failed":
                last_error = r.choice(["Rejected by cardlytics: Transaction not found",
                                       "Rejected by support: email is required",
                                       "Could not reach the provider (ConnectError)"])
            if cardlytics:
                customer = str(1_000_000 + r.randrange(400_000))
                email = r.choice(AGENTS)
                subject = desc.splitlines()[0][:80] + ("…" if len(desc) > 80 else "")
                n_sub = 1 if r.random() < 0.95 else 2
                external = f"{tid}-{n_sub}" if sync != "queued" else f"{tid}-1"
                zendesk = None
                pstatus = "Closed" if status == "RESOLVED" else ("In Process" if status == "IN_PROGRESS" else None)
                resolution = r.choice(RESOLUTIONS) if status == "RESOLVED" else None
                response = r.choice(CDL_RESPONSES) if status == "RESOLVED" else None
                txs = [str(r.getrandbits(36)) for _ in range(r.randrange(1, 3))]
                data = {"offerId": 1_000_000_000 + r.randrange(50_000), "transactionIds": txs,
                        "submissions": [{"sourceTicketId": f"{tid}-{k + 1}", "at": _iso(created)}
                                        for k in range(n_sub)]}
                if response:
                    data["cardlyticsResponse"] = response
            else:
                fn, ln = r.choice(FIRST), r.choice(LAST)
                customer = "%08x-%04x-4%03x-%04x-%012x" % (
                    r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
                    0x8000 | r.getrandbits(14), r.getrandbits(48))
                email = f"{fn.lower()}.{ln.lower().replace(chr(39), '')}{r.randrange(1000)}@{r.choice(DOMAINS)}"
                subject = r.choice(SUPPORT_SUBJECTS)
                external = str(500_000 + i) if sync != "queued" else None
                zendesk = str(3_000_000 + i) if external else None
                pstatus = (r.choice(["SOLVED", "CLOSED"]) if status == "RESOLVED"
                           else r.choice(["CREATED", "NEW", "OPEN", "PENDING", "HOLD"]) if status == "IN_PROGRESS"
                           else None)
                resolution = None
                name, phone = f"{fn} {ln}", f"+44770{r.randrange(10**6):06d}"
                data = {"udid": "%08X-%04X-%04X" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(16)),
                        "category": r.choice(CATEGORIES), "name": name, "phone": phone}
                response = None
            messages = " ".join(filter(None, [last_error, resolution, response, name, phone]))
            provider = "cardlytics" if cardlytics else "support"
            row = (tid, provider, external, zendesk, status, pstatus, sync, last_error, customer, email,
                   subject, desc, resolution, _iso(created), _iso(updated), resolved_at,
                   json.dumps(data, separators=(",", ":"), ensure_ascii=False), messages)
            # the timeline: created, (submitted), status changes, (resolved)
            events = [(tid, created, "created", "Filed; queued for " + provider, "OPEN", None)]
            if sync != "queued":
                events.append((tid, created + 2, "submitted", f"Sent to {provider} as {external}", "OPEN", None))
            if status != "OPEN":
                mid = created + max(3, life // 2)
                events.append((tid, mid, "status", f"{provider} says {pstatus if status == 'IN_PROGRESS' else 'In Process'}",
                               "IN_PROGRESS", pstatus if status == "IN_PROGRESS" else "In Process"))
            if status == "RESOLVED":
                events.append((tid, updated, "resolved", resolution or "Solved", "RESOLVED", pstatus))
            if sync == "failed":
                events.append((tid, updated, "error", last_error, status, pstatus))
            refs = []
            if external:
                refs.append((provider, external, tid, "external"))
            if zendesk:
                refs.append((provider, zendesk, tid, "zendesk"))
            atts = []
            if not cardlytics and r.random() < 0.25:
                atts.append((tid, "log", f"app-{ref}.log", r.randrange(10_000, 5_000_000),
                             f"{r.getrandbits(256):064x}", "text/plain", None,
                             f"http://sandbox.invalid/support/s3/{ref}.log", "remote", _iso(created)))
            if r.random() < 0.12:
                atts.append((tid, "photo", f"receipt-{ref}.jpg", r.randrange(100_000, 4_000_000),
                             f"{r.getrandbits(256):064x}", "image/jpeg", None,
                             f"http://sandbox.invalid/support/s3/{ref}.jpg", "remote", _iso(created)))
            yield row, events, refs, atts


_TICKET_COLS = ("id, provider, external_id, zendesk_id, status, provider_status, sync_state, last_error, "
                "customer_id, email, subject, description, resolution, created_at, updated_at, "
                "resolved_at, data, search_messages")


def fill(db_path: str | Path, n: int, seed: int = 1, *, batch: int = 50_000, quiet: bool = True) -> dict[str, float]:
    """Create `db_path` (must not exist) holding `n` tickets; returns counts and timings.

    The file is an ordinary Supportdesk cache at the current schema version: Store(db_path) opens
    it without migrating, and the FTS index and triggers are in place for later writes."""
    db_path = Path(db_path)
    if db_path.exists():
        raise FileExistsError(f"{db_path} exists; fill() makes a new cache")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1048576")  # 1 GiB for the load and the index builds
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA threads=2")  # index builds sort on both cores
    conn.execute("PRAGMA foreign_keys=OFF")
    for number, script in enumerate(MIGRATIONS, start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
    # Indexes and FTS triggers as the app defines them, to re-create after the load.
    deferred = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
        "((type = 'index' AND tbl_name IN ('tickets', 'ticket_refs', 'events', 'attachments')) "
        "OR (type = 'trigger' AND tbl_name = 'tickets'))").fetchall()
    conn.execute("BEGIN")
    for kind, name, _sql in deferred:
        conn.execute(f"DROP {kind.upper()} {name}")
    gen = _Gen(seed)
    t_rows: list[tuple[Any, ...]] = []
    e_rows: list[tuple[Any, ...]] = []
    r_rows: list[tuple[Any, ...]] = []
    a_rows: list[tuple[Any, ...]] = []
    counts = {"tickets": 0, "events": 0, "refs": 0, "attachments": 0}

    def flush() -> None:
        conn.executemany(f"INSERT INTO tickets ({_TICKET_COLS}) VALUES ({','.join('?' * 18)})", t_rows)
        conn.executemany("INSERT INTO ticket_refs (provider, ref, ticket_id, kind) VALUES (?,?,?,?)", r_rows)
        conn.executemany("INSERT INTO attachments (ticket_id, kind, name, size, sha256, media_type, "
                         "cached_path, remote_url, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)", a_rows)
        counts["tickets"] += len(t_rows)
        counts["refs"] += len(r_rows)
        counts["attachments"] += len(a_rows)
        t_rows.clear(), r_rows.clear(), a_rows.clear()

    for row, events, refs, atts in gen.tickets(n):
        t_rows.append(row)
        e_rows.extend(events)
        r_rows.extend(refs)
        a_rows.extend(atts)
        if len(t_rows) >= batch:
            flush()
            if not quiet:
                print(f"  {counts['tickets']:>9,} tickets", file=sys.stderr, flush=True)
    flush()
    t_load = time.perf_counter()
    # Events in the order they happened, as a cache filled over the years would hold them.
    e_rows.sort(key=lambda e: e[1])
    conn.executemany("INSERT INTO events (ticket_id, at, kind, summary, status, provider_status) "
                     "VALUES (?,?,?,?,?,?)", ((e[0], _iso(e[1]), *e[2:]) for e in e_rows))
    counts["events"] = len(e_rows)
    del e_rows
    t_events = time.perf_counter()
    for kind, _name, sql in deferred:
        if kind == "index":
            conn.execute(sql)
    t_index = time.perf_counter()
    conn.execute(fts_index_sql("1"))  # the app's own FTS insert, for every ticket at once
    t_fts = time.perf_counter()
    for kind, _name, sql in deferred:
        if kind == "trigger":
            conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    t_end = time.perf_counter()
    timings = {"load_s": t_load - t0, "events_s": t_events - t_load, "index_s": t_index - t_events,
               "fts_s": t_fts - t_index, "total_s": t_end - t0}
    if not quiet:
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), file=sys.stderr)
    return {**counts, **timings}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db", type=Path)
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    info = fill(a.db, a.n, a.seed, quiet=False)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
