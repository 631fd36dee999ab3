"""Zendesk-backed `support` API: wire shapes (PROVIDERS.md, section 3).

Lenient in (envelopes and records), strict out (create and search bodies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from supportdesk.models._wire import (
    LENIENT,
    STRICT,
    OptionalText,
    Text,
    TextList,
    as_optional_text,
    as_utc,
    check_email,
)

T = TypeVar("T")
_PHONE = re.compile(r"^\+[0-9]{8,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


class FileKind(StrEnum):
    LOG = "LOG"
    FEEDBACK_PHOTO = "FEEDBACK_PHOTO"


class KnownTicketStatus(StrEnum):
    """Values seen or mapped in PROVIDERS.md; records keep the raw string."""

    CREATED = "CREATED"
    NEW = "NEW"
    OPEN = "OPEN"
    PENDING = "PENDING"
    HOLD = "HOLD"
    SOLVED = "SOLVED"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class DownloadedFile:
    path: Path
    size: int
    media_type: str  # sniffed from the first bytes, never from the answer's content-type


# --- coercions ---------------------------------------------------------------------------

def _epoch_ms(value: Any) -> Any:
    # creationDate is epoch milliseconds; ISO strings (and datetimes) are tolerated too
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
    if value is None or isinstance(value, (str, datetime)):
        return as_utc(value)
    return None


def _normalize_phone(value: Any) -> Any:
    value = as_optional_text(value)
    if isinstance(value, str):
        return _PHONE_SEPARATORS.sub("", value)
    return value


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.fullmatch(value):
        raise ValueError("phone must be in international format: '+' then 8 to 15 digits")
    return value


Phone = Annotated[str | None, BeforeValidator(_normalize_phone)]


# --- requests (strict out) ---------------------------------------------------------------

class CreateRequest(BaseModel):
    """Body of `POST {base}/user/log/message`."""

    model_config = STRICT

    uuid: str = Field(min_length=1)
    udid: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    message: str = Field(min_length=1)
    email: str
    category: str = Field(min_length=1)
    name: OptionalText = None
    phone: Phone = None
    images: list[Annotated[str, Field(min_length=1)]] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)  # type: ignore[return-value]

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _check_phone(value)

    def to_wire(self) -> dict[str, Any]:
        wire = self.model_dump(by_alias=True, exclude_none=True)
        if not wire.get("images"):
            wire.pop("images", None)
        return wire


class SearchCriteria(BaseModel):
    """Body of `POST {base}/admin/fetch/customer/support`: all optional, ANDed."""

    model_config = STRICT

    uuid: OptionalText = None
    udid: OptionalText = None
    email: OptionalText = None
    phone: Phone = None
    ticket_id: OptionalText = None  # the core ticket id (record.ticketId)
    zendesk_ticket_id: OptionalText = None  # = ticketInfo.supportTicketId

    @model_validator(mode="after")
    def _at_least_one(self) -> SearchCriteria:
        if not self.to_wire():
            raise ValueError("give at least one search criterion "
                             "(uuid, udid, email, phone, ticketId or zendeskTicketId)")
        return self

    def to_wire(self) -> dict[str, str]:
        # Unset criteria are left out, never sent as "" (PROVIDERS.md, Search).
        return self.model_dump(by_alias=True, exclude_none=True)


# --- answers (lenient in) ----------------------------------------------------------------

class TicketInfo(BaseModel):
    model_config = LENIENT

    id: OptionalText = None
    support_ticket_id: OptionalText = None  # the Zendesk ticket number, e.g. "345"
    ticket_status: OptionalText = None  # raw, e.g. CREATED
    subject: OptionalText = None
    message: OptionalText = None
    images: TextList = Field(default_factory=list)
    # Often null and not the core ticket id.
    core_ticket_number: Any = None


class SupportRecord(BaseModel):
    """One customer-support record (`data` of create/upload, items of search)."""

    model_config = LENIENT

    id: Text  # the feedback id: uploads go here
    ticket_id: OptionalText = None  # the core ticket id: downloads and search use it
    name: OptionalText = None
    email: OptionalText = None
    phone: OptionalText = None
    category: OptionalText = None
    log_path: OptionalText = None
    feedback_photo: OptionalText = None
    creation_date: Annotated[datetime | None, BeforeValidator(_epoch_ms)] = None
    ticket_info: TicketInfo | None = None
    # Large nested objects kept raw.
    user: dict[str, Any] | None = None
    device: dict[str, Any] | None = None
    target: dict[str, Any] | None = None

    @property
    def zendesk_ticket_id(self) -> str | None:
        return self.ticket_info.support_ticket_id if self.ticket_info else None

    @property
    def ticket_status(self) -> str | None:
        return self.ticket_info.ticket_status if self.ticket_info else None

    @property
    def subject(self) -> str | None:
        return self.ticket_info.subject if self.ticket_info else None

    @property
    def message(self) -> str | None:
        return self.ticket_info.message if self.ticket_info else None


def _as_bool(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if value is not None else False


class Envelope(BaseModel, Generic[T]):
    """`{data, detail, error, message}` around every support answer."""

    model_config = ConfigDict(extra="allow")

    data: T | None = None
    detail: Any = None
    error: Annotated[bool, BeforeValidator(_as_bool)] = False
    message: OptionalText = None

    @property
    def error_text(self) -> str:
        if self.message:
            return self.message
        if isinstance(self.detail, str) and self.detail.strip():
            return self.detail.strip()
        return "The support service reported an error without a message."
