"""Offers-feedback API: wire shapes (PROVIDERS.md, section 5).

The request travels as query parameters next to three secrets (clientkey, clientpass,
apikey); `to_query()` returns only the non-secret part; the client adds the rest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from supportdesk.models._wire import OptionalText, Text

DEFAULT_ACTION = "user_feedback"
REJECTION_STATUSES = frozenset({"error", "fail", "failure"})


class FeedbackType:
    """Examples from the document; any value is sent as given."""

    MERCHANT_DECLINED = "1"
    OFFER_EXPIRED = "2"


Required = Annotated[Text, Field(min_length=1)]


class FeedbackRequest(BaseModel):
    """Every parameter is required except comment (PROVIDERS.md **Decision**)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    user_id: Required  # the customer's e-mail or device id
    offer_code: Required
    your_bank_code: Required
    outlet_code: Required
    feedback_type: Required
    # The customer's position at the outlet, not the agent's.
    user_latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    user_longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    comment: OptionalText = None

    def to_query(self) -> dict[str, str]:
        """The non-secret query parameters, in the document's order."""
        query = {
            "user_id": self.user_id,
            "user_latitude": _decimal(self.user_latitude),
            "user_longitude": _decimal(self.user_longitude),
            "feedback_type": self.feedback_type,
        }
        if self.comment is not None:
            query["comment"] = self.comment
        query |= {
            "offer_code": self.offer_code,
            "your_bank_code": self.your_bank_code,
            "outlet_code": self.outlet_code,
        }
        return query


def _decimal(value: float) -> str:
    """Plain decimal notation, as many digits as the float has: repr() wrote 1e-05."""
    return format(Decimal(repr(value)), "f")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True or (isinstance(value, int) and value == 1)


def _falsy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("false", "0", "no")
    return value is False or (isinstance(value, int) and not isinstance(value, bool) and value == 0)


class FeedbackAnswer(BaseModel):
    """Any JSON object (its shape is not documented); every key is kept in `raw`."""

    model_config = ConfigDict(extra="allow")

    @property
    def raw(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def _get(self, key: str) -> Any:
        return (self.model_extra or {}).get(key)

    @property
    def is_rejection(self) -> bool:
        """PROVIDERS.md: status error/fail/failure, error true, or success false; any other
        answer is success (true/false also as "true"/"false" or 1/0: parse leniently)."""
        status = self._get("status")
        if isinstance(status, str) and status.strip().lower() in REJECTION_STATUSES:
            return True
        return _truthy(self._get("error")) or _falsy(self._get("success"))

    @property
    def message(self) -> str | None:
        """Best effort: message, description, msg, an error text, then status."""
        for key in ("message", "description", "msg"):
            value = self._get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        error = self._get("error")
        if isinstance(error, str) and error.strip() and not _falsy(error) and not _truthy(error):
            return error.strip()
        status = self._get("status")
        if isinstance(status, str) and status.strip():
            return status.strip()
        return None
