"""The sandbox provider server, exercised over real loopback HTTP the way a client (or curl) would.

Every rule checked here is from PROVIDERS.md; the sandbox is written from that page, not from the
app's models.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PIL import Image

from supportdesk.sandbox import (
    DEMO_OFFERS_APIKEY,
    DEMO_OFFERS_CLIENTKEY,
    DEMO_OFFERS_CLIENTPASS,
    DEMO_RADAR_PASSWORD,
    DEMO_RADAR_USERNAME,
    SandboxServer,
)

pytestmark = pytest.mark.timeout(60)

RESOLUTION_TYPES = {"No Credit: Not eligible for reward", "No Credit: Reward Pending",
                    "No Credit: Reward Received", "Courtesy Credit"}
SEED_CUSTOMER = 1756524  # the document's sample customer and offer
SEED_OFFER = 1000030804
SEED_TRANSACTION = 1132328647
RADAR_CLIENT = "8291a9ed952342c5b5fe2915f2189e7c"
RADAR_PROGRAMME = "1cf118a0326d47aa851a90b9674e90aa"


# -- fixtures and helpers -----------------------------------------------------------------------
@pytest.fixture
def make_sandbox(sandbox_factory):
    def make(**overrides) -> SandboxServer:
        overrides.setdefault("processing_delay", 30.0)  # tests advance explicitly unless they say so
        overrides.setdefault("close_delay", 30.0)
        return sandbox_factory(**overrides)

    return make


@pytest.fixture
def sandbox(make_sandbox) -> SandboxServer:
    return make_sandbox()


@pytest.fixture
def client():
    with httpx.Client(timeout=10.0) as c:
        yield c


class WebhookReceiver:
    """A tiny listener that stores every event POSTed to / (answers 204, or 401 for a bad secret)."""

    def __init__(self, secret: str, fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.calls: list[dict] = []
        self.events: list[dict] = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.cond:
                    receiver.calls.append({"path": self.path, "secret": self.headers.get("X-Webhook-Secret")})
                    if receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        status = 503
                    elif self.headers.get("X-Webhook-Secret") != receiver.secret:
                        status = 401
                    else:
                        receiver.events.append(json.loads(body))
                        status = 204
                    receiver.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.events) >= count, timeout=timeout)
            return list(self.events)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = WebhookReceiver(secret="s3cret-hook")
    yield r
    r.close()


def ticket_body(sid: str, **changes) -> dict:
    body = {"sourceTicketId": sid, "sourceCustomerId": SEED_CUSTOMER, "offerId": SEED_OFFER,
            "transactionIds": [SEED_TRANSACTION], "description": "Cashback of 10% missing for a Costa purchase",
            "authorEmailAddress": "agent@example.com"}
    body.update(changes)
    return body


def resolved_id(prefix: str) -> str:
    """A sourceTicketId whose final resolution is not Blank (the sandbox's documented rule)."""
    n = 0
    while zlib.crc32(f"{prefix}-{n}".encode()) % 5 == 4:
        n += 1
    return f"{prefix}-{n}"


def stats(client: httpx.Client, sandbox: SandboxServer) -> dict:
    return client.get(f"{sandbox.base_url}/_sandbox/stats").json()


def poll(fn, timeout: float = 5.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# -- root, seed, control ---------------------------------------------------------------------------
def test_root_lists_every_base_url_for_the_port_served(sandbox, client):
    base = f"http://127.0.0.1:{sandbox.port}"
    answer = client.get(base + "/").json()
    assert answer == {
        "cardlytics": {"base_url": f"{base}/csaapi/v2"},
        "support": {"base_url": f"{base}/support/api"},
        "radar": {"base_url": f"{base}/radar"},
        "offers_feedback": {"base_url": f"{base}/offers/feedback"},
        "wasabi": {"base_url": f"{base}/wasabi", "post_url": f"{base}/wasabi/events"},
    }
    assert sandbox.urls() == {"cardlytics": f"{base}/csaapi/v2", "support": f"{base}/support/api",
                              "radar": f"{base}/radar", "offers_feedback": f"{base}/offers/feedback",
                              "wasabi": f"{base}/wasabi/events"}


def test_seed_has_bootstrap_data_and_demo_credentials(sandbox, client):
    seed = client.get(f"{sandbox.base_url}/_sandbox/seed").json()
    assert seed["credentials"]["radar"] == {"username": DEMO_RADAR_USERNAME, "password": DEMO_RADAR_PASSWORD}
    assert seed["credentials"]["offers_feedback"]["apikey"] == DEMO_OFFERS_APIKEY
    customers = [c["sourceCustomerId"] for c in seed["cardlytics"]["customers"]]
    assert SEED_CUSTOMER in customers and "6a4a5ce6-9484-4051-84c7-07b5d845ab5c" in customers
    assert SEED_OFFER in [o["offerId"] for o in seed["cardlytics"]["offers"]]
    assert len(seed["support"]["users"]) == 8
    assert all(u["phone"].startswith("+") for u in seed["support"]["users"])
    tickets = seed["support"]["tickets"]
    assert len(tickets) == 15
    assert {"CREATED", "OPEN", "PENDING", "SOLVED"} <= {t["seededStatus"] for t in tickets}
    assert sum(t["hasLog"] for t in tickets) >= 3 and sum(t["hasPhoto"] for t in tickets) >= 3
    programmes = seed["radar"]["programmes"]
    assert len(programmes) == 2 and sum(p["postmarkId"] is None for p in programmes) == 1
    two_pom = [loc for loc in seed["radar"]["locations"] if len(loc["poms"]) >= 2]
    assert len(two_pom) == 1
    assert "7547ct569yh67n0326vghddte86bkkn" in [p["pomDisplayId"] for p in two_pom[0]["poms"]]
    assert "Invalid offer Id" in seed["cardlytics"]["rules"]


def test_seed_hides_credentials_that_are_not_the_demo_ones(make_sandbox, client):
    sandbox = make_sandbox(radar_password="real-secret-pw", offers_apikey="real-api-key")
    text = client.get(f"{sandbox.base_url}/_sandbox/seed").text
    assert "real-secret-pw" not in text and "real-api-key" not in text
    assert DEMO_RADAR_USERNAME in text


def test_runtime_config_endpoint_validates_and_applies(sandbox, client):
    url = f"{sandbox.base_url}/_sandbox/config"
    bad = client.post(url, json={"fault_rate": 1.5})
    assert bad.status_code == 400 and "fault_rate" in bad.json()["message"]
    assert client.post(url, json={"nonsense": 1}).status_code == 400
    ok = client.post(url, json={"latency_ms": 5, "webhook_url": "http://127.0.0.1:9/", "webhook_secret": "x"})
    assert ok.status_code == 200
    assert ok.json()["latency_ms"] == 5 and ok.json()["webhook_secret_set"] is True
    assert "x" not in ok.json().values()
    assert sandbox.config.webhook_url == "http://127.0.0.1:9/"


# -- cardlytics -----------------------------------------------------------------------------------
def test_cardlytics_create_answers_202_and_retrieve_has_documented_shape(sandbox, client):
    base = sandbox.urls()["cardlytics"]
    created = client.post(f"{base}/tickets", json=ticket_body("shape-1"))
    assert created.status_code == 202 and created.content == b""
    got = client.get(f"{base}/tickets/shape-1").json()
    assert got["status"] == "In Process"
    assert got["sourceCustomerId"] == 70940001756524  # institution prefix, as in the document
    assert isinstance(got["cdlxTicketId"], int)
    assert got["ticketCreatedDate"].endswith("Z")
    assert got["transactionIds"] == [SEED_TRANSACTION] and got["offerId"] == SEED_OFFER
    assert got["redemptionIds"] == [] and "ticketSolvedDate" not in got

    advance = f"{sandbox.base_url}/_sandbox/cardlytics/shape-1/advance"
    first = client.post(advance).json()
    assert first["event"]["processingStatus"] == "Success" and first["event"]["status"] == "In Process"
    got = client.get(f"{base}/tickets/shape-1").json()
    assert len(got["activationDate"]) == 19 and "Z" not in got["activationDate"]  # no zone
    client.post(advance)
    got = client.get(f"{base}/tickets/shape-1").json()
    assert got["status"] == "Closed" and got["ticketSolvedDate"].endswith("Z")
    assert client.post(advance).status_code == 409  # already final


def test_cardlytics_keeps_uuid_customer_ids_unprefixed(sandbox, client):
    base = sandbox.urls()["cardlytics"]
    body = ticket_body("uuid-1", sourceCustomerId="6a4a5ce6-9484-4051-84c7-07b5d845ab5c", transactionIds=[99])
    assert client.post(f"{base}/tickets", json=body).status_code == 202
    assert client.get(f"{base}/tickets/uuid-1").json()["sourceCustomerId"] == "6a4a5ce6-9484-4051-84c7-07b5d845ab5c"


@pytest.mark.parametrize(("changes", "field"), [
    ({"transactionIds": []}, "transactionIds"),
    ({"transactionIds": list(range(1, 12))}, "transactionIds"),
    ({"transactionIds": [5, 5]}, "transactionIds"),
    ({"offerId": "1000030804"}, "offerId"),
    ({"description": None}, "description"),
    ({"sourceTicketId": ""}, "sourceTicketId"),
    ({"authorEmailAddress": "not-an-email"}, "authorEmailAddress"),
])
def test_cardlytics_rejects_invalid_bodies_with_400(sandbox, client, changes, field):
    response = client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("bad-1", **changes))
    assert response.status_code == 400
    assert response.json()["message"].startswith(field)
    assert stats(client, sandbox)["cardlytics"]["tickets"] == 0


def test_cardlytics_rejects_the_documents_trailing_comma_sample(sandbox, client):
    raw = b'{"offerId": 1000030804, "transactionIds": [1132328647], "sourceTicketId": "testMonzo",' \
          b' "sourceCustomerId": 1756524, "description": "testMonzo description",}'
    response = client.post(f"{sandbox.urls()['cardlytics']}/tickets", content=raw,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.json()["message"]


def test_cardlytics_duplicate_answers_ticket_already_exists_and_keeps_the_ticket(sandbox, client):
    base = sandbox.urls()["cardlytics"]
    assert client.post(f"{base}/tickets", json=ticket_body("dup-1")).status_code == 202
    before = client.get(f"{base}/tickets/dup-1").json()
    again = client.post(f"{base}/tickets", json=ticket_body("dup-1", description="a different description"))
    assert again.status_code == 409 and again.json() == {"message": "Ticket already exists"}
    assert client.get(f"{base}/tickets/dup-1").json() == before
    s = stats(client, sandbox)["cardlytics"]
    assert s["create_calls"]["dup-1"] == 2 and s["tickets"] == 1 and s["duplicates"] == 1


def test_cardlytics_duplicate_as_error_event(make_sandbox, client, receiver):
    sandbox = make_sandbox(duplicate_mode="event", processing_delay=0.05, close_delay=30.0,
                           webhook_url=receiver.url, webhook_secret=receiver.secret)
    base = sandbox.urls()["cardlytics"]
    assert client.post(f"{base}/tickets", json=ticket_body("dup-ev")).status_code == 202
    assert client.post(f"{base}/tickets", json=ticket_body("dup-ev")).status_code == 202
    events = receiver.wait_for(2)
    errors = [e for e in events if e["processingStatus"] == "Error"]
    assert [e["processingStatusMessage"] for e in errors] == ["Ticket already exists"]
    assert stats(client, sandbox)["cardlytics"]["tickets"] == 1


def test_cardlytics_unknown_ticket_is_404(sandbox, client):
    response = client.get(f"{sandbox.urls()['cardlytics']}/tickets/never-created")
    assert response.status_code == 404 and response.json() == {"message": "Ticket not found"}


def test_cardlytics_webhook_delivers_success_then_closed_with_secret(make_sandbox, client, receiver):
    sandbox = make_sandbox(processing_delay=0.05, close_delay=0.1, webhook_url=receiver.url,
                           webhook_secret=receiver.secret)
    sid = resolved_id("hook")
    assert client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body(sid)).status_code == 202
    first, final = receiver.wait_for(2)
    assert all(call["secret"] == "s3cret-hook" and call["path"] == "/" for call in receiver.calls)
    assert first["processingStatus"] == "Success" and first["status"] == "In Process"
    assert first["sourceTicketId"] == sid and first["sourceCustomerId"] == SEED_CUSTOMER
    assert isinstance(first["cdlxTicketId"], int)
    assert final["processingStatus"] == "Success" and final["status"] == "Closed"
    assert final["resolutionType"] in RESOLUTION_TYPES and final["cardlyticsResponse"]
    got = client.get(f"{sandbox.urls()['cardlytics']}/tickets/{sid}").json()
    assert got["status"] == "Closed" and got["resolutionType"] == final["resolutionType"]
    results = poll(lambda: [d["result"] for d in stats(client, sandbox)["cardlytics"]["webhook_deliveries"]
                            if d["result"] != "pending"] == ["delivered", "delivered"])
    assert results


def test_cardlytics_webhook_is_retried_after_a_5xx(make_sandbox, client):
    receiver = WebhookReceiver(secret="k", fail_first=1)
    try:
        sandbox = make_sandbox(processing_delay=0.01, close_delay=30.0, webhook_url=receiver.url,
                               webhook_secret="k", webhook_retry_delay=0.05)
        client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("retry-1"))
        assert receiver.wait_for(1)[0]["processingStatus"] == "Success"
        assert len(receiver.calls) == 2
        def settled():
            deliveries = stats(client, sandbox)["cardlytics"]["webhook_deliveries"]
            return [d for d in deliveries if d["result"] != "pending"]

        (delivery,) = poll(settled)
        assert delivery["attempts"] == 2 and delivery["result"] == "delivered" and delivery["httpStatus"] == 204
    finally:
        receiver.close()


