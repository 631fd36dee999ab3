"""The few typed errors every provider call can raise.

The outbox decides on the class: `Transient` stays queued and is retried later, `Rejected` is
kept as failed with the provider's message. `str(exc)` is that message, already redacted.
"""

from __future__ import annotations

from supportdesk.providers.redaction import redact, strip_queries


class ProviderError(Exception):
    default_hint: str | None = None

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        maybe_delivered: bool = False,
    ) -> None:
        self.provider = provider
        self.message = strip_queries(redact(message)).strip() or "No message from the provider."
        self.hint = hint if hint is not None else self.default_hint
        self.status = status
        # True when the request may have reached the provider (lost reply, 5xx): a write
        # with unknown outcome must be checked or resent with the same identity.
        self.maybe_delivered = maybe_delivered
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(provider={self.provider!r}, status={self.status!r}, "
                f"message={self.message!r})")


class Transient(ProviderError):
    """Worth retrying later: the write stays queued."""

    default_hint = "Try again in a moment; queued changes are resent automatically."


class Unreachable(Transient):
    """Connect error, timeout, dropped connection, lost reply."""

    default_hint = ("Check the network connection and the provider's base URL; "
                    "queued changes are resent automatically.")


class ProviderBug(Transient):
    """5xx, 408, 429 or an answer that cannot be read."""

    default_hint = ("The provider had a problem on its side; try again later "
                    "(queued changes are resent automatically).")

    def __init__(self, provider: str, message: str, *, retry_after: float | None = None,
                 **kwargs: object) -> None:
        super().__init__(provider, message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class Rejected(ProviderError):
    """The provider answered no: other 4xx or an error envelope. Resending will not help."""

    default_hint = "Check the fields and resubmit."


class NotFound(Rejected):
    default_hint = "Check the identifier: the provider does not know it."


class AuthFailed(Rejected):
    default_hint = "Check this provider's credentials in Settings."


__all__ = [
    "AuthFailed",
    "NotFound",
    "ProviderBug",
    "ProviderError",
    "Rejected",
    "Transient",
    "Unreachable",
]
