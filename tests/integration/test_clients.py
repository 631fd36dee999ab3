"""Provider clients against single scripted exchanges (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from supportdesk.models.cardlytics import CreateTicketRequest
from supportdesk.models.offers_feedback import FeedbackRequest
from supportdesk.models.radar import KNOWN_ERRORS, InvitationRequest
from supportdesk.models.support import CreateRequest, FileKind, SearchCriteria
from supportdesk.providers.cardlytics import CardlyticsClient
from supportdesk.providers.errors import AuthFailed, NotFound, ProviderBug, Rejected, Unreachable
from supportdesk.providers.offers_feedback import OffersFeedbackClient
from supportdesk.providers.radar import RadarClient
from supportdesk.providers.redaction import RedactingFilter, quiet_http_loggers, redact, register_secret
from supportdesk.providers.support import SupportClient
from supportdesk.providers.transport import HeaderSecretAuth, RetryPolicy, build_http_client
from supportdesk.providers.wasabi import WasabiClient

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
ONE_SHOT = RetryPolicy(attempts=1)
FAST_RETRY = RetryPolicy(attempts=3, timeout=5.0, wait_initial=0.01, wait_max=0.05)

Handler = Callable[[httpx.Request], Any]


def seed(name: str) -> Any:
    return json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))


def http(handler: Handler, base: str = "https://provider.test/api", **kw: Any) -> httpx.AsyncClient:
    return build_http_client(base, transport=httpx.MockTransport(handler), **kw)


def ticket() -> CreateTicketRequest:
    return CreateTicketRequest(source_ticket_id="SD-1/a", source_customer_id="1756524",
                               transaction_ids=[1132328647], offer_id=1000030804,
                               description="Reward missing")


def support_create() -> CreateRequest:
    return CreateRequest.model_validate(seed("support_create_request"))


def invitation() -> InvitationRequest:
    return InvitationRequest.model_validate(seed("radar_invitation_request"))


def full_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


# --- cardlytics --------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_cardlytics_create_sends_the_wire_body():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    async with http(handler, "https://cdlx.test/csaapi/v2") as client:
        await CardlyticsClient(client, ONE_SHOT).create_ticket(ticket())
    assert len(seen) == 1
    assert seen[0].method == "POST" and seen[0].url.path == "/csaapi/v2/tickets"
    assert json.loads(seen[0].content) == ticket().to_wire()
    assert json.loads(seen[0].content)["sourceCustomerId"] == 1756524
    assert seen[0].headers["content-type"] == "application/json"


@pytest.mark.asyncio
async def test_cardlytics_409_ticket_already_exists_is_rejected_with_its_text():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(409, json={"message": "Ticket already exists"})

    async with http(handler) as client:
        with pytest.raises(Rejected) as exc:
            await CardlyticsClient(client, FAST_RETRY).create_ticket(ticket())
    assert type(exc.value) is Rejected
    assert str(exc.value) == "Ticket already exists" and exc.value.status == 409
    assert exc.value.hint == "Check the ticket's fields and resubmit."
    assert calls == 1


@pytest.mark.asyncio
async def test_cardlytics_400_plain_text_message():
    async with http(lambda r: httpx.Response(400, text="Invalid offer Id")) as client:
        with pytest.raises(Rejected) as exc:
            await CardlyticsClient(client, ONE_SHOT).create_ticket(ticket())
    assert str(exc.value) == "Invalid offer Id" and exc.value.status == 400
    assert exc.value.provider == "cardlytics"


@pytest.mark.asyncio
async def test_cardlytics_retrieve_parses_and_quotes_the_id():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=seed("cardlytics_retrieve_response"))

    async with http(handler, "https://cdlx.test/csaapi/v2") as client:
        got = await CardlyticsClient(client, ONE_SHOT).retrieve_ticket("SD-1/a")
    assert got.cdlx_ticket_id == 111339 and got.status == "Closed"
    assert seen[0].url.raw_path == b"/csaapi/v2/tickets/SD-1%2Fa"


@pytest.mark.asyncio
async def test_cardlytics_retrieve_404_is_not_found():
    async with http(lambda r: httpx.Response(404, json={"message": "Ticket not found"})) as c:
        with pytest.raises(NotFound) as exc:
            await CardlyticsClient(c, FAST_RETRY).retrieve_ticket("nope")
    assert str(exc.value) == "Ticket not found" and exc.value.status == 404
    assert isinstance(exc.value, Rejected)


@pytest.mark.asyncio
async def test_cardlytics_retrieve_retries_a_503_then_succeeds():
    answers = [httpx.Response(503, headers={"Retry-After": "0"}, text="busy"),
               httpx.Response(200, json=seed("cardlytics_retrieve_response"))]
    async with http(lambda r: answers.pop(0)) as client:
        got = await CardlyticsClient(client, FAST_RETRY).retrieve_ticket("testMonzo")
    assert got.source_ticket_id == "testMonzo" and answers == []


@pytest.mark.asyncio
async def test_503_is_provider_bug_with_retry_after():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, headers={"Retry-After": "120"}, text="Service Unavailable")

    async with http(handler) as client:
        with pytest.raises(ProviderBug) as exc:
            await CardlyticsClient(client, FAST_RETRY).retrieve_ticket("t")
    assert exc.value.retry_after == 120.0 and exc.value.status == 503
    assert str(exc.value) == "Service Unavailable"
    assert calls == 1  # Retry-After longer than we wait in-process: left to the outbox


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [408, 429, 500, 502])
async def test_other_provider_bug_statuses(status):
    async with http(lambda r: httpx.Response(status)) as client:
        with pytest.raises(ProviderBug) as exc:
            await CardlyticsClient(client, ONE_SHOT).retrieve_ticket("t")
    assert exc.value.status == status


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [401, 403])
async def test_401_403_are_auth_failed(status):
    async with http(lambda r: httpx.Response(status, text="nope")) as client:
        with pytest.raises(AuthFailed) as exc:
            await CardlyticsClient(client, ONE_SHOT).create_ticket(ticket())
    assert exc.value.status == status and "Settings" in (exc.value.hint or "")


@pytest.mark.asyncio
async def test_connect_error_is_unreachable_and_not_delivered():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with http(handler) as client:
        with pytest.raises(Unreachable) as exc:
            await CardlyticsClient(client, ONE_SHOT).create_ticket(ticket())
    assert exc.value.maybe_delivered is False and exc.value.status is None
    assert "Connection refused" in str(exc.value)


@pytest.mark.asyncio
async def test_read_timeout_is_unreachable_and_maybe_delivered():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with http(handler) as client:
        with pytest.raises(Unreachable) as exc:
            await CardlyticsClient(client, ONE_SHOT).create_ticket(ticket())
    assert exc.value.maybe_delivered is True
    assert "Timed out" in str(exc.value)


@pytest.mark.asyncio
async def test_reads_are_retried_but_writes_are_not():
    calls = {"GET": 0, "POST": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls[request.method] += 1
        raise httpx.ConnectError("refused", request=request)

    async with http(handler) as client:
        cdlx = CardlyticsClient(client, FAST_RETRY)
        with pytest.raises(Unreachable):
            await cdlx.retrieve_ticket("t")
        with pytest.raises(Unreachable):
            await cdlx.create_ticket(ticket())
    assert calls == {"GET": 3, "POST": 1}


# --- support -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_support_create_returns_the_record():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=seed("support_create_response"))

    async with http(handler) as client:
        rec = await SupportClient(client, ONE_SHOT).create(support_create())
    assert rec.id == "9cf778b6-3a4d-49bd-98d2-4214774d3ec0" and rec.zendesk_ticket_id == "345"
    assert seen[0].url.path == "/api/user/log/message"
    assert json.loads(seen[0].content) == seed("support_create_request")


@pytest.mark.asyncio
async def test_support_200_error_envelope_is_rejected_and_not_resent():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json={"data": None, "detail": None, "error": True,
                                         "message": "User does not exist"})

    async with http(handler) as client:
        with pytest.raises(Rejected) as exc:
            await SupportClient(client, FAST_RETRY).create(support_create())
    assert str(exc.value) == "User does not exist" and exc.value.status == 200
    assert calls == 1


@pytest.mark.asyncio
async def test_support_create_not_retried_on_503():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, headers={"Retry-After": "0"})

    async with http(handler) as client:
        with pytest.raises(ProviderBug) as exc:
            await SupportClient(client, FAST_RETRY).create(support_create())
    assert calls == 1 and exc.value.maybe_delivered is True


@pytest.mark.asyncio
async def test_support_search_sends_only_given_criteria():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=seed("support_search_response"))

    async with http(handler) as client:
        found = await SupportClient(client, ONE_SHOT).search(
            SearchCriteria.model_validate(seed("support_search_request")))
    assert [r.id for r in found] == ["fb07bb71-9b0b-47fa-b5dc-b460b663efe5"]
    body = json.loads(seen[0].content)
    assert "zendeskTicketId" not in body and body["ticketId"].startswith("0fcdaf5c")
    assert seen[0].url.path == "/api/admin/fetch/customer/support"


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "device.log"
    path.write_bytes(os.urandom(5 * 1024 * 1024))
    return path


@pytest.mark.asyncio
async def test_upload_streams_with_content_length(big_file: Path):
    got: dict[str, Any] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        got["headers"] = request.headers
        got["path"] = request.url.path
        body = await request.aread()
        got["body"] = body
        return httpx.Response(200, json=seed("support_upload_response"))

    progress: list[tuple[int, int]] = []
    async with http(handler) as client:
        rec = await SupportClient(client, ONE_SHOT).upload_file(
            "9cf778b6", FileKind.LOG, big_file, progress=lambda d, t: progress.append((d, t)))
    size = big_file.stat().st_size
    headers = got["headers"]
    assert "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(got["body"]) > size
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert "multipart" not in headers.get("accept-encoding", "")
    assert got["path"] == "/api/user/help/file/upload/9cf778b6/LOG"
    assert b'Content-Disposition: form-data; name="file"; filename="device.log"' in got["body"]
    assert big_file.read_bytes() in got["body"]
    done = [d for d, _ in progress]
    assert done == sorted(done) and len(done) >= 5  # 1 MiB chunks, never backwards, never whole
    assert progress[-1] == (size, size)
    assert rec.log_path is not None


def _open_fds_for(path: Path) -> list[str]:
    fd_dir = Path("/proc/self/fd")
    found = []
    for fd in fd_dir.iterdir():
        try:
            if os.readlink(fd) == str(path):
                found.append(fd.name)
        except OSError:
            pass
    return found


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to see open files")
async def test_cancelled_upload_closes_the_file(big_file: Path):
    started = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(3600)
        raise AssertionError("not reached")

    async with http(handler) as client:
        task = asyncio.create_task(
            SupportClient(client, ONE_SHOT).upload_file("f", FileKind.LOG, big_file))
        await asyncio.wait_for(started.wait(), 5)
        assert _open_fds_for(big_file)  # the upload holds it open...
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert _open_fds_for(big_file) == []  # ...and let it go when cancelled


@pytest.mark.asyncio
async def test_download_writes_identical_bytes_and_ignores_json_content_type(tmp_path: Path):
    payload = b"\xff\xd8\xff\xe0" + os.urandom(300_000)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=payload, headers={"Content-Type": "application/json"})

    dest = tmp_path / "cache" / "photo"
    progress: list[tuple[int, int]] = []
    async with http(handler) as client:
        got = await SupportClient(client, ONE_SHOT).download_file(
            "34822e49", FileKind.FEEDBACK_PHOTO, dest, progress=lambda d, t: progress.append((d, t)))
    assert dest.read_bytes() == payload
    assert got.path == dest and got.size == len(payload) and got.media_type == "image/jpeg"
    assert seen[0].url.path == "/api/aws/download/support/file/34822e49/FEEDBACK_PHOTO"
    assert progress[-1] == (len(payload), len(payload))
    assert sorted(p.name for p in dest.parent.iterdir()) == ["photo"]  # no temp file left


@pytest.mark.asyncio
async def test_download_text_log(tmp_path: Path):
    text = "2024-06-13 22:48:17 INFO app started\n".encode() * 100
    async with http(lambda r: httpx.Response(200, content=text,
                                             headers={"Content-Type": "application/json"})) as c:
        got = await SupportClient(c, ONE_SHOT).download_file("t", FileKind.LOG, tmp_path / "log")
    assert got.media_type == "text/plain" and (tmp_path / "log").read_bytes() == text


@pytest.mark.asyncio
async def test_download_404_leaves_nothing_behind(tmp_path: Path):
    dest = tmp_path / "dl" / "log"
    dest.parent.mkdir()
    async with http(lambda r: httpx.Response(404, json={"message": "File not found"})) as c:
        with pytest.raises(NotFound) as exc:
            await SupportClient(c, ONE_SHOT).download_file("t", FileKind.LOG, dest)
    assert str(exc.value) == "File not found"
    assert list(dest.parent.iterdir()) == []


@pytest.mark.asyncio
async def test_download_keeps_the_old_file_when_cut_short(tmp_path: Path):
    dest = tmp_path / "log"
    dest.write_bytes(b"old copy")

    async def body():
        yield b"x" * 1000
        raise httpx.ReadError("connection reset")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(), headers={"Content-Length": "5000"})

    async with http(handler) as client:
        with pytest.raises(Unreachable):
            await SupportClient(client, ONE_SHOT).download_file("t", FileKind.LOG, dest)
    assert dest.read_bytes() == b"old copy"
    assert [p.name for p in tmp_path.iterdir()] == ["log"]


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", [
    {"data": {"name": "732bbe0a.jpeg"}, "error": False},
    {"data": "732bbe0a.jpeg"},
    {"name": "732bbe0a.jpeg"},
])
async def test_upload_image_tolerates_answer_shapes(tmp_path: Path, answer):
    image = tmp_path / "shot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        await request.aread()
        return httpx.Response(200, json=answer)

    async with http(handler) as client:
        name = await SupportClient(client, ONE_SHOT).upload_image(image)
    assert name == "732bbe0a.jpeg"
    assert seen[0].url.path == "/api/common/upload/file"
    assert seen[0].url.params["bucketType"] == "LOG_IMAGE"
    assert b'name="file"; filename="shot.png"' in seen[0].content


# --- radar -------------------------------------------------------------------------------

class RadarServer:
    """A scripted radar: counts logins, hands out tokens, answers invitations."""

    def __init__(self, ttl: float = 3600.0, clock: Callable[[], float] | None = None,
                 login_delay: float = 0.0) -> None:
        self.logins = 0
        self.invitations: list[httpx.Request] = []
        self.valid: set[str] = set()
        self.ttl = ttl
        self.clock = clock or (lambda: 1_700_000_000.0)
        self.login_delay = login_delay
        self.invitation_answer: Callable[[httpx.Request], httpx.Response] | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/json"
        if request.url.path == "/auth/login":
            await asyncio.sleep(self.login_delay)
            body = json.loads(request.content)
            if body != {"username": "desk", "password": "s3cret-pw"}:
                return httpx.Response(401, json={"description": "Bad credentials"})
            self.logins += 1
            token = f"tok{self.logins}"
            self.valid = {token}
            return httpx.Response(200, json={"token": token, "userName": "desk",
                                             "expiration": self.clock() + self.ttl})
        assert request.url.path == "/invitation"
        self.invitations.append(request)
        if request.headers.get("authorization") not in self.valid:
            return httpx.Response(401, text="Unauthorized")
        if self.invitation_answer is not None:
            return self.invitation_answer(request)
        return httpx.Response(200, json={"code": "00000", "description": "success",
                                         "data": "846673197418938368"})


def radar_client(server: RadarServer, *, clock: Callable[[], float] | None = None,
                 password: str = "s3cret-pw") -> tuple[httpx.AsyncClient, RadarClient]:
    client = http(server, "https://radar.test")
    return client, RadarClient(client, "desk", lambda: password, ONE_SHOT,
                               clock=clock or server.clock)


@pytest.mark.asyncio
async def test_radar_logs_in_lazily_and_sends_bare_token():
    server = RadarServer()
    client, radar = radar_client(server)
    async with client:
        assert server.logins == 0
        invitation_id = await radar.send_invitation(invitation())
    assert invitation_id == "846673197418938368"
    assert server.logins == 1
    sent = server.invitations[0]
    assert sent.headers["authorization"] == "tok1"  # bare, no "Bearer"
    assert json.loads(sent.content) == seed("radar_invitation_request")


@pytest.mark.asyncio
async def test_radar_401_relogs_in_exactly_once_and_replays():
    server = RadarServer()
    client, radar = radar_client(server)
    async with client:
        await radar.send_invitation(invitation())
        server.valid = set()  # the provider drops the token early
        assert await radar.send_invitation(invitation()) == "846673197418938368"
    assert server.logins == 2
    assert [r.headers["authorization"] for r in server.invitations] == ["tok1", "tok1", "tok2"]


@pytest.mark.asyncio
async def test_radar_second_401_is_auth_failed_without_a_third_login():
    server = RadarServer()
    server.invitation_answer = lambda r: httpx.Response(401, text="Token revoked")
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(AuthFailed) as exc:
            await radar.send_invitation(invitation())
    assert server.logins == 2 and len(server.invitations) == 2
    assert str(exc.value) == "Token revoked" and exc.value.status == 401


@pytest.mark.asyncio
async def test_radar_wrong_password_is_auth_failed_and_secret_free():
    server = RadarServer()
    client, radar = radar_client(server, password="wrong-pass-123")
    async with client:
        with pytest.raises(AuthFailed) as exc:
            await radar.login()
    assert str(exc.value) == "Bad credentials"
    assert "username and password" in (exc.value.hint or "")
    assert "wrong-pass-123" not in full_text(exc.value)


@pytest.mark.asyncio
async def test_radar_concurrent_sends_share_one_login():
    server = RadarServer(login_delay=0.05)
    client, radar = radar_client(server)
    async with client:
        ids = await asyncio.gather(*(radar.send_invitation(invitation()) for _ in range(10)))
    assert ids == ["846673197418938368"] * 10
    assert server.logins == 1 and len(server.invitations) == 10


@pytest.mark.asyncio
async def test_radar_concurrent_401s_share_one_relogin():
    server = RadarServer(login_delay=0.02)
    client, radar = radar_client(server)
    async with client:
        await radar.send_invitation(invitation())
        server.valid = set()
        await asyncio.gather(*(radar.send_invitation(invitation()) for _ in range(10)))
    assert server.logins == 2


@pytest.mark.asyncio
async def test_radar_refreshes_a_minute_before_expiration():
    now = [1_700_000_000.0]
    server = RadarServer(ttl=3600, clock=lambda: now[0])
    client, radar = radar_client(server)
    async with client:
        await radar.send_invitation(invitation())
        now[0] += 3600 - 61  # 61 s left: still good
        await radar.send_invitation(invitation())
        assert server.logins == 1
        now[0] += 2  # 59 s left: refresh before using it
        await radar.send_invitation(invitation())
    assert server.logins == 2
    assert [r.headers["authorization"] for r in server.invitations] == ["tok1", "tok1", "tok2"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("prefix", "hint"), KNOWN_ERRORS)
async def test_radar_400_known_error_gets_the_documented_hint(prefix, hint):
    text = {
        KNOWN_ERRORS[0][0]: "No Feedback code found for this clientDisplayId, locationDisplayId, "
                            "pomDisplayId & programmeDisplayId.",
        KNOWN_ERRORS[1][0]: "To send an email invitation, the programme must set Postmark ID. "
                            "Provide correct details & try again.",
    }[prefix]
    server = RadarServer()
    server.invitation_answer = lambda r: httpx.Response(400, json={"code": "40000",
                                                                   "description": text})
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
    assert type(exc.value) is Rejected
    assert str(exc.value) == text and exc.value.hint == hint and exc.value.status == 400


@pytest.mark.asyncio
async def test_radar_400_raw_text_and_generic_hint():
    server = RadarServer()
    server.invitation_answer = lambda r: httpx.Response(400, text="mobile is wrong")
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
    assert str(exc.value) == "mobile is wrong"
    assert exc.value.hint and "resubmit" in exc.value.hint
    # No `description`: the raw text, whatever other field the body has (PROVIDERS.md).
    server.invitation_answer = lambda r: httpx.Response(400, json={"message": "mobile is wrong"})
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
    assert str(exc.value) == '{"message":"mobile is wrong"}'


@pytest.mark.asyncio
async def test_radar_200_with_error_code_is_rejected():
    server = RadarServer()
    server.invitation_answer = lambda r: httpx.Response(
        200, json={"code": "10002", "description": "Invalid programme", "data": None})
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
    assert str(exc.value) == "Invalid programme" and exc.value.status == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", [httpx.Response(200, text="OK"), httpx.Response(200, json=["00000"])])
async def test_radar_200_without_a_code_is_rejected_not_resent(answer):
    """A 200 whose code is not "00000" is a rejection: resending it could invite twice."""
    server = RadarServer()
    server.invitation_answer = lambda r: answer
    client, radar = radar_client(server)
    async with client:
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
    assert type(exc.value) is Rejected and "no code" in str(exc.value) and "invited twice" in exc.value.hint


# --- offers feedback ---------------------------------------------------------------------

KEYS = {"clientkey": "ck-9f8e7d6c", "clientpass": "cp-5b4a3928", "apikey": "ak-1a2b3c4d"}


def feedback() -> FeedbackRequest:
    return FeedbackRequest(user_id="a@b.co", offer_code="OF1", your_bank_code="BK",
                           outlet_code="OUT9", feedback_type="1", user_latitude=51.5074,
                           user_longitude=-0.1278, comment="declined at till")


def offers_client(client: httpx.AsyncClient, base: str) -> OffersFeedbackClient:
    return OffersFeedbackClient(client, base, "user_feedback", lambda: KEYS["clientkey"],
                                lambda: KEYS["clientpass"], lambda: KEYS["apikey"], ONE_SHOT)


def assert_no_keys(text: str) -> None:
    for value in KEYS.values():
        assert value not in text


@pytest.mark.asyncio
@pytest.mark.parametrize(("answer", "message"), [
    (httpx.Response(200, text="Feedback stored"), "Feedback stored"),
    (httpx.Response(200, json=["ok"]), '["ok"]'),
    (httpx.Response(200), None),
])
async def test_offers_any_other_200_is_success(answer, message):
    async with http(lambda r: answer, "https://offers.test") as client:
        got = await offers_client(client, "https://offers.test/api").send(feedback())
    assert not got.is_rejection and got.message == message


@pytest.mark.asyncio
async def test_offers_query_merged_and_keys_sent():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "success", "message": "Feedback saved"})

    base = "https://offers.test/api/v1/index.php?partner=acme"
    async with http(handler, "https://unused.test") as client:
        answer = await offers_client(client, base).send(feedback())
    assert answer.message == "Feedback saved" and not answer.is_rejection
    url = seen[0].url
    assert seen[0].method == "GET"
    assert (url.host, url.path) == ("offers.test", "/api/v1/index.php")
    assert dict(url.params) == {
        "partner": "acme", "action": "user_feedback", **KEYS, "user_id": "a@b.co",
        "user_latitude": "51.5074", "user_longitude": "-0.1278", "feedback_type": "1",
        "comment": "declined at till", "offer_code": "OF1", "your_bank_code": "BK",
        "outlet_code": "OUT9"}


@pytest.mark.asyncio
@pytest.mark.parametrize("failure", ["connect", "500_echo", "rejection", "http_401"])
async def test_offers_keys_never_in_errors_or_logs(caplog, failure):
    quiet_http_loggers()
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # even if someone turns httpx up

    def handler(request: httpx.Request) -> httpx.Response:
        if failure == "connect":
            raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)
        if failure == "500_echo":
            return httpx.Response(500, text=f"Internal error while handling {request.url}")
        if failure == "http_401":
            return httpx.Response(401, json={"message": f"bad apikey {KEYS['apikey']}"})
        return httpx.Response(200, json={"status": "error",
                                         "message": f"unknown clientkey {KEYS['clientkey']}"})

    async with http(handler, "https://offers.test") as client:
        with pytest.raises((Unreachable, ProviderBug, Rejected)) as exc:
            await offers_client(client, "https://offers.test/api?").send(feedback())
    assert_no_keys(full_text(exc.value))
    assert "clientkey=" not in str(exc.value) or "clientkey=***" in str(exc.value)
    records = caplog.records
    assert records, "the exchange should have been logged"
    for record in records:
        assert_no_keys(record.getMessage())
    assert_no_keys(caplog.text)


def test_redact_patterns_and_registered_values():
    register_secret("hunter2-registered")
    text = ("GET https://x.test/a?action=f&clientkey=abc&clientpass=def&apikey=ghi&user_id=u "
            "Authorization: Bearer eyJabc.def X-Api-Key: k-123 "
            '{"password": "pw-1", "token": "t-2"} and hunter2-registered')
    out = redact(text)
    for secret in ("abc&", "def&", "ghi&", "eyJabc", "k-123", "pw-1", "t-2", "hunter2"):
        assert secret not in out
    assert "user_id=u" in out and "action=f" in out


def test_redacting_filter_rewrites_records():
    register_secret("filter-secret-77")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s with %s", (
        "https://h.test/?apikey=zzz", "filter-secret-77"), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "sent https://h.test/?apikey=*** with ***"


# --- static header auth, wasabi ----------------------------------------------------------

@pytest.mark.asyncio
async def test_header_secret_auth_is_lazy_and_cached(caplog):
    caplog.set_level(logging.DEBUG)
    lookups = 0

    def get_secret() -> str:
        nonlocal lookups
        lookups += 1
        return "static-header-secret"

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, text=f"key {request.headers['x-api-key']} unknown")

    auth = HeaderSecretAuth("X-Api-Key", get_secret)
    async with http(handler, auth=auth) as client:
        assert lookups == 0
        for _ in range(2):
            with pytest.raises(AuthFailed) as exc:
                await CardlyticsClient(client, ONE_SHOT).retrieve_ticket("t")
            assert "static-header-secret" not in full_text(exc.value)
    assert lookups == 1
    assert [r.headers["x-api-key"] for r in seen] == ["static-header-secret"] * 2
    assert "static-header-secret" not in caplog.text


@pytest.mark.asyncio
async def test_wasabi_posts_a_json_array():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    events = [{"eventType": "CUSTOMER_CARE_TICKET", "eventAction": "CREATED", "version": 1.0,
               "body": {"ticketId": "SD-1"}}]
    async with http(handler, "https://unused.test") as client:
        await WasabiClient(client, "https://ingest.test/events").post_events(events)
        await WasabiClient(client, "https://ingest.test/events").post_events([])
    assert len(seen) == 1 and seen[0].url == "https://ingest.test/events"
    assert json.loads(seen[0].content) == events


def test_build_http_client_has_explicit_timeouts():
    client = build_http_client("https://x.test/api")
    t = client.timeout
    assert (t.connect, t.read, t.write, t.pool) == (5.0, 30.0, 30.0, 5.0)
    assert client.follow_redirects is False


# --- against the sandbox server over loopback --------------------------------------------

from supportdesk.sandbox import (  # noqa: E402
    DEMO_OFFERS_APIKEY,
    DEMO_OFFERS_CLIENTKEY,
    DEMO_OFFERS_CLIENTPASS,
    DEMO_RADAR_PASSWORD,
    DEMO_RADAR_USERNAME,
    SandboxServer,
)

CLIENT_ID = "8291a9ed952342c5b5fe2915f2189e7c"
PROGRAMME_ID = "1cf118a0326d47aa851a90b9674e90aa"
SMS_ONLY_PROGRAMME_ID = "5be2c07d9a1f4e63b8d0c4a7e19f2d36"  # no Postmark ID
LOCATION_ID = "3f9a6c1e8b2d4f07a5c9e1b3d7f2a860"  # two POMs: pomDisplayId required
POM_ID = "7547ct569yh67n0326vghddte86bkkn"
SEED_USER = {"uuid": "79af4bc5-a995-4262-92ee-0da381ccaf07",
             "udid": "7237F578-828D-43D9-995D-F8B7AC8A4881"}


def loopback(server: SandboxServer, provider: str, **kw: Any) -> httpx.AsyncClient:
    return build_http_client(server.urls()[provider], **kw)


def sandbox_ticket(source_ticket_id: str) -> CreateTicketRequest:
    return CreateTicketRequest(source_ticket_id=source_ticket_id, source_customer_id="1756524",
                               transaction_ids=[1132328647], offer_id=1000030804,
                               description="Cashback for the Costa visit never arrived")


def sandbox_invitation(programme: str = PROGRAMME_ID, **recipient: Any) -> InvitationRequest:
    return InvitationRequest(client_display_id=CLIENT_ID, programme_display_id=programme,
                             send_data=[{"email": "dave@example.com", "first_name": "Dave",
                                         "location_display_id": LOCATION_ID,
                                         "pom_display_id": POM_ID} | recipient])


def sandbox_radar(client: httpx.AsyncClient, **kw: Any) -> RadarClient:
    return RadarClient(client, DEMO_RADAR_USERNAME, lambda: DEMO_RADAR_PASSWORD, ONE_SHOT, **kw)


@pytest.mark.asyncio
async def test_sandbox_cardlytics_create_retrieve_duplicate(clients_sandbox: SandboxServer):
    async with loopback(clients_sandbox, "cardlytics") as client:
        cdlx = CardlyticsClient(client, ONE_SHOT)
        await cdlx.create_ticket(sandbox_ticket("it-cdlx-1"))
        got = await cdlx.retrieve_ticket("it-cdlx-1")
        assert got.source_ticket_id == "it-cdlx-1" and got.status == "In Process"
        assert got.transaction_ids == [1132328647] and got.offer_id == 1000030804
        with pytest.raises(Rejected) as exc:
            await cdlx.create_ticket(sandbox_ticket("it-cdlx-1"))
        assert str(exc.value) == "Ticket already exists" and exc.value.status == 409
        with pytest.raises(NotFound):
            await cdlx.retrieve_ticket("it-never-sent")


@pytest.mark.asyncio
async def test_sandbox_support_create_search_and_envelope_error(clients_sandbox: SandboxServer):
    async with loopback(clients_sandbox, "support") as client:
        support = SupportClient(client, ONE_SHOT)
        rec = await support.create(CreateRequest(
            **SEED_USER, subject="Loopback create", message="Created by the client test",
            email="john.connor@example.com", category="app", phone="+447700900123"))
        assert rec.id and rec.ticket_id and rec.zendesk_ticket_id
        assert rec.subject == "Loopback create" and rec.ticket_status
        found = await support.search(SearchCriteria(ticket_id=rec.ticket_id))
        assert [r.id for r in found] == [rec.id]
        with pytest.raises(Rejected) as exc:  # the sandbox wants a UUID: 200 + error: true
            await support.create(CreateRequest(
                uuid="not-a-uuid", udid="d", subject="s", message="m",
                email="a@example.com", category="app"))
        assert exc.value.status == 200 and "uuid" in str(exc.value)


@pytest.mark.asyncio
async def test_sandbox_support_5mb_upload_arrives_whole(clients_sandbox: SandboxServer, big_file: Path,
                                                        tmp_path: Path):
    async with loopback(clients_sandbox, "support") as client:
        support = SupportClient(client, ONE_SHOT)
        rec = await support.create(CreateRequest(
            **SEED_USER, subject="Log attached", message="See the log",
            email="john.connor@example.com", category="app"))
        progress: list[tuple[int, int]] = []
        updated = await support.upload_file(rec.id, FileKind.LOG, big_file,
                                            progress=lambda d, t: progress.append((d, t)))
        assert updated.id == rec.id and updated.log_path
        size = big_file.stat().st_size
        assert progress[-1] == (size, size)
        assert rec.ticket_id is not None
        got = await support.download_file(rec.ticket_id, FileKind.LOG, tmp_path / "back.log")
    assert got.size == size and (tmp_path / "back.log").read_bytes() == big_file.read_bytes()


@pytest.mark.asyncio
async def test_sandbox_support_image_then_create_with_it(clients_sandbox: SandboxServer, tmp_path: Path):
    image = tmp_path / "screen.jpeg"
    image.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(20_000))
    async with loopback(clients_sandbox, "support") as client:
        support = SupportClient(client, ONE_SHOT)
        name = await support.upload_image(image)
        rec = await support.create(CreateRequest(
            **SEED_USER, subject="With a screenshot", message="See image",
            email="john.connor@example.com", category="app", images=[name]))
    assert rec.ticket_info is not None and rec.ticket_info.images == [name]


@pytest.mark.asyncio
async def test_sandbox_support_download_of_seeded_photo(clients_sandbox: SandboxServer, tmp_path: Path):
    async with loopback(clients_sandbox, "support") as client:
        got = await SupportClient(client, ONE_SHOT).download_file(
            "c1d3fcff-2a3a-44d4-ab0a-18e8830e07bc", FileKind.FEEDBACK_PHOTO, tmp_path / "p")
    assert got.size > 0 and got.media_type.startswith("image/")


@pytest.mark.asyncio
async def test_sandbox_radar_invitation_and_known_errors(clients_sandbox: SandboxServer):
    async with loopback(clients_sandbox, "radar") as client:
        radar = sandbox_radar(client)
        invitation_id = await radar.send_invitation(sandbox_invitation())
        assert invitation_id.isdigit() and int(invitation_id) > 2**53
        # The document's own example pairs the programme id with itself as location: 40001.
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(invitation())
        assert str(exc.value).startswith("No Feedback code found")
        assert exc.value.hint == KNOWN_ERRORS[0][1]
        with pytest.raises(Rejected) as exc:
            await radar.send_invitation(sandbox_invitation(SMS_ONLY_PROGRAMME_ID))
        assert exc.value.hint == KNOWN_ERRORS[1][1]
        assert radar.tokens.logins == 1


@pytest.mark.asyncio
async def test_sandbox_radar_expired_token_relogs_in_once(clients_sandbox_factory):
    server = clients_sandbox_factory(token_ttl=1.0)
    lagging = lambda: time.time() - 3600  # noqa: E731 — our clock thinks the token is fresh
    async with loopback(server, "radar") as client:
        radar = sandbox_radar(client, clock=lagging)
        await radar.send_invitation(sandbox_invitation())
        await asyncio.sleep(1.2)  # the sandbox expires it
        await radar.send_invitation(sandbox_invitation())
        assert radar.tokens.logins == 2


@pytest.mark.asyncio
async def test_sandbox_radar_wrong_password(clients_sandbox: SandboxServer):
    async with loopback(clients_sandbox, "radar") as client:
        radar = RadarClient(client, DEMO_RADAR_USERNAME, lambda: "not-the-password", ONE_SHOT)
        with pytest.raises(AuthFailed) as exc:
            await radar.login()
    assert str(exc.value) == "Invalid username or password"
    assert "not-the-password" not in full_text(exc.value)


WRONG_APIKEY = "wrong-apikey-" + "123"  # built so a traceback's source line cannot show it


def sandbox_offers(client: httpx.AsyncClient, base: str, apikey: str = DEMO_OFFERS_APIKEY):
    return OffersFeedbackClient(client, base, "user_feedback", lambda: DEMO_OFFERS_CLIENTKEY,
                                lambda: DEMO_OFFERS_CLIENTPASS, lambda: apikey, ONE_SHOT)


@pytest.mark.asyncio
async def test_sandbox_offers_feedback(clients_sandbox: SandboxServer, caplog):
    quiet_http_loggers()  # as the composition root does
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    base = clients_sandbox.urls()["offers_feedback"]
    req = FeedbackRequest(user_id="john.connor@example.com", offer_code="CST10",
                          your_bank_code="NWB", outlet_code="CST-LDN-001", feedback_type=1,
                          user_latitude=51.5072, user_longitude=-0.1276)
    async with build_http_client(base) as client:
        answer = await sandbox_offers(client, base).send(req)
        assert not answer.is_rejection and answer.message == "Feedback recorded"
        with pytest.raises(Rejected) as exc:
            await sandbox_offers(client, base, apikey=WRONG_APIKEY).send(req)
    assert str(exc.value) == "Invalid credentials"
    # The app's side only: the sandbox's own server log (uvicorn) is not the client's to police.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("uvicorn"))
    assert "offers_feedback GET" in ours and "HTTP Request: GET" in ours
    for secret in (DEMO_OFFERS_CLIENTKEY, DEMO_OFFERS_CLIENTPASS, WRONG_APIKEY):
        assert secret not in full_text(exc.value) and secret not in ours


@pytest.mark.asyncio
async def test_sandbox_wasabi_accepts_valid_and_rejects_invalid(clients_sandbox: SandboxServer):
    event = {"eventType": "CUSTOMER_CARE_TICKET", "eventAction": "CREATED", "version": 1.0,
             "body": {"ticketId": "SD-1", "customerId": "1756524", "status": "OPEN",
                      "createdAt": "2024-02-06T10:00:00Z", "updatedAt": "2024-02-06T10:00:00Z"}}
    url = clients_sandbox.urls()["wasabi"]
    async with build_http_client(url) as client:
        await WasabiClient(client, url).post_events([event])
        bad = event | {"body": event["body"] | {"customerId": 1756524}}
        with pytest.raises(Rejected) as exc:
            await WasabiClient(client, url).post_events([bad])
    assert exc.value.status == 400 and "customerId" in str(exc.value)


@pytest.mark.asyncio
async def test_sandbox_static_header_auth(clients_sandbox_factory):
    server = clients_sandbox_factory(support_auth=("X-Api-Key", "support-header-secret"))
    criteria = SearchCriteria(uuid=SEED_USER["uuid"])
    async with loopback(server, "support") as client:
        with pytest.raises(AuthFailed):
            await SupportClient(client, ONE_SHOT).search(criteria)
    auth = HeaderSecretAuth("X-Api-Key", lambda: "support-header-secret")
    async with loopback(server, "support", auth=auth) as client:
        assert await SupportClient(client, ONE_SHOT).search(criteria)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["drop_before", "drop_after"])
async def test_sandbox_dropped_connection_is_unreachable(clients_sandbox_factory, kind):
    server = clients_sandbox_factory(fault_rate=1.0, fault_kinds=(kind,))
    async with loopback(server, "cardlytics") as client:
        with pytest.raises(Unreachable) as exc:
            await CardlyticsClient(client, ONE_SHOT).create_ticket(sandbox_ticket(f"it-{kind}"))
    assert exc.value.maybe_delivered is True  # the request left: outcome unknown
    stats = httpx.get(f"{server.base_url}/_sandbox/stats").json()
    assert stats["cardlytics"]["tickets"] == (1 if kind == "drop_after" else 0)


@pytest.mark.asyncio
async def test_sandbox_dropped_download_leaves_no_file(clients_sandbox_factory, tmp_path: Path):
    server = clients_sandbox_factory(fault_rate=1.0, fault_kinds=("drop_before",))
    dest = tmp_path / "dl" / "photo"
    async with loopback(server, "support") as client:
        with pytest.raises(Unreachable):
            await SupportClient(client, ONE_SHOT).download_file(
                "c1d3fcff-2a3a-44d4-ab0a-18e8830e07bc", FileKind.FEEDBACK_PHOTO, dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


@pytest.mark.asyncio
async def test_sandbox_503_fault_is_provider_bug_and_reads_retry(clients_sandbox_factory):
    server = clients_sandbox_factory(fault_rate=1.0, fault_kinds=("error",))
    async with loopback(server, "cardlytics") as client:
        with pytest.raises(ProviderBug) as exc:
            await CardlyticsClient(client, FAST_RETRY).retrieve_ticket("anything")
    assert exc.value.status == 503 and exc.value.retry_after == 1.0
    # Retry-After (1 s) is longer than FAST_RETRY waits in-process: one attempt, then the outbox.
    assert httpx.get(f"{server.base_url}/_sandbox/stats").json()["requests"] == 1
