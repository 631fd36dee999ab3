"""support: the ticket store, status progression and the record shape of the Zendesk-backed API.

A record looks like the document's samples: `id` (feedback id), `ticketId` (core ticket id),
`ticketInfo.supportTicketId` (Zendesk number, numeric string), `ticketInfo.ticketStatus`,
`creationDate` (epoch ms), `logPath` / `feedbackPhoto` (URLs once files are attached) and the nested
`user` and `device` objects.

Status progression: every ticket follows a path of statuses and moves one step each
`support_progress_delay` seconds (computed when it is read, so a refresh sees the change):
new tickets CREATED -> OPEN -> SOLVED, or CREATED -> OPEN -> PENDING (and stay PENDING) when
int(supportTicketId) % 4 == 3. Seeded tickets start at their seeded status on the same paths;
seeded PENDING, SOLVED and CLOSED tickets stay as they are.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .seedfiles import make_log, make_receipt_jpeg

_USER_SETTING = {
    "autoUpdateBetcadeApp": True, "autoUpdateDownloadedApps": True, "monthlyDepositMaxLimit": 0,
    "monthlyDepositMaxLimitCurrency": "GBP", "prefillUserInfoInCasino": True, "receiveEmailReceipt": True,
    "receiveNotifications": True, "shareRegistrationInfo": True, "userEmailProvided": True,
    "versionOfDownloadedBetcadeApp": "v1", "wifiDownloadLimitInMB": 0, "preferredCategories": [],
    "autoSaveCard": True, "autoAddHomeIcon": True, "receiveUpdateNotifications": True,
    "receiveAutoUpdatedNotifications": True, "receiveRecommendationNotifications": True,
    "appSetting": {"autoUpdateApps": True, "addIconHomeScreen": False, "saveNewCreditOrDebitCards": True,
                   "appUpdatesAvailable": True, "appsWereAutoUpdated": True, "recommendedContentAvailable": True},
}
FILE_KINDS = ("LOG", "FEEDBACK_PHOTO")


@dataclass
class StoredFile:
    name: str  # "<uuid>.<ext>", served at /support/s3/<name>
    path: Path
    original_name: str | None
    size: int


@dataclass
class SupportTicket:
    feedback_id: str
    core_id: str
    zendesk_id: str
    uuid: str
    udid: str
    subject: str
    message: str
    email: str
    category: str
    name: str | None
    phone: str | None
    images: list[str]
    creation_ms: int
    path: list[str]
    step: int = 0
    next_due: float = 0.0
    files: dict[str, StoredFile] = field(default_factory=dict)  # kind -> file

    @property
    def status(self) -> str:
        return self.path[self.step]


@functools.lru_cache(maxsize=64)
def _receipt(rng_seed: int, merchant: str, when_ms: int) -> bytes:
    """Seeded photos are pure functions of their inputs: made once per process (Pillow takes ~30 ms)."""
    return make_receipt_jpeg(random.Random(rng_seed), merchant, when_ms)


def _status_path(status: str, zendesk_id: str) -> list[str]:
    tail = ["OPEN", "PENDING"] if int(zendesk_id) % 4 == 3 else ["OPEN", "SOLVED"]
    if status == "CREATED":
        return ["CREATED", *tail]
    if status == "OPEN":
        return tail
    return [status]


class SupportStore:
    def __init__(self, state) -> None:
        self.state = state
        self.tickets: list[SupportTicket] = []
        self.by_feedback: dict[str, SupportTicket] = {}
        self.by_core: dict[str, SupportTicket] = {}
        self.images: dict[str, StoredFile] = {}  # common upload service
        self.users = {u["uuid"]: u for u in state.seed.support_users}
        self.devices = {u["udid"]: u for u in state.seed.support_users}
        self.creates: dict[tuple[str, str, str], int] = {}
        self.counts = {"create_calls": 0, "rejected": 0, "searches": 0, "uploads": 0, "downloads": 0,
                       "common_uploads": 0}
        self._next_zendesk = 330 + len(state.seed.support_tickets)
        self._seed_tickets()

    # -- seed ---------------------------------------------------------------------------------
    def _seed_tickets(self) -> None:
        seed = self.state.config.seed
        folder = self.files_folder()
        for index, spec in enumerate(self.state.seed.support_tickets):
            rng = random.Random(seed * 1000 + index)
            t = SupportTicket(
                feedback_id=spec["id"], core_id=spec["ticketId"], zendesk_id=spec["supportTicketId"],
                uuid=spec["uuid"], udid=spec["udid"], subject=spec["subject"], message=spec["message"],
                email=spec["email"], category=spec["category"], name=spec["name"], phone=spec["phone"],
                images=[], creation_ms=spec["creationDate"],
                path=_status_path(spec["ticketStatus"], spec["supportTicketId"]))
            user = self.users[t.uuid]
            if spec["hasLog"]:
                data = make_log(rng, user, spec).encode()
                name = f"{uuid.UUID(int=rng.getrandbits(128), version=4)}.log"
                (folder / name).write_bytes(data)
                t.files["LOG"] = StoredFile(name, folder / name, "app.log", len(data))
            if spec["photoMerchant"]:
                data = _receipt(seed * 1000 + index, spec["photoMerchant"], spec["creationDate"])
                name = f"{uuid.UUID(int=rng.getrandbits(128), version=4)}.jpg"
                (folder / name).write_bytes(data)
                t.files["FEEDBACK_PHOTO"] = StoredFile(name, folder / name, "receipt.jpg", len(data))
            self.add(t)

    def files_folder(self) -> Path:
        folder = self.state.files_dir / "support"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # -- store --------------------------------------------------------------------------------
    def add(self, t: SupportTicket) -> None:
        t.next_due = time.monotonic() + self.state.config.support_progress_delay
        self.tickets.append(t)
        self.by_feedback[t.feedback_id] = t
        self.by_core[t.core_id] = t

    def new_ticket(self, body: dict) -> SupportTicket:
        zendesk_id = str(self._next_zendesk)
        self._next_zendesk += 1
        t = SupportTicket(
            feedback_id=str(uuid.uuid4()), core_id=str(uuid.uuid4()), zendesk_id=zendesk_id,
            uuid=body["uuid"], udid=body["udid"], subject=body["subject"], message=body["message"],
            email=body["email"], category=body["category"], name=body.get("name"), phone=body.get("phone"),
            images=list(body.get("images") or []), creation_ms=int(time.time() * 1000),
            path=_status_path("CREATED", zendesk_id))
        self.add(t)
        key = (t.uuid, t.subject, t.message)
        self.creates[key] = self.creates.get(key, 0) + 1
        return t

    def progress(self, t: SupportTicket, now: float | None = None) -> None:
        """Move the ticket along its path for the time that has passed."""
        now = time.monotonic() if now is None else now
        while t.step < len(t.path) - 1 and now >= t.next_due:
            t.step += 1
            t.next_due += self.state.config.support_progress_delay

    def advance(self, t: SupportTicket) -> bool:
        """One step now (the test hook); False when the ticket is at the end of its path."""
        if t.step >= len(t.path) - 1:
            return False
        t.step += 1
        t.next_due = time.monotonic() + self.state.config.support_progress_delay
        return True

    def search(self, criteria: dict[str, str]) -> list[SupportTicket]:
        def match(t: SupportTicket) -> bool:
            for key, value in criteria.items():
                if key == "email" and t.email.lower() != value.lower():
                    return False
                if key == "uuid" and t.uuid.lower() != value.lower():
                    return False
                if key == "udid" and t.udid.lower() != value.lower():
                    return False
                if key == "phone" and (t.phone or "") != value:
                    return False
                if key == "ticketId" and t.core_id != value:
                    return False
                if key == "zendeskTicketId" and t.zendesk_id != value:
                    return False
            return True

        return [t for t in self.tickets if match(t)]

    # -- record shape -------------------------------------------------------------------------
    def _device(self, t: SupportTicket) -> dict:
        person = self.devices.get(t.udid)
        device = {"id": person["deviceId"] if person else str(uuid.uuid5(uuid.NAMESPACE_OID, t.udid)),
                  "description": "desc", "deviceStatus": "NORMAL",
                  "manufacturer": person["manufacturer"] if person else None,
                  "model": person["model"] if person else None, "os": person["os"] if person else None,
                  "udid": t.udid, "simStateHashCode": None, "simCardState": None, "deletedUdid": None,
                  "deletedBy": None, "deletedOn": None}
        return device

    def _user(self, t: SupportTicket, device: dict) -> dict:
        person = self.users.get(t.uuid)
        if person:
            first, last, registered = person["firstName"], person["lastName"], person["registrationDate"]
        else:
            parts = (t.name or "").split(" ", 1)
            first, last, registered = parts[0] or None, parts[1] if len(parts) > 1 else None, t.creation_ms
        full = " ".join(p for p in (first, last) if p) or None
        tags = [device["os"], "EMAIL", device["model"], device["manufacturer"]]
        return {
            "id": t.uuid, "addresses": None, "devices": [device], "emailAuthenticationChannels": [],
            "firstName": first, "fullName": full, "groupTag": [g for g in tags if g], "lastName": last,
            "locationCountry": None, "locationZipCode": None, "mobileAuthenticationChannels": [],
            "pinCreated": True,
            "profileImagePath": "https://s3-us-west-2.amazonaws.com/btc.inf.apdx.assets/default-profile-image.png",
            "profileName": full, "registrationDate": registered, "socialAuthenticationChannels": [],
            "status": "ACTIVE" if person else "NEW", "timezone": None, "userSetting": _USER_SETTING,
            "verified": person is not None, "pinResetDate": None, "kycStatus": None, "deleted": False,
            "singularId": None, "acquisitionIds": None, "testUser": None,
        }

    def record(self, t: SupportTicket, base: str) -> dict:
        self.progress(t)
        device = self._device(t)
        info = {"id": t.core_id, "coreTicketNumber": None, "supportTicketId": t.zendesk_id,
                "subject": t.subject, "message": t.message, "ticketStatus": t.status,
                "userTransactionId": None, "userId": t.uuid, "userName": None}
        log_file, photo = t.files.get("LOG"), t.files.get("FEEDBACK_PHOTO")
        return {
            "id": t.feedback_id, "user": self._user(t, device), "device": {**device, "target": dict(device)},
            "ticketId": t.core_id, "logPath": f"{base}/support/s3/{log_file.name}" if log_file else None,
            "name": t.name, "email": t.email, "phone": t.phone, "category": t.category,
            "ticketInfo": {**info, "images": list(t.images), "target": dict(info)},
            "feedbackPhoto": f"{base}/support/s3/{photo.name}" if photo else None,
            "creationDate": t.creation_ms,
        }

    def stored_file(self, name: str) -> StoredFile | None:
        if name in self.images:
            return self.images[name]
        for t in self.tickets:
            for f in t.files.values():
                if f.name == name:
                    return f
        return None

    def stats(self) -> dict:
        creates = [{"uuid": k[0], "subject": k[1], "message": k[2], "count": n} for k, n in self.creates.items()]
        return {**self.counts, "tickets_created": sum(self.creates.values()), "creates": creates,
                "tickets": len(self.tickets)}
