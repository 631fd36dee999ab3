"""The service layer in-process against the sandbox: identity rules, token expiry, webhook intake."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from supportdesk.app import build_services
from supportdesk.config import Config, Secrets
from supportdesk.models.cardlytics import CreateTicketRequest
from supportdesk.models.ticket import SyncState, TicketStatus
from supportdesk.providers.transport import RetryPolicy
from tests.conftest import DEMO_SECRETS

pytestmark = pytest.mark.timeout(120)


def make_config(tmp_path, base: str, env: dict | None = None) -> Config:
    settings_ = {
        "cardlytics": {"base_url": f"{base}/csaapi/v2"},
        "support": {"base_url": f"{base}/support/api"},
        "radar": {"base_url": f"{base}/radar", "username": "sandbox-desk"},
        "offers_feedback": {"base_url": f"{base}/offers/feedback"},
        "wasabi": {"post_url": f"{base}/wasabi/events"},
    }
    return Config(profile="test", data_dir=tmp_path / "data", config_path=None, settings=settings_,
                  secrets=Secrets("test", env={**DEMO_SECRETS, **(env or {})}, keyring_module=_NoKeyring()))


class _NoKeyring:
    def get_password(self, *a):
        return None


@pytest.fixture
async def services(tmp_path, sandbox):
    svc = build_services(make_config(tmp_path, sandbox.base_url), retry=RetryPolicy(attempts=1))
    yield svc
    await svc.aclose()


def _stats(server) -> dict:
    return httpx.get(server.base_url + "/_sandbox/stats").json()


async def test_radar_second_invitation_after_token_expiry_logs_in_again(tmp_path, sandbox_factory):
    server = sandbox_factory(token_ttl=1.0)
    svc = build_services(make_config(tmp_path, server.base_url), retry=RetryPolicy(attempts=1))
    try:
        args = dict(client="8291a9ed952342c5b5fe2915f2189e7c", programme="1cf118a0326d47aa851a90b9674e90aa",
                    location="f88c422bcca2a92b03a56cc1057a40b2", email="dave@example.com")
        first = await svc.invitations.send(**args)
        await asyncio.sleep(1.5)
        second = await svc.invitations.send(**args)
        assert first.sync_state is SyncState.SENT and second.sync_state is SyncState.SENT
        assert _stats(server)["radar"]["logins"] == 2
    finally:
        await svc.aclose()


async def test_resent_cardlytics_create_already_exists_means_delivered(services, sandbox):
    t = await services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
        description="Cashback missing", send_now=False)
    item = services.store.outbox.for_target(t.id)[0]
    # The first attempt landed but its reply was lost: the row is back to pending, attempted once.
    await services.clients["cardlytics"].create_ticket(
        CreateTicketRequest(**item.payload))
    services.store.outbox.claim(item.id)
    services.store.outbox.mark_retry(item.id, "lost reply", 0, maybe_delivered=True)
    outcome = await services.sender.deliver(item.id)
    assert outcome.state == "sent"
    assert services.tickets.get(t.id).sync_state is SyncState.SENT
    assert _stats(sandbox)["cardlytics"]["create_calls"][t.external_id] == 2
    assert _stats(sandbox)["cardlytics"]["tickets"] == 1


async def test_already_exists_on_a_first_send_is_a_real_error(services, sandbox, tmp_path):
    first = await services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
        description="Cashback missing", source_ticket_id="taken-elsewhere")
    assert first.sync_state is SyncState.SENT
    # Another desk (its own cache) uses the same sourceTicketId: its first send shows the error.
    other = build_services(make_config(tmp_path / "other", sandbox.base_url), retry=RetryPolicy(attempts=1))
    try:
        second = await other.tickets.create_cardlytics(
            offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
            description="Another", source_ticket_id="taken-elsewhere")
        assert second.sync_state is SyncState.FAILED and "Ticket already exists" in second.last_error
        # Retried by the agent, it is still someone else's ticket: no earlier send of ours landed.
        row = other.store.outbox.for_target(second.id)[0]
        assert other.store.outbox.retry(row.id)
        assert (await other.sender.deliver(row.id)).state == "failed"
        assert other.tickets.get(second.id).sync_state is SyncState.FAILED
        # Resubmitted under a new sourceTicketId: the old row no longer waits to be retried.
        fixed = await other.tickets.resubmit(second.id, description="Another, resubmitted")
        assert fixed.sync_state is SyncState.SENT and fixed.external_id == f"{second.id}-2"
        assert other.store.outbox.undelivered() == []
    finally:
        await other.aclose()


async def test_error_event_then_resubmit_gets_a_new_source_ticket_id(services, sandbox):
    t = await services.tickets.create_cardlytics(
        offer_id=999, transaction_ids=[1], customer_id="1756524", description="Wrong offer id here")
    intake = services.webhook_intake("s3cret-hook")
    for _ in range(50):
        view = httpx.get(f"{sandbox.base_url}/_sandbox/cardlytics/{t.external_id}").json()
        if view["events"]:
            break
        await asyncio.sleep(0.1)
    event = view["events"][0]
    assert event["processingStatus"] == "Error"
    status, _ = intake.handle("s3cret-hook", json.dumps(event).encode())
    assert status == 204
    failed = services.tickets.get(t.id)
    assert failed.sync_state is SyncState.FAILED and failed.status is TicketStatus.OPEN
    assert "Invalid offer Id" in failed.last_error
    # A duplicate event changes nothing.
    n_events = len(failed.events)
    intake.handle("s3cret-hook", json.dumps(event).encode())
    assert len(services.tickets.get(t.id).events) == n_events
    fixed = await services.tickets.resubmit(t.id, offer_id=1000030804, transaction_ids=[1132328647])
    assert fixed.id == t.id and fixed.external_id == f"{t.id}-2"
    assert fixed.sync_state is SyncState.SENT
    # A late event for the first submission is history only.
    intake.handle("s3cret-hook", json.dumps(event).encode())
    assert services.tickets.get(t.id).sync_state is SyncState.SENT


async def test_late_event_never_moves_a_ticket_backwards(services):
    t = await services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
        description="Order test", send_now=True)
    intake = services.webhook_intake("k3y-hook")
    closed = {"sourceTicketId": t.external_id, "sourceCustomerId": "1756524",
              "processingStatus": "Success", "status": "Closed",
              "resolutionType": "No Credit: Reward Pending"}
    assert intake.handle("k3y-hook", json.dumps(closed).encode())[0] == 204
    late = {"sourceTicketId": t.external_id, "sourceCustomerId": 1756524,
            "processingStatus": "Success", "status": "In Process"}
    assert intake.handle("k3y-hook", json.dumps(late).encode())[0] == 204
    after = services.tickets.get(t.id)
    assert after.status is TicketStatus.RESOLVED and after.resolution == "No Credit: Reward Pending"


async def test_the_same_support_record_again_changes_nothing(services):
    """ticket list is newest first by updated_at: a refresh that brings nothing new must not move it
    (creationDate's milliseconds against the cache's whole seconds once read as a change)."""
    from pathlib import Path

    from supportdesk.models.support import SupportRecord

    sample = json.loads((Path(__file__).parents[1] / "fixtures" / "seeds" / "support_search_response.json")
                        .read_text(encoding="utf-8"))["data"][0]
    assert sample["creationDate"] % 1000  # the seed's time has milliseconds
    record = SupportRecord.model_validate(sample)
    first = services.updater.apply_support(record, origin="search")
    before = services.tickets.get(first.id)
    await asyncio.sleep(1.1)  # a bump would show in whole seconds
    services.updater.apply_support(record, origin="search")
    after = services.tickets.get(first.id)
    assert (after.updated_at, len(after.events)) == (before.updated_at, len(before.events))


async def test_export_dates_of_a_cardlytics_ticket_are_cardlytics_own(services):
    """PROVIDERS.md's wasabi table: createdAt is ticketCreatedDate, resolvedAt ticketSolvedDate."""
    from pathlib import Path

    from supportdesk.models.cardlytics import RetrievedTicket

    t = await services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
        description="Expected 10% cashback", send_now=True)
    sample = json.loads((Path(__file__).parents[1] / "fixtures" / "seeds" / "cardlytics_retrieve_response.json")
                        .read_text(encoding="utf-8"))
    # Closed before this desk polled it: a webhook said so first, with no date.
    intake = services.webhook_intake("k3y-hook")
    closed = {"sourceTicketId": t.external_id, "sourceCustomerId": "1756524",
              "processingStatus": "Success", "status": "Closed"}
    assert intake.handle("k3y-hook", json.dumps(closed).encode())[0] == 204
    services.updater.apply_cardlytics_retrieve(RetrievedTicket.model_validate({**sample, "sourceTicketId": t.external_id}))
    events = list(services.export.events())
    assert {e["body"]["createdAt"] for e in events} == {"2024-06-13T22:48:17Z"}
    assert [e["body"].get("resolvedAt") for e in events if e["body"]["status"] == "RESOLVED"] == ["2024-06-13T23:06:16Z"]
    # A later answer with another creation date (as a resubmission's would be) does not move it.
    later = {**sample, "sourceTicketId": t.external_id, "ticketCreatedDate": "2024-07-01T08:00:00Z"}
    services.updater.apply_cardlytics_retrieve(RetrievedTicket.model_validate(later))
    assert {e["body"]["createdAt"] for e in services.export.events()} == {"2024-06-13T22:48:17Z"}