@pytest.mark.parametrize(("changes", "message"), [
    ({"sourceCustomerId": 999999}, "Invalid customer Id"),
    ({"offerId": 1234567}, "Invalid offer Id"),
    ({"sourceCustomerId": 2048311}, "Invalid transaction Id"),  # the seeded transaction is someone else's
])
def test_cardlytics_error_event_for_data_the_seed_rejects(make_sandbox, client, receiver, changes, message):
    sandbox = make_sandbox(processing_delay=0.02, webhook_url=receiver.url, webhook_secret=receiver.secret)
    sid = f"err-{message.split()[1]}"
    assert client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body(sid, **changes)).status_code == 202
    (event,) = receiver.wait_for(1)
    assert event["processingStatus"] == "Error" and event["processingStatusMessage"] == message
    assert event["sourceTicketId"] == sid
    got = client.get(f"{sandbox.urls()['cardlytics']}/tickets/{sid}").json()
    assert got["status"] == "Closed" and got["cardlyticsResponse"] == message and "resolutionType" not in got
    time.sleep(0.1)
    assert len(receiver.events) == 1  # an Error is final: no Closed event follows


def test_cardlytics_state_advances_without_a_webhook(make_sandbox, client):
    sandbox = make_sandbox(processing_delay=0.05, close_delay=0.05)
    url = f"{sandbox.urls()['cardlytics']}/tickets"
    client.post(url, json=ticket_body("timer-1"))
    closed = poll(lambda: client.get(f"{url}/timer-1").json()["status"] == "Closed", timeout=3)
    assert closed


