"""Radar feedback invitations: wire shapes (PROVIDERS.md, section 4)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from supportdesk.models._wire import (
    LENIENT,
    STRICT,
    OptionalText,
    Text,
    blank_to_none,
    check_email,
)

SUCCESS_CODE = "00000"
_ALNUM = re.compile(r"^[A-Za-z0-9]+$")

# Known 400 texts, matched by their start, with the document's hints.
KNOWN_ERRORS: tuple[tuple[str, str], ...] = (
    ("No Feedback code found for this clientDisplayId",
     "The locationDisplayId, pomDisplayId and programmeDisplayId can be obtained via the "
     "provider's lookup v2 APIs."),
    ("To send an email invitation, the programme must set Postmark ID",
     "Provide correct details and try again; the Postmark ID is set by the provider's support "
     "team (contact support@customerradar.com)."),
)


def hint_for(text: str | None) -> str | None:
    """The documented hint when `text` starts with one of the two known errors."""
    start = (text or "").strip().lower()
    for prefix, hint in KNOWN_ERRORS:
        if start.startswith(prefix.lower()):
            return hint
    return None


def _check_id(value: str) -> str:
    # Provider-issued ids: non-empty and alphanumeric only, no hex or length check.
    if not _ALNUM.fullmatch(value):
        raise ValueError("must be non-empty and contain only letters and digits")
    return value


DisplayId = Text


# --- login -------------------------------------------------------------------------------

class LoginAnswer(BaseModel):
    """Answer of `POST {base}/auth/login`."""

    model_config = LENIENT

    token: str = Field(min_length=1)
    expiration: float | None = None  # epoch seconds (inferred)
    user_name: OptionalText = None

    @field_validator("expiration", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if value is None:
            return None
        value = float(value)
        return value / 1000 if value > 1e11 else value  # tolerate epoch milliseconds

    def __repr__(self) -> str:  # never show the token
        return f"LoginAnswer(token='***', expiration={self.expiration!r}, user_name={self.user_name!r})"

    __str__ = __repr__


# --- send (strict out) -------------------------------------------------------------------

class MetadataItem(BaseModel):
    model_config = STRICT

    key: str = Field(min_length=1)
    value: Text


class Recipient(BaseModel):
    model_config = STRICT

    email: OptionalText = None
    mobile: OptionalText = None  # sent as entered (national formats are normal)
    first_name: OptionalText = None
    last_name: OptionalText = None
    location_display_id: DisplayId
    pom_display_id: OptionalText = None
    metadata: list[MetadataItem] | None = None

    @field_validator("location_display_id")
    @classmethod
    def _location(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("pom_display_id")
    @classmethod
    def _pom(cls, value: str | None) -> str | None:
        return None if value is None else _check_id(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return check_email(value)

    @model_validator(mode="after")
    def _a_channel(self) -> Recipient:
        if self.email is None and self.mobile is None:
            raise ValueError("give an email or a mobile (or both)")
        return self


class InvitationRequest(BaseModel):
    """Body of `POST {base}/invitation`: one invitation per recipient."""

    model_config = STRICT

    client_display_id: DisplayId
    programme_display_id: DisplayId
    send_data: list[Recipient] = Field(min_length=1, max_length=1)

    @field_validator("client_display_id", "programme_display_id")
    @classmethod
    def _ids(cls, value: str) -> str:
        return _check_id(value)

    def to_wire(self) -> dict[str, Any]:
        wire = self.model_dump(by_alias=True, exclude_none=True)
        for recipient in wire["sendData"]:
            if not recipient.get("metadata"):
                recipient.pop("metadata", None)
        return wire


class InvitationAnswer(BaseModel):
    """`{code, description, data}`; data is the invitation id, kept as text (> 2^53)."""

    model_config = LENIENT

    code: Text | None = None
    description: OptionalText = None
    data: OptionalText = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:05d}"  # 0 means "00000"
        return value

    @property
    def is_success(self) -> bool:
        return (self.code or "").strip() == SUCCESS_CODE
