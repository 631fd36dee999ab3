"""The composition root: one function builds the service graph from a Config for GUI and CLI alike."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from supportdesk.config import Config, ConfigError, Secrets
from supportdesk.providers.cardlytics import CardlyticsClient
from supportdesk.providers.offers_feedback import OffersFeedbackClient
from supportdesk.providers.radar import RadarClient
from supportdesk.logs import setup_logging
from supportdesk.providers.redaction import register_secret
from supportdesk.providers.support import SupportClient
from supportdesk.providers.transport import HeaderSecretAuth, RetryPolicy, build_http_client, timeout_of
from supportdesk.providers.wasabi import WasabiClient
from supportdesk.services.attachments import AttachmentService
from supportdesk.services.export import ExportService
from supportdesk.services.outbox import OutboxSender
from supportdesk.services.sync import SyncService
from supportdesk.services.tickets import TicketService
from supportdesk.services.updates import TicketUpdater
from supportdesk.services.webhook import WebhookIntake
from supportdesk.services.writes import FeedbackService, InvitationService
from supportdesk.store.db import Database
from supportdesk.store.inbox import InboxQueries
from supportdesk.store.store import Store
from supportdesk.store.files import FileStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    config: Config
    store: Store
    files: FileStore
    sender: OutboxSender
    updater: TicketUpdater
    tickets: TicketService
    attachments: AttachmentService
    invitations: InvitationService
    feedback: FeedbackService
    export: ExportService
    sync: SyncService
    clients: dict[str, Any] = field(default_factory=dict)
    http: list[httpx.AsyncClient] = field(default_factory=list)
    sandbox: Any = None  # the in-process SandboxServer for the sandbox profile

    def webhook_intake(self, secret: str | None = None) -> WebhookIntake:
        secret = secret or self.config.secrets.get("webhook", "secret")
        register_secret(secret)
        return WebhookIntake(self.store, self.updater, secret)

    def sandbox_seed(self) -> dict[str, Any] | None:
        """The sandbox's seed listing (customers, offers, radar ids), for the demo bootstrap."""
        base = self.sandbox.base_url if self.sandbox is not None else (
            STANDALONE_SANDBOX.rstrip("/") if self.config.is_sandbox else None)
        if base is None:
            return None
        try:
            return httpx.get(f"{base}/_sandbox/seed", timeout=5).json()
        except Exception as exc:
            log.warning("sandbox seed unavailable: %s", type(exc).__name__)
            return None

    def configured(self, provider: str) -> bool:
        return provider in self.clients

    async def aclose(self) -> None:
        for client in self.http:
            await client.aclose()
        self.store.close()
        if self.sandbox is not None:
            self.sandbox.stop()


STANDALONE_SANDBOX = "http://127.0.0.1:8765/"


def _running_sandbox() -> dict[str, str] | None:
    """A `supportdesk sandbox` already serving on its default port keeps state across commands."""
    try:
        answer = httpx.get(STANDALONE_SANDBOX, timeout=0.5).json()
        return {k: (v.get("post_url") or v["base_url"]) for k, v in answer.items()}
    except Exception:
        return None


def start_sandbox(config: Config) -> Any:
    """The built-in profile: the sandbox in-process on a free loopback port (or the running one)."""
    from supportdesk.sandbox import SandboxConfig, SandboxServer
    from supportdesk.sandbox.seed import RADAR_CLIENT_ID, RADAR_PROGRAMME_EMAIL

    import secrets as pysecrets

    server = None
    hook_secret = pysecrets.token_urlsafe(18)
    urls = _running_sandbox()
    if urls is None or "cardlytics" not in urls:
        server = SandboxServer(SandboxConfig(files_dir=config.profile_dir / "sandbox-files",
                                             webhook_secret=hook_secret)).start()
        urls = server.urls()
    config.settings = {
        "cardlytics": {"base_url": urls["cardlytics"]},
        "support": {"base_url": urls["support"]},
        # The seeded client and e-mail programme: `invite send` and the form start with them.
        "radar": {"base_url": urls["radar"], "username": _demo("DEMO_RADAR_USERNAME"),
                  "client_id": RADAR_CLIENT_ID, "programme_id": RADAR_PROGRAMME_EMAIL},
        "offers_feedback": {"base_url": urls["offers_feedback"]},
        "wasabi": {"post_url": urls["wasabi"]},
        "webhook": {"host": "127.0.0.1", "port": 0},
    }
    config.secrets = Secrets(config.profile, defaults={
        "radar.password": _demo("DEMO_RADAR_PASSWORD"),
        "offers_feedback.clientkey": _demo("DEMO_OFFERS_CLIENTKEY"),
        "offers_feedback.clientpass": _demo("DEMO_OFFERS_CLIENTPASS"),
        "offers_feedback.apikey": _demo("DEMO_OFFERS_APIKEY"),
        "webhook.secret": hook_secret,
    })
    return server


