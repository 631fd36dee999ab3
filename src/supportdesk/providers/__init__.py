"""Async HTTP clients, one per provider, over one shared transport (no storage, no Qt)."""

from supportdesk.providers.cardlytics import CardlyticsClient
from supportdesk.providers.errors import (
    AuthFailed,
    NotFound,
    ProviderBug,
    ProviderError,
    Rejected,
    Transient,
    Unreachable,
)
from supportdesk.providers.offers_feedback import OffersFeedbackClient
from supportdesk.providers.radar import RadarClient, TokenHolder
from supportdesk.providers.redaction import (
    RedactingFilter,
    quiet_http_loggers,
    redact,
    register_secret,
)
from supportdesk.providers.support import SupportClient
from supportdesk.providers.transport import (
    HeaderSecretAuth,
    RetryPolicy,
    build_http_client,
    send,
)
from supportdesk.providers.wasabi import WasabiClient

__all__ = [
    "AuthFailed",
    "CardlyticsClient",
    "HeaderSecretAuth",
    "NotFound",
    "OffersFeedbackClient",
    "ProviderBug",
    "ProviderError",
    "RadarClient",
    "RedactingFilter",
    "Rejected",
    "RetryPolicy",
    "SupportClient",
    "TokenHolder",
    "Transient",
    "Unreachable",
    "WasabiClient",
    "build_http_client",
    "quiet_http_loggers",
    "redact",
    "register_secret",
    "send",
]