async def test_a_ticket_an_event_closed_is_read_once_more_for_its_solved_date(services, sandbox):
    t = await services.tickets.create_cardlytics(
        offer_id=1000030804, transaction_ids=[1132328647], customer_id="1756524",
        description="Expected 10% cashback", send_now=True)
    for _ in range(100):  # the sandbox processes, then closes it
        view = httpx.get(f"{sandbox.base_url}/_sandbox/cardlytics/{t.external_id}").json()
        if any(e.get("status") == "Closed" for e in view["events"]):
            break
        await asyncio.sleep(0.1)
    closed = next(e for e in view["events"] if e.get("status") == "Closed")
    intake = services.webhook_intake("k3y-hook")
    assert intake.handle("k3y-hook", json.dumps(closed).encode())[0] == 204  # an event has no date
    assert services.tickets.get(t.id).status is TicketStatus.RESOLVED
    await services.tickets.refresh_open()  # resolved tickets are not polled; this one is, once
    solved = services.clients["cardlytics"]
    retrieved = await solved.retrieve_ticket(t.external_id)
    assert retrieved.ticket_solved_date is not None
    assert services.tickets.get(t.id).resolved_at == retrieved.ticket_solved_date.replace(microsecond=0)
    assert services.updater.solved_date_wanted() == []