def _demo(name: str) -> str:
    from supportdesk import sandbox

    return getattr(sandbox, name)


def build_services(config: Config, *, retry: RetryPolicy | None = None,
                   transport: httpx.AsyncBaseTransport | None = None,
                   db: Database | None = None, inbox: InboxQueries | None = None) -> Services:
    """Everything the window and the CLI use. `db`/`inbox`: the cache the window opened first."""
    sandbox = start_sandbox(config) if config.is_sandbox else None
    try:
        return _build(config, sandbox, retry or RetryPolicy(), transport, db, inbox)
    except BaseException:
        if sandbox is not None:
            sandbox.stop()
        raise


def _build(config: Config, sandbox: Any, retry: RetryPolicy, transport: httpx.AsyncBaseTransport | None,
           db: Database | None, inbox: InboxQueries | None) -> Services:
    secrets = config.secrets or Secrets(config.profile)
    config.profile_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.db_path) if db is None else Store(db=db, inbox=inbox)
    files = FileStore(config.files_dir)
    http: list[httpx.AsyncClient] = []
    clients: dict[str, Any] = {}

    def client_for(section: str, base_url: str, auth: httpx.Auth | None = None) -> httpx.AsyncClient:
        c = build_http_client(base_url, auth=auth, transport=transport,
                              timeout=timeout_of(config.settings[section].get("timeout")))
        http.append(c)
        return c

    def header_auth(section: str) -> httpx.Auth | None:
        name = config.settings[section].get("auth_header")
        return HeaderSecretAuth(name, secrets.getter(section, "auth_value")) if name else None

    s = config.settings
    if "cardlytics" in s:
        clients["cardlytics"] = CardlyticsClient(
            client_for("cardlytics", _slash(s["cardlytics"]["base_url"]), header_auth("cardlytics")), retry)
    if "support" in s:
        clients["support"] = SupportClient(
            client_for("support", _slash(s["support"]["base_url"]), header_auth("support")), retry)
    if "radar" in s:
        clients["radar"] = RadarClient(client_for("radar", _slash(s["radar"]["base_url"])),
                                       s["radar"]["username"], secrets.getter("radar", "password"), retry)
    if "offers_feedback" in s:
        base = s["offers_feedback"]["base_url"]
        clients["offers_feedback"] = OffersFeedbackClient(
            client_for("offers_feedback", base), base, s["offers_feedback"].get("action", "user_feedback"),
            secrets.getter("offers_feedback", "clientkey"), secrets.getter("offers_feedback", "clientpass"),
            secrets.getter("offers_feedback", "apikey"), retry)
    if s.get("wasabi", {}).get("post_url"):
        url = s["wasabi"]["post_url"]
        clients["wasabi"] = WasabiClient(client_for("wasabi", url), url, retry)

    def require_secrets(provider: str) -> None:
        """Fail before storing a write whose provider cannot be reached without a missing secret."""
        names = {"radar": ["password"], "offers_feedback": ["clientkey", "clientpass", "apikey"]}.get(
            provider, ["auth_value"] if s.get(provider, {}).get("auth_header") else [])
        for name in names:
            secrets.get(provider, name)

    sender = OutboxSender(store)
    updater = TicketUpdater(store)
    tickets = TicketService(store, sender, updater, cardlytics=clients.get("cardlytics"),
                            support=clients.get("support"), files=files,
                            require_secrets=require_secrets)
    radar_cfg = s.get("radar", {})
    svc = Services(
        config=config, store=store, files=files, sender=sender, updater=updater, tickets=tickets,
        attachments=AttachmentService(store, files, sender, updater, clients.get("support"),
                                      require_secrets=require_secrets),
        invitations=InvitationService(store, sender, clients.get("radar"),
                                      default_client=radar_cfg.get("client_id"),
                                      default_programme=radar_cfg.get("programme_id"),
                                      require_secrets=require_secrets),
        feedback=FeedbackService(store, sender, clients.get("offers_feedback"), require_secrets),
        export=ExportService(store, clients.get("wasabi")),
        sync=SyncService(store, sender, tickets),
        clients=clients, http=http, sandbox=sandbox)
    sender.startup()
    return svc


def _slash(url: str) -> str:
    # httpx joins relative paths onto base_url only when it ends with "/".
    return url if url.endswith("/") else url + "/"


__all__ = ["Services", "build_services", "setup_logging", "ConfigError"]