def test_static_auth_headers_are_required_when_configured(make_sandbox, client):
    sandbox = make_sandbox(cardlytics_auth=("X-Api-Key", "ck-123"), support_auth=("X-Api-Key", "sk-456"))
    urls = sandbox.urls()
    assert client.get(f"{urls['cardlytics']}/tickets/x").status_code == 401
    assert client.get(f"{urls['cardlytics']}/tickets/x", headers={"X-Api-Key": "wrong"}).status_code == 401
    assert client.get(f"{urls['cardlytics']}/tickets/x", headers={"X-Api-Key": "ck-123"}).status_code == 404
    search = f"{urls['support']}/admin/fetch/customer/support"
    assert client.post(search, json={}).status_code == 401
    assert client.post(search, json={}, headers={"X-Api-Key": "sk-456"}).json()["error"] is False


# -- support --------------------------------------------------------------------------------------
def support_body(**changes) -> dict:
    body = {"uuid": "79af4bc5-a995-4262-92ee-0da381ccaf07", "udid": "7237F578-828D-43D9-995D-F8B7AC8A4881",
            "subject": "Cashback missing", "message": "No cashback for my Costa purchase on Monday",
            "email": "john.connor@example.com", "name": "John Connor", "category": "cashback",
            "phone": "+447700900123"}
    body.update(changes)
    return body


