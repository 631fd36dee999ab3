"""Provider wire models: every seed sample parses; lenient in, strict out (PROVIDERS.md)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from supportdesk.models import cardlytics as cdlx
from supportdesk.models import offers_feedback as offers
from supportdesk.models import radar
from supportdesk.models import support

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def seed(name: str) -> Any:
    return json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}


# --- every sample parses -----------------------------------------------------------------

def test_cardlytics_create_request_sample():
    # Fixture fix (PROVIDERS.md): the document's trailing comma after "description" removed.
    sample = seed("cardlytics_create_request")
    # The sample's e-mail was mangled by the web page it was copied from ("[email protected]"):
    # strict out refuses it and names the field...
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(sample)
    assert error_fields(exc) == {"authorEmailAddress"}
    # ...and everything else in the sample is a valid create.
    del sample["authorEmailAddress"]
    req = cdlx.CreateTicketRequest.model_validate(sample)
    assert req.to_wire() == {
        "sourceTicketId": "testMonzo",
        "sourceCustomerId": 1756524,
        "transactionIds": [1132328647],
        "offerId": 1000030804,
        "description": "testMonzo description",
    }


def test_cardlytics_retrieve_response_sample():
    ticket = cdlx.RetrievedTicket.model_validate(seed("cardlytics_retrieve_response"))
    assert ticket.cdlx_ticket_id == 111339
    assert ticket.source_ticket_id == "testMonzo"
    assert ticket.source_customer_id == "70940001756524"  # institution prefix, kept as text
    assert ticket.status == "Closed" and ticket.is_closed
    assert ticket.activation_date == utc(2023, 10, 22, 10, 54, 9)  # no zone: read as UTC
    assert ticket.ticket_created_date == utc(2024, 6, 13, 22, 48, 17)
    assert ticket.ticket_solved_date == utc(2024, 6, 13, 23, 6, 16)
    assert ticket.transaction_ids == [1132328647]
    assert ticket.redemption_ids == []
    assert ticket.resolution_type is None
    assert ticket.cardlytics_response is None  # "" in the sample


def test_cardlytics_event_success_sample():
    event = cdlx.UpdateEvent.model_validate(seed("cardlytics_event_success"))
    assert event.is_success and not event.is_error
    assert event.status == "Closed"
    assert event.source_customer_id == "6a4a5ce6-9484-4051-84c7-07b5d845ab5c"
    assert event.cdlx_ticket_id == 111339


def test_cardlytics_event_failed_sample():
    event = cdlx.UpdateEvent.model_validate(seed("cardlytics_event_failed"))
    assert event.is_error and event.already_exists
    assert event.source_customer_id == "1756524"
    assert event.resolution_type == "Courtesy Credit"  # unknown value kept
    assert event.offer_id == 1000030804 and event.transaction_ids == [1132328647]
    assert event.institution_id == "7094"


def test_support_create_request_sample():
    req = support.CreateRequest.model_validate(seed("support_create_request"))
    assert req.to_wire() == seed("support_create_request")


def test_support_create_response_sample():
    env = support.Envelope[support.SupportRecord].model_validate(seed("support_create_response"))
    assert env.error is False and env.message == "Adding a complaint successful"
    rec = env.data
    assert rec is not None
    assert rec.id == "9cf778b6-3a4d-49bd-98d2-4214774d3ec0"  # feedback id
    assert rec.ticket_id == "34822e49-8ed3-42fd-87a0-700a6d509102"  # core ticket id
    assert rec.zendesk_ticket_id == "345"
    assert rec.ticket_status == "CREATED"
    assert rec.ticket_info is not None and rec.ticket_info.images == [
        "732bbe0a-8d29-4c8d-bb84-891e43439630.jpeg"]
    assert rec.creation_date == datetime.fromtimestamp(1471515828.374, tz=timezone.utc)
    assert rec.user is not None and rec.user["fullName"] == "John Connor"  # kept raw
    assert rec.device is not None and rec.device["udid"] == "7237F578-828D-43D9-995D-F8B7AC8A4881"
    assert rec.log_path is None and rec.feedback_photo is None


def test_support_search_request_sample():
    crit = support.SearchCriteria.model_validate(seed("support_search_request"))
    wire = crit.to_wire()
    assert "zendeskTicketId" not in wire  # "" in the sample: left out
    assert wire["ticketId"] == "0fcdaf5c-0835-40b5-af7d-8c685dfbec0e"
    assert set(wire) == {"uuid", "udid", "email", "phone", "ticketId"}


def test_support_search_response_sample():
    env = support.Envelope[list[support.SupportRecord]].model_validate(
        seed("support_search_response"))
    assert env.data is not None and len(env.data) == 1
    rec = env.data[0]
    assert rec.id == "fb07bb71-9b0b-47fa-b5dc-b460b663efe5"
    assert rec.zendesk_ticket_id == "344"
    assert rec.ticket_info is not None and rec.ticket_info.core_ticket_number is None
    assert rec.device is not None and "target" in rec.device  # nested raw


def test_support_upload_response_sample():
    env = support.Envelope[support.SupportRecord].model_validate(seed("support_upload_response"))
    rec = env.data
    assert rec is not None
    assert rec.log_path is not None and rec.log_path.endswith("f3440e8d-c01d-4085-bd46-1a372aaf7ac9.jpg")
    assert rec.feedback_photo is not None and rec.feedback_photo.endswith(".jpg")


def test_radar_login_samples():
    body = seed("radar_login_request")
    assert set(body) == {"username", "password"}
    answer = radar.LoginAnswer.model_validate(seed("radar_login_response"))
    assert answer.expiration == pytest.approx(1517434473.269)
    assert answer.user_name == "testing"
    assert answer.token.startswith("eyJ0eXAi") and answer.token not in repr(answer)


def test_radar_invitation_request_sample():
    # The POM id is 31 characters and not hex: only "non-empty alphanumeric" is checked.
    req = radar.InvitationRequest.model_validate(seed("radar_invitation_request"))
    assert req.send_data[0].pom_display_id == "7547ct569yh67n0326vghddte86bkkn"
    assert req.to_wire() == seed("radar_invitation_request")


def test_radar_invitation_response_sample():
    answer = radar.InvitationAnswer.model_validate(seed("radar_invitation_response"))
    assert answer.is_success and answer.data == "846673197418938368"


# --- lenient in --------------------------------------------------------------------------

def test_cardlytics_ints_and_strings_swap_on_input():
    ticket = cdlx.RetrievedTicket.model_validate({
        "sourceTicketId": 42, "status": "In Process", "cdlxTicketId": "111339",
        "offerId": "1000030804", "transactionIds": ["1132328647", 7], "sourceCustomerId": 1,
    })
    assert ticket.source_ticket_id == "42"
    assert ticket.cdlx_ticket_id == 111339 and ticket.offer_id == 1000030804
    assert ticket.transaction_ids == [1132328647, 7]
    assert ticket.source_customer_id == "1"


@pytest.mark.parametrize("field", ["redemptionIds", "redemptionId"])
def test_redemption_ids_under_either_name(field):
    ticket = cdlx.RetrievedTicket.model_validate(
        {"sourceTicketId": "t", "status": "Closed", field: [5, "r-6"]})
    assert ticket.redemption_ids == ["5", "r-6"]


def test_redemption_id_single_value():
    ticket = cdlx.RetrievedTicket.model_validate(
        {"sourceTicketId": "t", "status": "Closed", "redemptionId": 9})
    assert ticket.redemption_ids == ["9"]


def test_naive_and_zoned_dates():
    ticket = cdlx.RetrievedTicket.model_validate({
        "sourceTicketId": "t", "status": "Closed", "activationDate": "2023-10-22T10:54:09",
        "ticketCreatedDate": "2024-02-08T15:30:01+02:00", "ticketSolvedDate": "",
    })
    assert ticket.activation_date == utc(2023, 10, 22, 10, 54, 9)
    assert ticket.activation_date.tzinfo is not None
    assert ticket.ticket_created_date == utc(2024, 2, 8, 13, 30, 1)
    assert ticket.ticket_solved_date is None


@pytest.mark.parametrize("raw", ["", None, "Blank", "blank", " Blank "])
def test_resolution_type_blank_forms_are_none(raw):
    ticket = cdlx.RetrievedTicket.model_validate(
        {"sourceTicketId": "t", "status": "Closed", "resolutionType": raw})
    assert ticket.resolution_type is None


def test_resolution_type_absent_is_none_and_unknown_kept():
    assert cdlx.RetrievedTicket.model_validate(
        {"sourceTicketId": "t", "status": "Closed"}).resolution_type is None
    ticket = cdlx.RetrievedTicket.model_validate(
        {"sourceTicketId": "t", "status": "Reopened", "resolutionType": "Courtesy Credit"})
    assert ticket.resolution_type == "Courtesy Credit"
    assert ticket.status == "Reopened" and not ticket.is_closed
    known = cdlx.RetrievedTicket.model_validate({"sourceTicketId": "t", "status": "Closed",
                                                 "resolutionType": "No Credit: Reward Pending"})
    assert known.resolution_type == cdlx.ResolutionType.REWARD_PENDING


def test_unknown_processing_status_kept_raw():
    event = cdlx.UpdateEvent.model_validate(
        {"sourceTicketId": "t", "sourceCustomerId": 1, "processingStatus": "Queued"})
    assert event.processing_status == "Queued"
    assert not event.is_success and not event.is_error


def test_update_event_requires_its_three_fields():
    with pytest.raises(ValidationError) as exc:
        cdlx.UpdateEvent.model_validate({"status": "Closed"})
    assert error_fields(exc) == {"sourceTicketId", "sourceCustomerId", "processingStatus"}


def test_support_record_lenient_types():
    rec = support.SupportRecord.model_validate({
        "id": 17, "creationDate": "1471515828374",
        "ticketInfo": {"supportTicketId": 345, "ticketStatus": "ON_FIRE", "images": None},
        "target": {"x": 1}, "surprise": True,
    })
    assert rec.id == "17" and rec.zendesk_ticket_id == "345"
    assert rec.ticket_status == "ON_FIRE"
    assert rec.creation_date == datetime.fromtimestamp(1471515828.374, tz=timezone.utc)
    assert rec.target == {"x": 1} and rec.model_extra == {"surprise": True}


def test_envelope_error_flag_as_text():
    env = support.Envelope[support.SupportRecord].model_validate(
        {"data": None, "error": "true", "message": "User not found"})
    assert env.error is True and env.error_text == "User not found"


def test_radar_answers_lenient():
    answer = radar.InvitationAnswer.model_validate({"code": 0, "data": 846673197418938368})
    assert answer.code == "00000" and answer.is_success
    assert answer.data == "846673197418938368"
    assert not radar.InvitationAnswer.model_validate({"code": "10001"}).is_success
    login = radar.LoginAnswer.model_validate({"token": "t0ken", "expiration": "1517434473269"})
    assert login.expiration == pytest.approx(1517434473.269)  # milliseconds tolerated


@pytest.mark.parametrize(("body", "rejected", "message"), [
    ({"status": "success", "message": "Feedback saved"}, False, "Feedback saved"),
    ({"status": "Error", "msg": "Missing value: outlet_code"}, True, "Missing value: outlet_code"),
    ({"status": "fail", "description": "bad bank"}, True, "bad bank"),
    ({"status": "FAILURE"}, True, "FAILURE"),
    ({"error": True, "message": "nope"}, True, "nope"),
    ({"error": 1, "message": "nope"}, True, "nope"),
    ({"error": "invalid apikey"}, False, "invalid apikey"),  # "any other 200 is success" (PROVIDERS.md)
    ({"success": 0}, True, None),
    ({"error": False, "message": "ok"}, False, "ok"),
    ({"success": False}, True, None),
    ({"success": "true", "data": {"id": 1}}, False, None),
    ({}, False, None),
])
def test_feedback_answer(body, rejected, message):
    answer = offers.FeedbackAnswer.model_validate(body)
    assert answer.is_rejection is rejected
    assert answer.message == message
    assert answer.raw == body


# --- strict out --------------------------------------------------------------------------

def _create(**over: Any) -> dict[str, Any]:
    base = {"sourceTicketId": "SD-1", "sourceCustomerId": "1756524", "transactionIds": [1],
            "offerId": 1000030804, "description": "Reward missing"}
    return base | over


@pytest.mark.parametrize(("customer", "wire"), [
    ("1756524", 1756524),
    (1756524, 1756524),
    ("6a4a5ce6-9484-4051-84c7-07b5d845ab5c", "6a4a5ce6-9484-4051-84c7-07b5d845ab5c"),
    ("12345678901234567890", "12345678901234567890"),  # 20 digits: beyond 64 bits
    ("9223372036854775807", 9223372036854775807),  # the largest signed 64-bit value
    ("9223372036854775808", "9223372036854775808"),
    ("0017", "0017"),  # leading zeros would be lost as a number
    ("0", 0),
])
def test_source_customer_id_on_the_wire(customer, wire):
    req = cdlx.CreateTicketRequest.model_validate(_create(sourceCustomerId=customer))
    assert req.to_wire()["sourceCustomerId"] == wire
    assert type(req.to_wire()["sourceCustomerId"]) is type(wire)
    assert json.loads(json.dumps(req.to_wire()))["sourceCustomerId"] == wire


def test_create_leaves_out_none_and_sends_only_documented_fields():
    wire = cdlx.CreateTicketRequest.model_validate(_create(authorEmailAddress="")).to_wire()
    assert "authorEmailAddress" not in wire
    assert set(wire) == {"sourceTicketId", "sourceCustomerId", "transactionIds", "offerId",
                         "description"}
    wire = cdlx.CreateTicketRequest.model_validate(
        _create(authorEmailAddress="agent@bank.example", transactionIds=["7", 8])).to_wire()
    assert wire["authorEmailAddress"] == "agent@bank.example"
    assert wire["transactionIds"] == [7, 8]


def test_create_refuses_undocumented_fields():
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(_create(institutionId="7094"))
    assert error_fields(exc) == {"institutionId"}


def test_support_to_wire_leaves_out_none_and_empty():
    req = support.CreateRequest(uuid="u", udid="d", subject="s", message="m", email="a@b.co",
                                category="c", name=" ", phone="+44 20 7946 0958", images=[])
    assert req.to_wire() == {"uuid": "u", "udid": "d", "subject": "s", "message": "m",
                             "email": "a@b.co", "category": "c", "phone": "+442079460958"}


def test_search_criteria_renames_and_skips():
    crit = support.SearchCriteria(ticket_id="core-1", zendesk_ticket_id=344, email="")
    assert crit.to_wire() == {"ticketId": "core-1", "zendeskTicketId": "344"}


def test_radar_request_leaves_out_none():
    req = radar.InvitationRequest.model_validate({
        "clientDisplayId": "abc123", "programmeDisplayId": "def456",
        "sendData": [{"mobile": "0211234321", "locationDisplayId": "L1"}]})
    assert req.to_wire() == {"clientDisplayId": "abc123", "programmeDisplayId": "def456",
                             "sendData": [{"mobile": "0211234321", "locationDisplayId": "L1"}]}


def test_feedback_query_has_no_secrets():
    req = offers.FeedbackRequest(user_id="a@b.co", offer_code="OF1", your_bank_code="BK",
                                 outlet_code="OUT9", feedback_type=1, user_latitude=51.5074,
                                 user_longitude="-0.1278")
    query = req.to_query()
    assert query == {"user_id": "a@b.co", "user_latitude": "51.5074",
                     "user_longitude": "-0.1278", "feedback_type": "1", "offer_code": "OF1",
                     "your_bank_code": "BK", "outlet_code": "OUT9"}
    assert not {"clientkey", "clientpass", "apikey", "action"} & set(query)


def test_feedback_coordinates_go_out_in_plain_decimals():
    req = offers.FeedbackRequest(user_id="a@b.co", offer_code="OF1", your_bank_code="BK", outlet_code="OUT9",
                                 feedback_type=1, user_latitude=1e-05, user_longitude=-1.5e-07)
    query = req.to_query()
    assert (query["user_latitude"], query["user_longitude"]) == ("0.00001", "-0.00000015")  # repr: 1e-05


# --- validation errors name the field ----------------------------------------------------

def test_eleven_transaction_ids():
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(_create(transactionIds=list(range(1, 12))))
    assert error_fields(exc) == {"transactionIds"}
    assert "at most 10" in str(exc.value)


def test_duplicate_transaction_ids():
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(_create(transactionIds=[5, 6, 5]))
    assert error_fields(exc) == {"transactionIds"}
    assert "distinct" in str(exc.value) and "[5]" in str(exc.value)


@pytest.mark.parametrize("ids", [[], [0], [-3]])
def test_transaction_ids_non_empty_and_positive(ids):
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(_create(transactionIds=ids))
    assert {f.split(".")[0] for f in error_fields(exc)} == {"transactionIds"}


def test_blank_description():
    with pytest.raises(ValidationError) as exc:
        cdlx.CreateTicketRequest.model_validate(_create(description="   "))
    assert error_fields(exc) == {"description"}


@pytest.mark.parametrize(("lat", "lon", "field"), [
    (91, 0, "user_latitude"), (-90.5, 0, "user_latitude"),
    (0, 180.01, "user_longitude"), (0, -181, "user_longitude"),
])
def test_position_out_of_range(lat, lon, field):
    with pytest.raises(ValidationError) as exc:
        offers.FeedbackRequest(user_id="a", offer_code="o", your_bank_code="b", outlet_code="x",
                               feedback_type="1", user_latitude=lat, user_longitude=lon)
    assert error_fields(exc) == {field}


def test_feedback_requires_all_but_comment():
    with pytest.raises(ValidationError) as exc:
        offers.FeedbackRequest.model_validate({"comment": "hi"})
    assert error_fields(exc) == {"user_id", "offer_code", "your_bank_code", "outlet_code",
                                 "feedback_type", "user_latitude", "user_longitude"}


@pytest.mark.parametrize("phone", ["919916248135", "+91", "+1234567890123456", "+44abc12345"])
def test_phone_must_be_international(phone):
    with pytest.raises(ValidationError) as exc:
        support.CreateRequest(uuid="u", udid="d", subject="s", message="m", email="a@b.co",
                              category="c", phone=phone)
    assert error_fields(exc) == {"phone"}
    assert "international" in str(exc.value)


def test_support_create_requires_its_fields():
    with pytest.raises(ValidationError) as exc:
        support.CreateRequest.model_validate({"name": "x"})
    assert error_fields(exc) == {"uuid", "udid", "subject", "message", "email", "category"}


def test_search_needs_one_criterion():
    with pytest.raises(ValidationError) as exc:
        support.SearchCriteria.model_validate({"zendeskTicketId": "", "uuid": "  "})
    assert "at least one search criterion" in str(exc.value)


def test_radar_recipient_needs_email_or_mobile():
    with pytest.raises(ValidationError) as exc:
        radar.Recipient.model_validate({"firstName": "Dave", "locationDisplayId": "L1"})
    assert "email or a mobile" in str(exc.value)
    assert radar.Recipient.model_validate({"email": "d@x.io", "locationDisplayId": "L1"})


@pytest.mark.parametrize(("field", "value"), [
    ("clientDisplayId", "8291a9ed-9523"), ("programmeDisplayId", "1cf1 18a0"),
    ("clientDisplayId", ""), ("programmeDisplayId", "abc_def"),
])
def test_radar_ids_alphanumeric(field, value):
    body = seed("radar_invitation_request") | {field: value}
    with pytest.raises(ValidationError) as exc:
        radar.InvitationRequest.model_validate(body)
    assert error_fields(exc) == {field}


def test_radar_recipient_ids_alphanumeric():
    body = seed("radar_invitation_request")
    body["sendData"][0]["pomDisplayId"] = "7547ct56/9yh"
    body["sendData"][0]["locationDisplayId"] = "loc-1"
    with pytest.raises(ValidationError) as exc:
        radar.InvitationRequest.model_validate(body)
    assert error_fields(exc) == {"sendData.0.pomDisplayId", "sendData.0.locationDisplayId"}


def test_radar_one_recipient_per_invitation():
    body = seed("radar_invitation_request")
    body["sendData"] = body["sendData"] * 2
    with pytest.raises(ValidationError) as exc:
        radar.InvitationRequest.model_validate(body)
    assert error_fields(exc) == {"sendData"}


# --- properties --------------------------------------------------------------------------

_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_json = st.recursive(_json_scalars, lambda kids: st.lists(kids, max_size=3)
                     | st.dictionaries(st.text(max_size=8), kids, max_size=3), max_leaves=8)
_extras = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in _KNOWN_KEYS), _json, max_size=5)
_KNOWN_KEYS = {
    "sourceTicketId", "status", "cdlxTicketId", "sourceCustomerId", "authorEmailAddress",
    "activationDate", "description", "resolutionType", "cardlyticsResponse", "offerId",
    "transactionIds", "redemptionIds", "redemptionId", "ticketCreatedDate", "ticketSolvedDate",
    "processingStatus", "processingStatusMessage", "institutionId", "id", "ticketId", "name",
    "email", "phone", "category", "logPath", "feedbackPhoto", "creationDate", "ticketInfo",
    "user", "device", "target", "code", "data",
} | {f for f in cdlx.RetrievedTicket.model_fields} | {f for f in support.SupportRecord.model_fields}


@given(_extras)
def test_any_extra_keys_parse(extra):
    ticket = cdlx.RetrievedTicket.model_validate(seed("cardlytics_retrieve_response") | extra)
    assert ticket.cdlx_ticket_id == 111339 and ticket.model_extra == extra
    event = cdlx.UpdateEvent.model_validate(seed("cardlytics_event_success") | extra)
    assert event.is_success and event.model_extra == extra
    rec = support.SupportRecord.model_validate(seed("support_create_response")["data"] | extra)
    assert rec.zendesk_ticket_id == "345"
    assert radar.InvitationAnswer.model_validate(seed("radar_invitation_response") | extra).is_success


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_numeric_customer_id_round_trips_as_int(number):
    req = cdlx.CreateTicketRequest.model_validate(_create(sourceCustomerId=str(number)))
    assert req.source_customer_id == str(number)
    assert json.loads(json.dumps(req.to_wire()))["sourceCustomerId"] == number


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s))
def test_any_customer_id_text_survives_the_wire(text):
    req = cdlx.CreateTicketRequest.model_validate(_create(sourceCustomerId=text))
    sent = json.loads(json.dumps(req.to_wire()))["sourceCustomerId"]
    assert str(sent) == text  # whatever the type, the text is exactly what the agent stored
