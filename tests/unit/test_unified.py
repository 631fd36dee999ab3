"""Unified status mapping (PROVIDERS.md) and wasabi events validated against the shipped schema."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from supportdesk.models.ticket import Ticket, TicketStatus, cardlytics_status, iso, support_status
from supportdesk.models.wasabi import WasabiSchemaError, build_event, validate_event
from supportdesk.resources import wasabi_schema


@pytest.mark.parametrize("raw, expected", [
    ("CREATED", "IN_PROGRESS"), ("new", "IN_PROGRESS"), ("Open", "IN_PROGRESS"),
    ("PENDING", "IN_PROGRESS"), ("HOLD", "IN_PROGRESS"), ("SOLVED", "RESOLVED"),
    ("closed", "RESOLVED"), ("ESCALATED_SOMEWHERE", "IN_PROGRESS"), (None, "OPEN"),
])
def test_support_mapping(raw, expected):
    assert support_status(raw).value == expected


@pytest.mark.parametrize("raw, processing, expected", [
    (None, None, "OPEN"),              # after the 202, before any answer
    ("In Process", None, "IN_PROGRESS"),
    (None, "Success", "IN_PROGRESS"),
    ("Closed", "Success", "RESOLVED"),  # the document's Success sample is already Closed
    ("closed", None, "RESOLVED"),
    (None, "Error", "OPEN"),
    ("Something New", None, "IN_PROGRESS"),
])
def test_cardlytics_mapping(raw, processing, expected):
    assert cardlytics_status(raw, processing).value == expected


def _ticket(**kw):
    base = dict(id="SD-1", provider="cardlytics", customer_id="1756524", subject="s",
                created_at=datetime(2024, 2, 6, 10, tzinfo=timezone.utc),
                updated_at=datetime(2024, 2, 6, 12, 45, tzinfo=timezone.utc))
    base.update(kw)
    return Ticket(**base)


def test_event_shape_and_schema():
    ev = build_event(_ticket(), "CREATED")
    assert ev["eventType"] == "CUSTOMER_CARE_TICKET" and ev["version"] == 1.0
    assert isinstance(json.loads(json.dumps(ev))["version"], float)
    assert ev["body"]["createdAt"] == "2024-02-06T10:00:00Z"
    assert "resolvedAt" not in ev["body"]  # never OPEN with resolvedAt (the document's slip)
    closed = _ticket(status=TicketStatus.RESOLVED, resolution="Courtesy Credit")
    resolved = build_event(closed, "UPDATED")
    assert resolved["body"]["resolvedAt"] and resolved["body"]["tags"] == ["Courtesy Credit"]
    # The same ticket's CREATED event, exported later: no resolution yet at that point.
    created = build_event(closed, "CREATED", status=TicketStatus.OPEN)
    assert "tags" not in created["body"] and "resolvedAt" not in created["body"]


def test_support_tags_are_category():
    ev = build_event(_ticket(provider="support", data={"category": "cat1"}), "CREATED")
    assert ev["body"]["tags"] == ["cat1"] and ev["body"]["ticketOrigin"] == "support"


@pytest.mark.parametrize("mutate, message", [
    (lambda e: e["body"].update(createdAt="2024-02-06T10:00:00"), "date-time"),  # no offset
    (lambda e: e["body"].update(createdAt="20240206T100000Z"), "date-time"),  # basic format
    (lambda e: e["body"].update(customerId=1756524), "string"),
    (lambda e: e.update(eventAction="DELETED"), "DELETED"),
    (lambda e: e["body"].update(reason={"type": "CANCELLATION"}), "reason"),
])
def test_schema_rejects(mutate, message):
    ev = build_event(_ticket(), "CREATED")
    mutate(ev)
    with pytest.raises(WasabiSchemaError, match=message):
        validate_event(ev)


def test_shipped_schema_is_the_cleaned_document():
    schema = wasabi_schema()
    assert schema["properties"]["eventAction"]["enum"] == ["CREATED", "UPDATED"]
    def keys(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield k
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    assert "optional" not in set(keys(schema))


@given(st.datetimes(timezones=st.just(timezone.utc)), st.text(min_size=1, max_size=30))
def test_any_ticket_time_and_customer_validate(when, customer):
    ev = build_event(_ticket(created_at=when, updated_at=when, customer_id=customer), "UPDATED")
    assert ev["body"]["updatedAt"] == iso(when)