def test_support_create_answers_a_full_record(sandbox, client):
    response = client.post(f"{sandbox.urls()['support']}/user/log/message", json=support_body())
    assert response.status_code == 200
    answer = response.json()
    assert answer["error"] is False and set(answer) == {"data", "detail", "error", "message"}
    record = answer["data"]
    assert record["id"] != record["ticketId"]
    assert record["ticketInfo"]["supportTicketId"].isdigit()
    assert record["ticketInfo"]["ticketStatus"] == "CREATED"
    assert record["ticketInfo"]["id"] == record["ticketId"]
    assert record["logPath"] is None and record["feedbackPhoto"] is None
    assert abs(record["creationDate"] / 1000 - time.time()) < 60
    assert record["user"]["id"] == support_body()["uuid"]
    assert record["device"]["udid"] == support_body()["udid"]


@pytest.mark.parametrize("missing", ["uuid", "udid", "subject", "message", "email", "category"])
def test_support_create_missing_field_is_an_error_envelope_with_status_200(sandbox, client, missing):
    body = support_body()
    del body[missing]
    response = client.post(f"{sandbox.urls()['support']}/user/log/message", json=body)
    assert response.status_code == 200
    assert response.json()["error"] is True and response.json()["data"] is None
    assert response.json()["message"] == f"{missing} is required"


def test_support_create_rejects_bad_phone_and_malformed_json(sandbox, client):
    url = f"{sandbox.urls()['support']}/user/log/message"
    assert client.post(url, json=support_body(phone="0211234321")).json()["error"] is True
    bad = client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"] is True