async def test_the_windows_share_of_open_tickets_takes_the_newest_and_turns_through_the_rest(services):
    """A window's sync refreshes a bounded share of the unresolved tickets (the CLI's all of them):
    the most recently updated half each time, and the older ones in turn."""
    from datetime import timedelta

    from supportdesk.models.ticket import Ticket, utcnow

    store = services.store
    base = utcnow() - timedelta(days=1)
    for n in range(11):
        store.tickets.insert(Ticket(id=f"SD-{n:06d}", provider="support", external_id=f"Z{n}",
                                    status=TicketStatus.OPEN, sync_state=SyncState.SYNCED,
                                    customer_id="c", subject=f"s{n}", created_at=base,
                                    updated_at=base + timedelta(minutes=n)))
    store.tickets.insert(Ticket(id="SD-RESOLVED", provider="support", external_id="ZR",
                                status=TicketStatus.RESOLVED, sync_state=SyncState.SYNCED, customer_id="c",
                                subject="done", created_at=base, updated_at=base + timedelta(hours=1)))
    newest = {"SD-000010", "SD-000009"}
    older: list[str] = []
    for _ in range(4):
        share = [t.id for t in services.tickets.open_share(4)]
        assert len(share) == len(set(share)) and newest <= set(share) and "SD-RESOLVED" not in share
        older += [i for i in share if i not in newest]
    # The nine older ones, two per round, newest first, then from the start again.
    assert older == [f"SD-{n:06d}" for n in (8, 7, 6, 5, 4, 3, 2, 1)]
    assert [t.id for t in services.tickets.open_share(4)][2:] == ["SD-000000"]
    assert [t.id for t in services.tickets.open_share(4)][2:] == ["SD-000008", "SD-000007"]
    assert len(services.store.tickets.unresolved()) == 11  # the CLI's sync: every one


