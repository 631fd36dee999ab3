"""How values read on screen: labels for codes, local times, sizes."""

from __future__ import annotations

from datetime import datetime, timezone

from supportdesk.models.values import parse_iso

PROVIDER_LABELS = {"cardlytics": "Cardlytics", "support": "Support"}
STATUS_LABELS = {"OPEN": "Open", "IN_PROGRESS": "In progress", "RESOLVED": "Resolved"}
SYNC_LABELS = {"queued": "Queued", "sent": "Sent", "synced": "Synced", "failed": "Failed"}
# Theme tokens (foreground, background) per status and sync state.
STATUS_TOKENS = {"OPEN": ("open", "open_bg"), "IN_PROGRESS": ("progress", "progress_bg"),
                 "RESOLVED": ("resolved", "resolved_bg")}
SYNC_TOKENS = {"queued": ("queued", "queued_bg"), "sent": ("open", "open_bg"),
               "synced": ("resolved", "resolved_bg"), "failed": ("failed", "failed_bg")}


def _as_dt(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return parse_iso(value)
    except ValueError:
        return None


def local(value: datetime | str | None) -> datetime | None:
    dt = _as_dt(value)
    return dt.astimezone() if dt else None


def short_time(value: datetime | str | None, now: datetime | None = None) -> str:
    """`14:03` today, `Mon 14:03` this week, `12 Mar 14:03` this year, else `12 Mar 2023`."""
    dt = local(value)
    if dt is None:
        return ""
    now = (now or datetime.now(timezone.utc)).astimezone()
    if dt.date() == now.date():
        return dt.strftime("%H:%M")
    days = (now.date() - dt.date()).days
    if 0 < days < 7:
        return dt.strftime("%a %H:%M")
    if dt.year == now.year:
        return dt.strftime("%d %b %H:%M").lstrip("0")
    return dt.strftime("%d %b %Y").lstrip("0")


def full_time(value: datetime | str | None) -> str:
    dt = local(value)
    return dt.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if dt else ""


def ago(value: datetime | str | None, now: datetime | None = None) -> str:
    dt = _as_dt(value)
    if dt is None:
        return "never"
    seconds = int(((now or datetime.now(timezone.utc)) - dt).total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    return short_time(dt, now)


def size(n: int | None) -> str:
    if n is None:
        return ""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"


def split_hint(text: str | None) -> tuple[str, str]:
    """The outbox stores `message — hint`; the provider's words are shown apart from our advice."""
    if not text:
        return "", ""
    message, sep, hint = text.partition(" — ")
    return (message.strip(), hint.strip()) if sep else (text.strip(), "")