def test_support_search_is_and_over_criteria_and_ignores_empty_strings(sandbox, client):
    base = sandbox.urls()["support"]
    search = f"{base}/admin/fetch/customer/support"
    mine = client.post(f"{base}/user/log/message", json=support_body(email="only.me@example.org")).json()["data"]
    by_uuid = client.post(search, json={"uuid": support_body()["uuid"]}).json()["data"]
    assert len(by_uuid) == 3 and mine["id"] in [r["id"] for r in by_uuid]  # 2 seeded + 1 new
    both = client.post(search, json={"uuid": support_body()["uuid"], "email": "only.me@example.org",
                                     "zendeskTicketId": ""}).json()["data"]
    assert [r["id"] for r in both] == [mine["id"]]
    none = client.post(search, json={"uuid": support_body()["uuid"], "email": "priya.raman@example.in"}).json()
    assert none["error"] is False and none["data"] == []
    by_zendesk = client.post(search, json={"zendeskTicketId": mine["ticketInfo"]["supportTicketId"]}).json()["data"]
    assert [r["ticketId"] for r in by_zendesk] == [mine["ticketId"]]
    by_ticket = client.post(search, json={"ticketId": mine["ticketId"], "phone": "+447700900123"}).json()["data"]
    assert [r["id"] for r in by_ticket] == [mine["id"]]


def test_support_5mb_upload_round_trips_byte_for_byte(sandbox, client):
    base = sandbox.urls()["support"]
    record = client.post(f"{base}/user/log/message", json=support_body()).json()["data"]
    payload = os.urandom(5 * 1024 * 1024)
    up = client.post(f"{base}/user/help/file/upload/{record['id']}/LOG",
                     files={"file": ("device.log", payload, "text/plain")})
    assert up.status_code == 200 and up.json()["error"] is False
    assert up.json()["data"]["logPath"] and up.json()["data"]["feedbackPhoto"] is None
    down = client.get(f"{base}/aws/download/support/file/{record['ticketId']}/LOG")
    assert down.status_code == 200
    assert down.headers["content-type"].startswith("application/json")
    assert down.content == payload
    assert client.get(up.json()["data"]["logPath"]).content == payload
    assert client.get(f"{base}/aws/download/support/file/{record['ticketId']}/FEEDBACK_PHOTO").status_code == 404


def test_support_upload_errors(sandbox, client):
    base = sandbox.urls()["support"]
    record = client.post(f"{base}/user/log/message", json=support_body()).json()["data"]
    no_part = client.post(f"{base}/user/help/file/upload/{record['id']}/LOG", files={"other": ("a.txt", b"x")})
    assert no_part.status_code == 400 and no_part.json()["error"] is True
    unknown = client.post(f"{base}/user/help/file/upload/00000000-0000-4000-8000-000000000000/LOG",
                          files={"file": ("a.txt", b"x")})
    assert unknown.json()["error"] is True
    bad_kind = client.post(f"{base}/user/help/file/upload/{record['id']}/PDF", files={"file": ("a.txt", b"x")})
    assert bad_kind.status_code == 400


def test_support_seeded_files_are_downloadable(sandbox, client):
    seed = client.get(f"{sandbox.base_url}/_sandbox/seed").json()["support"]["tickets"]
    base = sandbox.urls()["support"]
    with_log = next(t for t in seed if t["hasLog"])
    log = client.get(f"{base}/aws/download/support/file/{with_log['ticketId']}/LOG")
    lines = log.content.decode().splitlines()
    assert len(lines) > 200
    assert {" INFO ", " WARN ", " ERROR ", " DEBUG"} <= {lvl for lvl in (" INFO ", " WARN ", " ERROR ", " DEBUG")
                                                       if any(lvl in line for line in lines)}
    with_photo = next(t for t in seed if t["hasPhoto"])
    photo = client.get(f"{base}/aws/download/support/file/{with_photo['ticketId']}/FEEDBACK_PHOTO")
    assert photo.headers["content-type"].startswith("application/json")
    image = Image.open(io.BytesIO(photo.content))
    assert image.format == "JPEG" and image.width >= 300


def test_support_common_upload_names_go_into_images(sandbox, client):
    base = sandbox.urls()["support"]
    up = client.post(f"{base}/common/upload/file", params={"bucketType": "LOG_IMAGE"},
                     files={"file": ("shot.jpeg", b"\xff\xd8\xff\xe0fakejpeg", "image/jpeg")})
    name = up.json()["data"]["name"]
    assert up.json()["error"] is False and name.endswith(".jpeg") and len(name) == 36 + 5
    made = client.post(f"{base}/user/log/message", json=support_body(images=[name])).json()
    assert made["error"] is False and made["data"]["ticketInfo"]["images"] == [name]
    unknown = client.post(f"{base}/user/log/message", json=support_body(images=["nope.jpeg"])).json()
    assert unknown["error"] is True


