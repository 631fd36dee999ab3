"""How the CLI prints: one JSON document with --json, readable text otherwise; exit codes per CLI.md."""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import Any, Iterable

from supportdesk.models.ticket import Ticket, iso

EXIT_OK, EXIT_NOT_FOUND, EXIT_INVALID, EXIT_REJECTED, EXIT_CONFIG = 0, 1, 2, 3, 4

# Service field names → the flag an agent typed.
FLAG_NAMES = {
    "source_ticket_id": "--source-ticket-id", "sourceTicketId": "--source-ticket-id",
    "source_customer_id": "--customer-id", "sourceCustomerId": "--customer-id",
    "transaction_ids": "--transaction-id", "transactionIds": "--transaction-id",
    "offer_id": "--offer-id", "offerId": "--offer-id", "description": "--description",
    "author_email_address": "--author-email", "authorEmailAddress": "--author-email",
    "uuid": "--uuid", "udid": "--udid", "subject": "--subject", "message": "--message",
    "email": "--email", "category": "--category", "name": "--name", "phone": "--phone",
    "client": "--client", "programme": "--programme", "client_display_id": "--client",
    "clientDisplayId": "--client", "programme_display_id": "--programme",
    "programmeDisplayId": "--programme", "location_display_id": "--location",
    "locationDisplayId": "--location", "pom_display_id": "--pom", "pomDisplayId": "--pom",
    "mobile": "--mobile", "first_name": "--first-name", "last_name": "--last-name",
    "user_id": "--user-id", "offer_code": "--offer-code", "your_bank_code": "--bank-code",
    "outlet_code": "--outlet-code", "feedback_type": "--type", "comment": "--comment",
    "user_latitude": "--lat", "user_longitude": "--lon", "ticket_id": "--ticket-id",
    "zendesk_ticket_id": "--zendesk-id", "path": "PATH", "kind": "--kind",
    "send_data": "--email/--mobile", "email_or_mobile": "--email/--mobile", "images": "--image",
}


def flag_for(field: str) -> str:
    parts = [p for p in field.split(".") if not p.isdigit()]
    for part in reversed(parts):
        if part in FLAG_NAMES:
            return FLAG_NAMES[part]
    return field


def emit_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def err(message: str) -> None:
    sys.stderr.write(message.rstrip() + "\n")
    sys.stderr.flush()


def _short(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def ticket_table(tickets: Iterable[Ticket]) -> str:
    width = shutil.get_terminal_size((120, 20)).columns
    rows = [("ID", "PROVIDER", "STATUS", "SYNC", "UPDATED", "CUSTOMER", "SUBJECT")]
    for t in tickets:
        rows.append((t.id, t.provider, t.status.value, t.sync_state.value, iso(t.updated_at) or "",
                     _short(t.customer_id, 20), t.subject))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = []
    for r in rows:
        head = "  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:6]))
        lines.append(head + "  " + _short(r[6], max(10, width - len(head) - 2)))
    return "\n".join(lines)


def ticket_text(t: Ticket) -> str:
    out = [f"{t.id}  {t.subject}",
           f"  provider      {t.provider}  (external id {t.external_id or '—'}"
           + (f", Zendesk #{t.zendesk_id}" if t.zendesk_id else "") + ")",
           f"  status        {t.status.value}  (provider: {t.provider_status or '—'})",
           f"  sync          {t.sync_state.value}",
           f"  customer      {t.customer_id}" + (f"  <{t.email}>" if t.email else ""),
           f"  created       {iso(t.created_at)}   updated {iso(t.updated_at)}"]
    if t.resolution:
        out.append(f"  resolution    {t.resolution}")
    if t.last_error:
        out.append(f"  last error    {t.last_error}")
    if t.description and t.description != t.subject:
        out.append("")
        out.extend("  " + line for line in t.description.splitlines())
    if t.attachments:
        out.append("\n  attachments")
        for a in t.attachments:
            out.append(f"    {a.kind.value:5}  {a.name}  ({a.state}"
                       + (f", cached at {a.cached_path}" if a.cached_path else "") + ")")
    if t.events:
        out.append("\n  history")
        for e in t.events:
            out.append(f"    {iso(e.at)}  {e.kind:11}  {e.summary}")
    return "\n".join(out)


class Progress:
    """A one-line progress meter on a terminal (stderr); silent otherwise."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        rate = done / max(now - self.started, 1e-6)
        pct = f"{100 * done / total:5.1f}%" if total else ""
        sys.stderr.write(f"\r{self.label}: {pct} {_mb(done)}/{_mb(total)} at {_mb(rate)}/s   ")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _mb(n: float) -> str:
    return f"{n / 1048576:.1f} MiB"
