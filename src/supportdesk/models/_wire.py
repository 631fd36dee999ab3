"""Coercions and configs shared by the provider wire models.

PROVIDERS.md, general rules: parse leniently, send strictly. Answers and events accept ints where
strings are documented and the reverse; requests forbid unknown fields. Python names are
snake_case, the wire names the camelCase aliases.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = [
    "LENIENT", "STRICT", "OptionalText", "Text", "TextList", "UtcDateTime",
    "as_list", "as_optional_text", "as_text", "as_utc", "blank_to_none", "check_email",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def as_text(value: Any) -> Any:
    """Numbers where text is documented become text (ids can outgrow 32 and 53 bits).

    An integral float loses its `.0` (`7.0` -> "7"); bools and non-finite floats are left for
    the field's own validation to reject.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        # precision may already be lost; keep what arrived
        return str(int(value)) if value.is_integer() else str(value)
    return value


def blank_to_none(value: Any) -> Any:
    """An empty or all-blank string means absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def as_optional_text(value: Any) -> Any:
    return blank_to_none(as_text(value))


def as_utc(value: Any) -> Any:
    """ISO 8601 text or a datetime; blank means absent; no zone on the wire means UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip()
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def as_list(value: Any) -> Any:
    """None is an empty list, a single value a list of one."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def check_email(value: str | None) -> str | None:
    if value is not None and not _EMAIL.fullmatch(value):
        raise ValueError("not a valid e-mail address")
    return value


Text = Annotated[str, BeforeValidator(as_text)]
OptionalText = Annotated[str | None, BeforeValidator(as_optional_text)]
TextList = Annotated[list[Text], BeforeValidator(as_list)]
UtcDateTime = Annotated[datetime | None, BeforeValidator(as_utc)]

# Requests (strict out): only documented fields, trimmed, immutable once built.
STRICT = ConfigDict(
    alias_generator=to_camel, validate_by_name=True, validate_by_alias=True,
    extra="forbid", str_strip_whitespace=True, frozen=True,
)
# Answers and events (lenient in): unknown fields are kept.
LENIENT = ConfigDict(
    alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="allow",
)