def test_support_status_progresses_over_time(make_sandbox, client):
    sandbox = make_sandbox(support_progress_delay=0.15)
    base = sandbox.urls()["support"]
    record = client.post(f"{base}/user/log/message", json=support_body()).json()["data"]
    assert record["ticketInfo"]["ticketStatus"] == "CREATED"
    time.sleep(0.5)
    found = client.post(f"{base}/admin/fetch/customer/support", json={"ticketId": record["ticketId"]}).json()
    assert found["data"][0]["ticketInfo"]["ticketStatus"] in {"SOLVED", "PENDING"}


def test_support_creates_are_counted_for_exactly_once_checks(sandbox, client):
    url = f"{sandbox.urls()['support']}/user/log/message"
    client.post(url, json=support_body())
    client.post(url, json=support_body())
    creates = stats(client, sandbox)["support"]["creates"]
    assert creates == [{"uuid": support_body()["uuid"], "subject": "Cashback missing",
                        "message": support_body()["message"], "count": 2}]


# -- radar ----------------------------------------------------------------------------------------
def radar_login(client, sandbox) -> str:
    answer = client.post(f"{sandbox.urls()['radar']}/auth/login",
                         json={"username": DEMO_RADAR_USERNAME, "password": DEMO_RADAR_PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["userName"] == DEMO_RADAR_USERNAME and isinstance(body["expiration"], float)
    assert 3500 < body["expiration"] - time.time() <= 3600
    return body["token"]


def invite(client, sandbox, token, recipient=None, programme=RADAR_PROGRAMME, **headers):
    seed = client.get(f"{sandbox.base_url}/_sandbox/seed").json()["radar"]
    one_pom = next(loc for loc in seed["locations"] if len(loc["poms"]) == 1)
    recipient = recipient or {"email": "dave@example.com", "mobile": "0211234321", "firstName": "Dave",
                              "locationDisplayId": one_pom["locationDisplayId"]}
    return client.post(f"{sandbox.urls()['radar']}/invitation",
                       json={"clientDisplayId": RADAR_CLIENT, "programmeDisplayId": programme,
                             "sendData": [recipient]},
                       headers={"Authorization": token, **headers})


def test_radar_login_and_invitation_with_bare_token(sandbox, client):
    token = radar_login(client, sandbox)
    answer = invite(client, sandbox, token)
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == "00000" and body["description"] == "success"
    assert isinstance(body["data"], str) and int(body["data"]) > 2**53
    assert stats(client, sandbox)["radar"]["invitations"][0]["id"] == body["data"]


def test_radar_wrong_credentials_are_401(sandbox, client):
    answer = client.post(f"{sandbox.urls()['radar']}/auth/login", json={"username": "x", "password": "y"})
    assert answer.status_code == 401
    assert answer.json() == {"code": "40100", "description": "Invalid username or password"}


def test_radar_token_missing_bearer_or_expired_is_401(make_sandbox, client):
    sandbox = make_sandbox(token_ttl=0.6)
    token = radar_login_ttl(client, sandbox)
    assert invite(client, sandbox, "").status_code == 401
    assert invite(client, sandbox, f"Bearer {token}").status_code == 401
    assert invite(client, sandbox, "not-a-token").status_code == 401
    assert invite(client, sandbox, token).status_code == 200
    time.sleep(0.7)
    expired = invite(client, sandbox, token)
    assert expired.status_code == 401 and expired.json()["description"] == "Token expired"


def radar_login_ttl(client, sandbox) -> str:
    return client.post(f"{sandbox.urls()['radar']}/auth/login",
                       json={"username": DEMO_RADAR_USERNAME, "password": DEMO_RADAR_PASSWORD}).json()["token"]


def test_radar_documented_400_texts(sandbox, client):
    token = radar_login(client, sandbox)
    seed = client.get(f"{sandbox.base_url}/_sandbox/seed").json()["radar"]
    sms_only = next(p for p in seed["programmes"] if p["postmarkId"] is None)
    two_pom = next(loc for loc in seed["locations"] if len(loc["poms"]) >= 2)
    unknown = invite(client, sandbox, token, {"email": "a@example.com", "locationDisplayId": "ffff0000ffff0000"})
    assert unknown.status_code == 400
    assert unknown.json()["description"] == ("No Feedback code found for this clientDisplayId, locationDisplayId, "
                                             "pomDisplayId & programmeDisplayId.")
    email_on_sms = invite(client, sandbox, token, {"email": "a@example.com", "locationDisplayId": two_pom[
        "locationDisplayId"], "pomDisplayId": two_pom["poms"][0]["pomDisplayId"]},
        programme=sms_only["programmeDisplayId"])
    assert email_on_sms.status_code == 400
    assert email_on_sms.json()["description"].startswith(
        "To send an email invitation, the programme must set Postmark ID.")
    sms = invite(client, sandbox, token, {"mobile": "0211234321", "locationDisplayId": two_pom["locationDisplayId"],
                                          "pomDisplayId": "7547ct569yh67n0326vghddte86bkkn"},
                 programme=sms_only["programmeDisplayId"])
    assert sms.status_code == 200


def test_radar_pom_required_on_a_two_pom_location_and_mandatory_attributes(sandbox, client):
    token = radar_login(client, sandbox)
    seed = client.get(f"{sandbox.base_url}/_sandbox/seed").json()["radar"]
    two_pom = next(loc for loc in seed["locations"] if len(loc["poms"]) >= 2)
    no_pom = invite(client, sandbox, token, {"email": "a@example.com", "locationDisplayId": two_pom["locationDisplayId"]})
    assert no_pom.status_code == 400 and "pomDisplayId" in no_pom.json()["description"]
    no_location = invite(client, sandbox, token, {"email": "a@example.com"})
    assert no_location.status_code == 400 and "locationDisplayId" in no_location.json()["description"]
    no_channel = invite(client, sandbox, token, {"locationDisplayId": two_pom["locationDisplayId"],
                                                 "pomDisplayId": "7547ct569yh67n0326vghddte86bkkn"})
    assert no_channel.status_code == 400 and "email or mobile" in no_channel.json()["description"]
    ok = invite(client, sandbox, token, {"email": "a@example.com", "locationDisplayId": two_pom["locationDisplayId"],
                                         "pomDisplayId": "7547ct569yh67n0326vghddte86bkkn",
                                         "metadata": [{"key": "booking_reference", "value": "122334345"}]})
    assert ok.status_code == 200


# -- offers_feedback ------------------------------------------------------------------------------
def offers_params(**changes) -> dict:
    params = {"action": "user_feedback", "clientkey": DEMO_OFFERS_CLIENTKEY, "clientpass": DEMO_OFFERS_CLIENTPASS,
              "apikey": DEMO_OFFERS_APIKEY, "user_id": "john.connor@example.com", "user_latitude": "51.5072",
              "user_longitude": "-0.1276", "feedback_type": "1", "comment": "Cashier refused the offer",
              "offer_code": "CST10", "your_bank_code": "NWB", "outlet_code": "CST-LDN-001"}
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def test_offers_feedback_success(sandbox, client):
    answer = client.get(sandbox.urls()["offers_feedback"], params=offers_params())
    assert answer.status_code == 200
    assert answer.json()["status"] == "success" and answer.json()["message"] == "Feedback recorded"
    recorded = stats(client, sandbox)["offers_feedback"]["feedback"]
    assert len(recorded) == 1 and recorded[0]["offer_code"] == "CST10"
    assert DEMO_OFFERS_APIKEY not in json.dumps(recorded)


@pytest.mark.parametrize(("changes", "message"), [
    ({"offer_code": None}, "Missing value: offer_code"),
    ({"apikey": ""}, "Missing value: apikey"),
    ({"clientpass": "wrong"}, "Invalid credentials"),
    ({"user_latitude": "91.5"}, "Invalid value: user_latitude"),
    ({"user_longitude": "east"}, "Invalid value: user_longitude"),
    ({"action": "other"}, "Invalid action"),
])
def test_offers_feedback_errors(sandbox, client, changes, message):
    answer = client.get(sandbox.urls()["offers_feedback"], params=offers_params(**changes))
    assert answer.status_code == 200 and answer.json()["status"] == "error"
    assert answer.json()["message"].startswith(message)


def test_offers_feedback_comment_is_optional(sandbox, client):
    answer = client.get(sandbox.urls()["offers_feedback"], params=offers_params(comment=None, action="feedback"))
    assert answer.json()["status"] == "success"


# -- wasabi ---------------------------------------------------------------------------------------
def test_wasabi_stores_valid_batches_and_rejects_invalid_events(sandbox, client):
    url = sandbox.urls()["wasabi"]
    event = {"eventType": "CUSTOMER_CARE_TICKET", "eventAction": "CREATED", "version": 1.0,
             "body": {"ticketId": "t-1", "customerId": "1756524", "status": "OPEN",
                      "createdAt": "2024-02-06T10:00:00Z", "updatedAt": "2024-02-06T12:45:00+01:00"}}
    assert client.post(url, json=[event]).json() == {"accepted": 1}
    no_offset = json.loads(json.dumps(event))
    no_offset["body"]["createdAt"] = "2024-02-06T10:00:00"
    int_customer = json.loads(json.dumps(event))
    int_customer["body"]["customerId"] = 1756524
    for bad in ([{"eventType": "X"}], [no_offset], [int_customer], [{**event, "version": "1.0"}], event):
        assert client.post(url, json=bad).status_code == 400
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["events"] == [event]


# -- faults and latency ---------------------------------------------------------------------------
def test_fault_rate_one_fails_every_provider_request(make_sandbox, client):
    sandbox = make_sandbox(fault_rate=1.0)
    urls = sandbox.urls()
    outcomes = []
    for i in range(24):
        try:
            if i % 3 == 0:
                r = client.post(f"{urls['cardlytics']}/tickets", json=ticket_body(f"f-{i}"))
            elif i % 3 == 1:
                r = client.post(f"{urls['support']}/admin/fetch/customer/support", json={})
            else:
                r = client.get(urls["offers_feedback"], params=offers_params())
        except httpx.TransportError:
            outcomes.append("transport")
        else:
            assert r.status_code == 503
            outcomes.append("503")
    assert "transport" in outcomes and "503" in outcomes
    s = stats(client, sandbox)  # /_sandbox is never faulted
    assert sum(s["faults"].values()) == 24
    assert s["faults"]["error"] == outcomes.count("503")
    # exactly the lost replies stored a ticket
    assert s["cardlytics"]["tickets"] == s["cardlytics"]["create_calls_total"]
    assert client.get(f"{sandbox.base_url}/").status_code == 200


def test_lost_reply_still_stores_the_write(make_sandbox, client):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("drop_after",))
    with pytest.raises(httpx.TransportError):
        client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("lost-1"))
    with pytest.raises(httpx.TransportError):
        client.post(f"{sandbox.urls()['support']}/user/log/message", json=support_body(subject="lost"))
    s = stats(client, sandbox)
    assert s["cardlytics"]["create_calls"] == {"lost-1": 1} and s["cardlytics"]["tickets"] == 1
    assert s["support"]["tickets_created"] == 1 and s["faults"]["drop_after"] == 2
    sandbox.set_faults(fault_rate=0.0)
    resend = client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("lost-1"))
    assert resend.status_code == 409 and resend.json()["message"] == "Ticket already exists"