async def test_no_secret_reaches_the_data_dir(tmp_path, sandbox_factory):
    secrets = {"radar_password": "Rp-93jd-SECRETVALUE", "clientkey": "Ck-SECRETVALUE-1",
               "clientpass": "Cp-SECRETVALUE-2", "apikey": "Ak-SECRETVALUE-3",
               "auth": "Hdr-SECRETVALUE-4", "hook": "Wh-SECRETVALUE-5"}
    server = sandbox_factory(radar_password=secrets["radar_password"],
                             offers_clientkey=secrets["clientkey"], offers_clientpass=secrets["clientpass"],
                             offers_apikey=secrets["apikey"], cardlytics_auth=("X-Api-Key", secrets["auth"]),
                             support_auth=("X-Api-Key", secrets["auth"]))
    env = {"SUPPORTDESK_SECRET_RADAR_PASSWORD": secrets["radar_password"],
           "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTKEY": secrets["clientkey"],
           "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_CLIENTPASS": secrets["clientpass"],
           "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_APIKEY": secrets["apikey"],
           "SUPPORTDESK_SECRET_CARDLYTICS_AUTH_VALUE": secrets["auth"],
           "SUPPORTDESK_SECRET_SUPPORT_AUTH_VALUE": secrets["auth"]}
    cfg = make_config(tmp_path, server.base_url, env)
    cfg.settings["cardlytics"]["auth_header"] = "X-Api-Key"
    cfg.settings["support"]["auth_header"] = "X-Api-Key"
    from supportdesk.app import setup_logging

    setup_logging(cfg, verbose=True)
    svc = build_services(cfg, retry=RetryPolicy(attempts=1))
    try:
        t = await svc.tickets.create_cardlytics(offer_id=1000030804, transaction_ids=[1132328647],
                                                customer_id="1756524", description="Secret scan")
        assert t.sync_state is SyncState.SENT
        s = await svc.tickets.create_support(uuid_="79af4bc5-a995-4262-92ee-0da381ccaf07", udid="D1",
                                             subject="S", message="M", email="a@example.com", category="c")
        assert s.sync_state is SyncState.SYNCED
        inv = await svc.invitations.send(client="8291a9ed952342c5b5fe2915f2189e7c",
                                         programme="1cf118a0326d47aa851a90b9674e90aa",
                                         location="f88c422bcca2a92b03a56cc1057a40b2", email="d@example.com")
        assert inv.sync_state is SyncState.SENT
        fb = await svc.feedback.send(user_id="u@example.com", offer_code="CST10", bank_code="NWB",
                                     outlet_code="CST-LDN-001", feedback_type="1", lat=51.5, lon=-0.1,
                                     comment="declined")
        assert fb.sync_state is SyncState.SENT
        # Wrong credentials: the error shown carries no secret either.
        server.set_faults(fault_rate=0.0)
        intake = svc.webhook_intake(secrets["hook"])
        intake.handle("wrong", b"{}")
        with open(tmp_path / "export.ndjson", "w") as f:
            svc.export.write(f)
        await svc.tickets.refresh_open()
    finally:
        await svc.aclose()
    import logging

    for h in logging.getLogger().handlers:
        h.flush()
    found = []
    for path in (tmp_path).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path), k) for k, v in secrets.items() if v.encode() in data]
    assert found == []
    assert list((tmp_path / "data" / "logs").glob("*.log")), "the run must have logged something"


HOOK = "fuzz-hook-secret"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                 lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=5),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"sourceTicketId": st.text(max_size=10), "sourceCustomerId":
                           st.one_of(st.integers(), st.text(max_size=10)),
                           "processingStatus": st.text(max_size=10)},
                          optional={"status": st.one_of(st.none(), st.text(max_size=10)),
                                    "cdlxTicketId": st.one_of(st.integers(), st.text(max_size=5))}
                          ).map(lambda v: json.dumps(v).encode()),
))
def test_webhook_intake_fuzz_never_crashes_or_half_writes(tmp_path_factory, body):
    from supportdesk.services.updates import TicketUpdater
    from supportdesk.services.webhook import WebhookIntake
    from supportdesk.store import Store

    store = Store(tmp_path_factory.mktemp("fuzz") / "c.db")
    try:
        intake = WebhookIntake(store, TicketUpdater(store), HOOK)
        status, _ = intake.handle(HOOK, body)
        assert status in (204, 422)
        assert store.db.one("SELECT COUNT(*) FROM tickets")[0] == 0
        assert store.db.one("SELECT COUNT(*) FROM events")[0] == 0
        assert intake.handle(None, body)[0] == 401
    finally:
        store.close()


async def test_uploads_carry_the_files_own_names(tmp_path):
    """The cache keeps copies named by their content; the provider gets the agent's file names."""
    from pathlib import Path

    seeds = Path(__file__).parents[1] / "fixtures" / "seeds"
    created = json.loads((seeds / "support_create_response.json").read_text(encoding="utf-8"))
    uploaded = json.loads((seeds / "support_upload_response.json").read_text(encoding="utf-8"))
    names: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/user/log/message"):
            return httpx.Response(200, json=created)
        body = request.read()
        names.append(body.split(b'filename="', 1)[1].split(b'"', 1)[0].decode())
        if request.url.path.endswith("/common/upload/file"):
            return httpx.Response(200, json={"data": {"name": "img-1.jpg"}})
        return httpx.Response(200, json=uploaded)

    svc = build_services(make_config(tmp_path, "http://provider.test"), retry=RetryPolicy(attempts=1),
                         transport=httpx.MockTransport(handler))
    try:
        photo = tmp_path / "receipt-costa.jpg"
        photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 64)
        log = tmp_path / "app.log"
        log.write_text("2026-03-02 09:00:00 INFO started\n")
        t = await svc.tickets.create_support(
            uuid_="79af4bc5-a995-4262-92ee-0da381ccaf07", udid="7237F578-828D-43D9-995D-F8B7AC8A4881",
            subject="Slip", message="Photo attached", email="john@example.com", category="card",
            images=[photo])
        await svc.attachments.upload(t.id, log, "log")
    finally:
        await svc.aclose()
    assert names == ["receipt-costa.jpg", "app.log"]
