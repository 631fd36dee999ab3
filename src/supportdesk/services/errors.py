"""Errors the services raise for the faces (window, CLI) to show."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from pydantic import ValidationError


class ServiceError(Exception):
    pass


class InvalidInput(ServiceError):
    """Bad input: nothing stored, nothing sent. `fields` maps each field to its message."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))

    @classmethod
    @contextmanager
    def from_validation(cls) -> Iterator[None]:
        try:
            yield
        except ValidationError as exc:
            fields: dict[str, str] = {}
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "input"
                msg = err["msg"].removeprefix("Value error, ")
                fields.setdefault(loc, msg)
            raise cls(fields) from None


class NotConfigured(ServiceError):
    def __init__(self, provider: str) -> None:
        self.provider = provider
        super().__init__(f"the {provider} provider is not configured for this profile")


class TicketNotFound(ServiceError):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"no ticket {ref!r} in the cache (`ticket find` fetches support tickets "
                         f"from the provider)")
