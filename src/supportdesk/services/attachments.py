"""Attach files to support tickets (copied into the cache, uploaded through the outbox) and fetch them."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any, Callable

from supportdesk.models import support as sup
from supportdesk.models.ticket import Attachment, AttachmentKind, OutboxItem, Ticket, utcnow
from supportdesk.providers.errors import NotFound, Rejected
from supportdesk.providers.files import sniff_media_type as sniff_bytes
from supportdesk.services.errors import InvalidInput, NotConfigured
from supportdesk.services.outbox import DROPPED, Deferred, OutboxSender
from supportdesk.services.tickets import SUPPORT_CREATE
from supportdesk.services.updates import TicketUpdater
from supportdesk.store import Store
from supportdesk.store.files import FileStore

log = logging.getLogger(__name__)

SUPPORT_UPLOAD = "support_upload"
MAX_SIZE = 2 * 1024 ** 3
Progress = Callable[[int, int], None]

def sniff_media_type(head: bytes, name: str = "") -> str:
    media = sniff_bytes(head)
    if media == "application/octet-stream" and name.lower().endswith((".log", ".txt")):
        return "text/plain"
    return media


def check_file(path: Path, kind: str, *, field: str = "path") -> Path:
    """Exists, readable, not empty, not too big, and of a type that fits the kind."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InvalidInput({field: f"{path} does not exist"})
    if not path.is_file():
        raise InvalidInput({field: f"{path} is not a file"})
    if not os.access(path, os.R_OK):
        raise InvalidInput({field: f"{path} is not readable"})
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput({field: f"{path} is empty"})
    if size > MAX_SIZE:
        raise InvalidInput({field: f"{path} is {size} bytes; the limit is {MAX_SIZE} bytes"})
    with open(path, "rb") as f:
        media = sniff_media_type(f.read(4096), path.name)
    if kind == "photo" and not media.startswith("image/"):
        raise InvalidInput({field: f"{path.name} is not a photo (JPEG, PNG, HEIC, GIF or WebP)"})
    if kind == "log" and media.startswith("image/"):
        raise InvalidInput({field: f"{path.name} is an image; attach it with --kind photo"})
    return path


