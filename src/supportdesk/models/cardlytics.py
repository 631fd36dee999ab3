"""Cardlytics offer-dispute tickets: wire shapes (PROVIDERS.md, section 1).

Lenient in (answers and webhook events), strict out (create requests).
Python names are snake_case; the wire names are the camelCase aliases.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, PositiveInt, field_validator

from supportdesk.models._wire import (
    LENIENT,
    STRICT,
    OptionalText,
    Text,
    TextList,
    UtcDateTime,
    as_list,
    check_email,
)

INT64_MAX = 2**63 - 1


class TicketStatus(StrEnum):
    """Known `status` values; the models keep the raw string."""

    IN_PROCESS = "In Process"
    CLOSED = "Closed"


class ProcessingStatus(StrEnum):
    SUCCESS = "Success"
    ERROR = "Error"


class ResolutionType(StrEnum):
    NOT_ELIGIBLE = "No Credit: Not eligible for reward"
    REWARD_PENDING = "No Credit: Reward Pending"
    REWARD_RECEIVED = "No Credit: Reward Received"


KNOWN_PROCESSING_MESSAGES = (
    "Ticket already exists",
    "Invalid customer Id",
    "Invalid transaction Id",
    "Invalid redemption Id",
    "Invalid offer Id",
)
TICKET_ALREADY_EXISTS = KNOWN_PROCESSING_MESSAGES[0]


# --- coercions ---------------------------------------------------------------------------

def _resolution(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in ("", "blank"):
        return None
    return value


Resolution = Annotated[str | None, BeforeValidator(_resolution)]
IntList = Annotated[list[int], BeforeValidator(as_list)]


def _wire_customer_id(text: str) -> int | str:
    """JSON integer when all ASCII digits and within signed 64 bits, else the text."""
    if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")):
        number = int(text)
        if number <= INT64_MAX:
            return number
    return text  # leading zeros, UUIDs and huge numbers would change meaning as ints


# --- create (strict out) ----------------------------------------------------------------

class CreateTicketRequest(BaseModel):
    """Body of `POST {base}/tickets`."""

    model_config = STRICT

    source_ticket_id: Text = Field(min_length=1)
    source_customer_id: Text = Field(min_length=1)
    transaction_ids: list[PositiveInt] = Field(min_length=1, max_length=10)
    offer_id: PositiveInt
    description: str = Field(min_length=1)
    author_email_address: OptionalText = None

    @field_validator("transaction_ids")
    @classmethod
    def _distinct(cls, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"transaction ids must be distinct (repeated: {dupes})")
        return ids

    @field_validator("author_email_address")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return check_email(value)

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "sourceTicketId": self.source_ticket_id,
            "sourceCustomerId": _wire_customer_id(self.source_customer_id),
            "transactionIds": list(self.transaction_ids),
            "offerId": self.offer_id,
            "description": self.description,
        }
        if self.author_email_address is not None:
            wire["authorEmailAddress"] = self.author_email_address
        return wire


# --- retrieve and events (lenient in) ---------------------------------------------------

class _Lenient(BaseModel):
    model_config = LENIENT


class RetrievedTicket(_Lenient):
    """Answer of `GET {base}/tickets/{sourceTicketId}`."""

    source_ticket_id: Text
    status: Text
    cdlx_ticket_id: int | None = None
    # Kept as text, never matched on: Retrieve prefixes the institution id (7094...).
    source_customer_id: OptionalText = None
    author_email_address: OptionalText = None
    activation_date: UtcDateTime = None
    description: Text = ""
    resolution_type: Resolution = None
    cardlytics_response: OptionalText = None
    offer_id: int | None = None
    transaction_ids: IntList = Field(default_factory=list)
    # The field table says redemptionId, the sample redemptionIds: both land here.
    redemption_ids: TextList = Field(
        default_factory=list,
        validation_alias=AliasChoices("redemptionIds", "redemptionId", "redemption_ids"),
    )
    ticket_created_date: UtcDateTime = None
    ticket_solved_date: UtcDateTime = None

    @property
    def is_closed(self) -> bool:
        return self.status.strip().lower() == TicketStatus.CLOSED.lower()


class UpdateEvent(_Lenient):
    """One webhook event (PROVIDERS.md, "Update events")."""

    source_ticket_id: Text = Field(min_length=1)
    source_customer_id: Text
    processing_status: Text
    cdlx_ticket_id: int | None = None
    author_email_address: OptionalText = None
    status: OptionalText = None
    processing_status_message: OptionalText = None
    description: OptionalText = None
    resolution_type: Resolution = None
    cardlytics_response: OptionalText = None
    # Undocumented extras seen in the samples.
    offer_id: int | None = None
    transaction_ids: IntList = Field(default_factory=list)
    institution_id: OptionalText = None

    @property
    def is_success(self) -> bool:
        return self.processing_status.strip().lower() == ProcessingStatus.SUCCESS.lower()

    @property
    def is_error(self) -> bool:
        return self.processing_status.strip().lower() == ProcessingStatus.ERROR.lower()

    @property
    def already_exists(self) -> bool:
        msg = (self.processing_status_message or "").strip().lower()
        return self.is_error and msg.startswith(TICKET_ALREADY_EXISTS.lower())