def test_drop_before_processing_stores_nothing(make_sandbox, client):
    sandbox = make_sandbox(fault_rate=1.0, fault_kinds=("drop_before",))
    with pytest.raises(httpx.TransportError):
        client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("never-1"))
    s = stats(client, sandbox)
    assert s["cardlytics"]["tickets"] == 0 and s["faults"]["drop_before"] == 1


def test_latency_knob_delays_provider_requests_only(make_sandbox, client):
    sandbox = make_sandbox(latency_ms=300)
    started = time.monotonic()
    client.get(f"{sandbox.urls()['cardlytics']}/tickets/none")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.get(f"{sandbox.base_url}/_sandbox/stats")
    assert time.monotonic() - started < 0.25
    sandbox.set_faults(latency_ms=0)
    started = time.monotonic()
    client.get(f"{sandbox.urls()['cardlytics']}/tickets/none")
    assert time.monotonic() - started < 0.25


def test_access_log_never_shows_offers_secrets():
    import logging

    from supportdesk.sandbox.logs import RedactQueryFilter

    path = "/offers/feedback?action=user_feedback&clientkey=K1&clientpass=P1&apikey=A1&user_id=u"
    # As uvicorn's access logger makes it: client, method, path with query, HTTP version, status.
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", path, "1.1", 200), None)
    assert RedactQueryFilter().filter(record)
    assert record.getMessage() == ('127.0.0.1:5000 - "GET /offers/feedback?action=user_feedback&clientkey=***'
                                   '&clientpass=***&apikey=***&user_id=u HTTP/1.1" 200')


def test_stop_cancels_background_work_and_removes_the_temp_files_dir(make_sandbox, client):
    sandbox = make_sandbox()
    client.post(f"{sandbox.urls()['cardlytics']}/tickets", json=ticket_body("bg-1"))  # a pending timer task
    state = sandbox.app.state.sandbox
    files_dir = state.files_dir
    assert files_dir.exists() and state.tasks
    sandbox.stop()
    assert not state.tasks and not files_dir.exists()
    with pytest.raises(RuntimeError):
        sandbox.start()