class AttachmentService:
    def __init__(self, store: Store, files: FileStore, sender: OutboxSender, updater: TicketUpdater,
                 support: Any | None = None,
                 require_secrets: Callable[[str], None] = lambda provider: None) -> None:
        self.store = store
        self.files = files
        self.sender = sender
        self.updater = updater
        self._support = support
        self._progress: dict[int, Progress] = {}
        self.require_secrets = require_secrets
        sender.register(SUPPORT_UPLOAD, self._send_upload, self._rejected)

    @property
    def support(self) -> Any:
        if self._support is None:
            raise NotConfigured("support")
        return self._support

    def _ticket(self, ref: str) -> Ticket:
        from supportdesk.services.errors import TicketNotFound

        t = self.store.tickets.find(ref)
        if t is None:
            raise TicketNotFound(ref)
        if t.provider != "support":
            raise InvalidInput({"ticket": "files attach to support tickets only"})
        return t

    async def upload(self, ref: str, path: Path, kind: str, *, progress: Progress | None = None,
                     send_now: bool = True) -> tuple[Ticket, str]:
        """Returns the ticket and the outbox state (sent | pending | failed)."""
        if kind not in ("log", "photo"):
            raise InvalidInput({"kind": "must be log or photo"})
        t = self._ticket(ref)
        src = check_file(Path(path), kind)
        if self._support is None:
            raise NotConfigured("support")
        self.require_secrets("support")
        stored = self.files.add(src)  # a local copy first: opens offline, survives a move
        with open(stored.path, "rb") as f:
            media = sniff_media_type(f.read(4096), src.name)
        akind = AttachmentKind(kind)
        previous = next((a for a in self.store.tickets.attachments(t.id) if a.kind is akind), None)
        with self.store.transaction():
            self.store.tickets.upsert_attachment(Attachment(
                ticket_id=t.id, kind=akind, name=src.name, size=stored.size, sha256=stored.sha256,
                media_type=media, cached_path=str(stored.path), state="local"))
            self.updater.record(t, "attachment", f"{kind} {src.name} attached ({stored.size} bytes); "
                                "queued for upload")
            item_id = self.store.outbox.enqueue(SUPPORT_UPLOAD, t.id, {
                "kind": kind, "path": str(stored.path), "name": src.name, "sha256": stored.sha256},
                f"upload-{t.id}-{kind}-{stored.sha256}-{utcnow().timestamp()}")
        state = "pending"
        if send_now:
            if progress:
                self._progress[item_id] = progress
            try:
                state = (await self.sender.deliver(item_id)).state
            except asyncio.CancelledError:
                self._abandon(t, item_id, previous, src.name, akind)
                raise
            finally:
                self._progress.pop(item_id, None)
        return self.store.tickets.get(t.id), state

    def _abandon(self, t: Ticket, item_id: int, previous: Attachment | None, name: str,
                 kind: AttachmentKind) -> None:
        """The agent cancelled: nothing is sent later and the earlier file (if any) stays attached."""
        with self.store.transaction():
            self.store.outbox.drop(item_id)
            if previous is not None:
                self.store.tickets.upsert_attachment(previous)
            else:
                self.store.tickets.delete_attachment(t.id, kind)
            self.updater.record(t, "attachment", f"Upload of {name} cancelled; nothing was attached")

    async def _send_upload(self, item: OutboxItem) -> None:
        t = self.store.tickets.get(item.target_id, full=False)
        if t is None:
            raise Deferred("the ticket is gone")
        feedback_id = t.data.get("feedback_id")
        if not feedback_id:
            creates = [i for i in self.store.outbox.for_target(t.id) if i.kind == SUPPORT_CREATE]
            if not any(i.state != "sent" for i in creates):
                # Its create was dropped (or the ticket never had one): nothing will ever create it.
                raise Rejected("support", "The ticket was never created at the provider, so the file "
                               "cannot be attached to it.", hint="File the ticket again, then attach the file.")
            raise Deferred("waiting for the ticket to be created first")
        kind = AttachmentKind(item.payload["kind"])
        file_kind = sup.FileKind.LOG if kind is AttachmentKind.LOG else sup.FileKind.FEEDBACK_PHOTO
        record = await self.support.upload_file(feedback_id, file_kind, Path(item.payload["path"]),
                                                progress=self._progress.get(item.id),
                                                filename=item.payload["name"])
        with self.store.transaction():
            self.updater.apply_support(record, ticket_id=t.id, origin="upload")
            url = record.log_path if kind is AttachmentKind.LOG else record.feedback_photo
            self.store.tickets.upsert_attachment(Attachment(
                ticket_id=t.id, kind=kind, name=item.payload["name"], sha256=item.payload["sha256"],
                cached_path=item.payload["path"], remote_url=url, state="uploaded",
                size=Path(item.payload["path"]).stat().st_size))
            self.updater.record(t, "attachment", f"{kind.value} {item.payload['name']} uploaded")

    def _rejected(self, item: OutboxItem, text: str) -> None:
        t = self.store.tickets.get(item.target_id, full=False)
        if t is not None:
            what = "dropped from the outbox; it was never sent" if text == DROPPED else f"rejected: {text}"
            self.updater.record(t, "error", f"Upload of {item.payload.get('name')} {what}")
            for a in self.store.tickets.attachments(t.id):
                if a.kind.value == item.payload.get("kind") and a.state == "local":
                    a.state = "failed"
                    self.store.tickets.upsert_attachment(a)

    async def download(self, ref: str, kind: str, *, progress: Progress | None = None) -> Attachment:
        """The cached copy if there is one, else fetched from the provider and cached."""
        if kind not in ("log", "photo"):
            raise InvalidInput({"kind": "must be log or photo"})
        t = self._ticket(ref)
        akind = AttachmentKind(kind)
        existing = next((a for a in self.store.tickets.attachments(t.id) if a.kind is akind), None)
        if existing and existing.cached_path and Path(existing.cached_path).exists():
            return existing
        if not t.external_id:
            raise NotFound("support", f"the ticket has no {kind} file yet (not created at the provider)")
        file_kind = sup.FileKind.LOG if akind is AttachmentKind.LOG else sup.FileKind.FEEDBACK_PHOTO
        tmp = self.files.temp_path()
        try:
            got = await self.support.download_file(t.external_id, file_kind, tmp, progress=progress)
            media = getattr(got, "media_type", None)
            suffix = _suffix(media, existing.name if existing else "")
            stored = self.files.adopt(Path(getattr(got, "path", tmp)), suffix)
        finally:
            tmp.unlink(missing_ok=True)
        name = existing.name if existing else f"{t.external_id}-{kind}{suffix}"
        att = Attachment(ticket_id=t.id, kind=akind, name=name, size=stored.size, sha256=stored.sha256,
                         media_type=media, cached_path=str(stored.path),
                         remote_url=existing.remote_url if existing else None, state="uploaded")
        with self.store.transaction():
            self.store.tickets.upsert_attachment(att)
            self.updater.record(t, "attachment", f"{kind} downloaded and cached ({stored.size} bytes)")
        return att


def _suffix(media: str | None, name: str) -> str:
    known = {"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "image/gif": ".gif",
             "image/webp": ".webp", "text/plain": ".log", "application/zip": ".zip",
             "application/gzip": ".gz"}
    if media in known:
        return known[media]
    return Path(name).suffix
