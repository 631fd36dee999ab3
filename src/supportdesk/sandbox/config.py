"""Configuration of the sandbox provider server, and the public demo credentials.

The demo credentials are not secrets: they are the values the built-in `sandbox` profile uses so a
fresh install works with no configuration. Anything else configured here (a real-looking password,
a webhook secret, a static auth header value) is treated as a secret and never logged or echoed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEMO_RADAR_USERNAME = "sandbox-desk"
DEMO_RADAR_PASSWORD = "sandbox-password"
DEMO_OFFERS_CLIENTKEY = "sandbox-clientkey"
DEMO_OFFERS_CLIENTPASS = "sandbox-clientpass"
DEMO_OFFERS_APIKEY = "sandbox-apikey"

#: Kinds of injected fault (see faults.py):
#: "error" answers 503; "drop_before" drops the connection before the request is processed;
#: "drop_after" processes the request (the write happens) and then drops the connection, so the
#: client never hears the answer (a lost reply).
FAULT_KINDS: tuple[str, ...] = ("error", "drop_before", "drop_after")

#: How a cardlytics create with an existing sourceTicketId is reported:
#: "409" answers 409 {"message": "Ticket already exists"};
#: "event" answers 202 and then delivers an Error update event with
#: processingStatusMessage "Ticket already exists" (like the document's "Failed" sample).
DUPLICATE_MODES: tuple[str, ...] = ("409", "event")

#: What Retrieve answers for a ticket whose processing ended with processingStatus Error:
#: "closed" the ticket with status Closed, no resolutionType, cardlyticsResponse = the error text;
#: "404" {"message": "Ticket not found"}.
ERROR_RETRIEVE_MODES: tuple[str, ...] = ("closed", "404")


@dataclass
class SandboxConfig:
    """Everything the sandbox can be told. Fields marked runtime can be changed while it runs
    (SandboxServer.set_faults or POST /_sandbox/config)."""

    fault_rate: float = 0.0  # runtime: fraction of provider requests that fail
    latency_ms: int = 0  # runtime: added to every provider request
    token_ttl: float = 3600.0  # runtime: radar token lifetime, seconds
    webhook_url: str | None = None  # runtime: cardlytics update events are POSTed here
    webhook_secret: str | None = None  # runtime: sent as X-Webhook-Secret
    radar_username: str = DEMO_RADAR_USERNAME
    radar_password: str = DEMO_RADAR_PASSWORD
    offers_clientkey: str = DEMO_OFFERS_CLIENTKEY
    offers_clientpass: str = DEMO_OFFERS_CLIENTPASS
    offers_apikey: str = DEMO_OFFERS_APIKEY
    cardlytics_auth: tuple[str, str] | None = None  # (header name, value)
    support_auth: tuple[str, str] | None = None  # (header name, value)
    processing_delay: float = 1.0  # runtime: create -> first update event
    close_delay: float = 3.0  # runtime: first update event -> final (Closed) event
    support_progress_delay: float = 5.0  # runtime: time between support status steps
    files_dir: Path | None = None  # uploads and seeded files; a temp dir if None
    seed: int = 7
    fault_kinds: tuple[str, ...] = field(default=FAULT_KINDS)  # runtime
    duplicate_mode: str = "409"  # runtime, one of DUPLICATE_MODES
    error_retrieve: str = "closed"  # runtime, one of ERROR_RETRIEVE_MODES
    webhook_attempts: int = 4  # deliveries tried per event (transport error, 5xx, 408, 429)
    webhook_retry_delay: float = 0.25  # first backoff; doubles each attempt

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if not 0.0 <= float(self.fault_rate) <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if int(self.latency_ms) < 0:
            raise ValueError("latency_ms must be >= 0")
        if float(self.token_ttl) < 0:
            raise ValueError("token_ttl must be >= 0")
        for name in ("processing_delay", "close_delay", "support_progress_delay", "webhook_retry_delay"):
            if float(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0")
        if int(self.webhook_attempts) < 1:
            raise ValueError("webhook_attempts must be >= 1")
        kinds = tuple(self.fault_kinds)
        if not kinds or any(k not in FAULT_KINDS for k in kinds):
            raise ValueError(f"fault_kinds must be a non-empty subset of {list(FAULT_KINDS)}")
        self.fault_kinds = kinds
        if self.duplicate_mode not in DUPLICATE_MODES:
            raise ValueError(f"duplicate_mode must be one of {list(DUPLICATE_MODES)}")
        if self.error_retrieve not in ERROR_RETRIEVE_MODES:
            raise ValueError(f"error_retrieve must be one of {list(ERROR_RETRIEVE_MODES)}")
        for name in ("cardlytics_auth", "support_auth"):
            value = getattr(self, name)
            if value is not None:
                if len(value) != 2 or not value[0] or not isinstance(value[1], str):
                    raise ValueError(f"{name} must be a (header name, value) pair")
                setattr(self, name, (str(value[0]), value[1]))
        if self.files_dir is not None:
            self.files_dir = Path(self.files_dir)

    def public_view(self) -> dict:
        """The runtime settings, safe to show: no secret values."""
        return {
            "fault_rate": self.fault_rate,
            "latency_ms": self.latency_ms,
            "token_ttl": self.token_ttl,
            "webhook_url": self.webhook_url,
            "webhook_secret_set": self.webhook_secret is not None,
            "fault_kinds": list(self.fault_kinds),
            "processing_delay": self.processing_delay,
            "close_delay": self.close_delay,
            "support_progress_delay": self.support_progress_delay,
            "duplicate_mode": self.duplicate_mode,
            "error_retrieve": self.error_retrieve,
            "cardlytics_auth_header": self.cardlytics_auth[0] if self.cardlytics_auth else None,
            "support_auth_header": self.support_auth[0] if self.support_auth else None,
        }


#: Settings that POST /_sandbox/config may change, with their converters.
RUNTIME_SETTINGS: dict[str, type] = {
    "fault_rate": float,
    "latency_ms": int,
    "token_ttl": float,
    "webhook_url": str,
    "webhook_secret": str,
    "processing_delay": float,
    "close_delay": float,
    "support_progress_delay": float,
    "fault_kinds": tuple,
    "duplicate_mode": str,
    "error_retrieve": str,
}


def apply_runtime_changes(config: SandboxConfig, changes: dict) -> None:
    """Validate `changes` on a copy, then apply them to `config` (all or nothing).

    Raises ValueError naming the bad setting."""
    from dataclasses import replace

    converted: dict = {}
    for key, value in changes.items():
        if key not in RUNTIME_SETTINGS:
            raise ValueError(f"{key}: not a runtime setting (allowed: {', '.join(sorted(RUNTIME_SETTINGS))})")
        kind = RUNTIME_SETTINGS[key]
        if value is None and key in ("webhook_url", "webhook_secret"):
            converted[key] = None
            continue
        if isinstance(value, bool) or value is None:
            raise ValueError(f"{key}: invalid value")
        try:
            if kind is tuple:
                if isinstance(value, str):
                    raise TypeError
                converted[key] = tuple(str(v) for v in value)
            elif kind is str:
                if not isinstance(value, str):
                    raise TypeError
                converted[key] = value
            else:
                converted[key] = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{key}: invalid value") from None
    trial = replace(config, **converted)  # runs validate() via __post_init__
    for key in converted:
        setattr(config, key, getattr(trial, key))
