"""support: the Zendesk-backed customer-support API (PROVIDERS.md section 3), under /support/api.

Every answer is the envelope {data, detail, error, message}. The documented quirk is kept: a
rejected create or search answers HTTP 200 with `error: true` (e.g. "email is required"); a body
that is not JSON, a multipart upload without a `file` part, or a bad path parameter answers 400
with the same envelope; a missing download answers 404.

Create validation (in this order; the first problem is the message): uuid, udid, subject, message,
email, category are required non-empty strings; uuid must be a UUID; email must look like an
e-mail; phone, when given, must be international (+ then 7 to 15 digits, e.g. +919916248135);
name a string; images a list of names returned by the common upload service; other fields are
rejected ("unknown field"). A uuid / udid that is not in the seed is accepted (the record then
carries a minimal made-up user / device).

Search: AND over the criteria given (uuid, udid, email, phone, ticketId, zendeskTicketId); empty
strings and nulls are ignored; unknown criteria are rejected; no criteria returns every ticket.
Uploads are streamed to disk and never need the document's "Accept-Encoding: multipart/form-data".
Downloads answer the stored bytes unchanged with Content-Type: application/json (the document's
quirk). Attached files are also served at {base}/support/s3/<name> (the logPath / feedbackPhoto
URLs, a stand-in for S3, with a real content type).
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from .httputil import BadJson, base_url, read_json, static_auth_ok
from .multipart import MultipartError, receive_file
from .support_store import FILE_KINDS, StoredFile, SupportStore

REQUIRED = ("uuid", "udid", "subject", "message", "email", "category")
OPTIONAL = ("name", "phone", "images")
CRITERIA = ("uuid", "udid", "email", "phone", "ticketId", "zendeskTicketId")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EXT = re.compile(r"^[a-z0-9]{1,5}$")


def envelope(data=None, message: str = "", error: bool = False, detail: str | None = None,
             status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data, "detail": detail, "error": error, "message": message}, status_code=status)


def _store(request: Request) -> SupportStore:
    return request.app.state.sandbox.support


def _unauthorized(request: Request) -> Response | None:
    if static_auth_ok(request, request.app.state.sandbox.config.support_auth):
        return None
    return envelope(message="Unauthorized", error=True, status=401)


def validate_create(body: object, known_images: dict) -> str | None:
    if not isinstance(body, dict):
        return "body: a JSON object is expected"
    for key in body:
        if key not in REQUIRED and key not in OPTIONAL:
            return f"{key}: unknown field"
    for key in REQUIRED:
        value = body.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return f"{key} is required"
        if not isinstance(value, str):
            return f"{key} must be a string"
    try:
        uuid.UUID(body["uuid"])
    except ValueError:
        return "uuid must be the user's UUID"
    if not _EMAIL.match(body["email"]):
        return "email must be an e-mail address"
    if body.get("name") is not None and not isinstance(body["name"], str):
        return "name must be a string"
    phone = body.get("phone")
    if phone is not None and not (isinstance(phone, str) and _PHONE.match(phone)):
        return "phone must be in international format, e.g. +919916248135"
    images = body.get("images")
    if images is not None:
        if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
            return "images must be a list of image names"
        for name in images:
            if name not in known_images:
                return f"images: unknown image name {name!r}; upload it with common/upload/file first"
    return None


async def create(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    store.counts["create_calls"] += 1
    try:
        body = await read_json(request)
    except BadJson as exc:
        store.counts["rejected"] += 1
        return envelope(message=str(exc), error=True, status=400)
    problem = validate_create(body, store.images)
    if problem:
        store.counts["rejected"] += 1
        return envelope(message=problem, error=True, detail=f"Validation failed: {problem}")
    ticket = store.new_ticket(body)
    return envelope(store.record(ticket, base_url(request)), "Adding a complaint successful")


async def search(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    store.counts["searches"] += 1
    try:
        body = await read_json(request)
    except BadJson as exc:
        return envelope(message=str(exc), error=True, status=400)
    if not isinstance(body, dict):
        return envelope(message="body: a JSON object is expected", error=True)
    criteria: dict[str, str] = {}
    for key, value in body.items():
        if key not in CRITERIA:
            return envelope(message=f"{key}: unknown search criterion", error=True)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return envelope(message=f"{key} must be a string", error=True)
        criteria[key] = value
    base = base_url(request)
    found = [store.record(t, base) for t in store.search(criteria)]
    return envelope(found, "Customer support info fetched successfully.")


def _extension(original: str | None, kind: str, first_bytes: bytes) -> str:
    suffix = Path(original or "").suffix.lower().lstrip(".")
    if _EXT.match(suffix):
        return suffix
    if first_bytes.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if first_bytes.startswith(b"\x89PNG"):
        return "png"
    return "log" if kind == "LOG" else "jpg"


async def _receive(request: Request, store: SupportStore, kind: str) -> StoredFile | Response:
    """Stream the `file` part to disk; a StoredFile, or the error answer."""
    folder = store.files_folder()
    try:
        got = await receive_file(request, "file", folder)
    except MultipartError as exc:
        return envelope(message=str(exc), error=True, status=400)
    if got is None:
        return envelope(message="file is required: send one multipart part named 'file'", error=True, status=400)
    with got.path.open("rb") as fh:
        head = fh.read(8)
    name = f"{uuid.uuid4()}.{_extension(got.filename, kind, head)}"
    final = folder / name
    got.path.replace(final)
    return StoredFile(name, final, got.filename, got.size)


async def upload(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    kind = request.path_params["kind"]
    ticket = store.by_feedback.get(request.path_params["feedback_id"])
    stored = await _receive(request, store, kind)  # read the body before answering anything
    if isinstance(stored, Response):
        return stored
    if kind not in FILE_KINDS:
        stored.path.unlink(missing_ok=True)
        return envelope(message="HelpSupportFileType must be LOG or FEEDBACK_PHOTO", error=True, status=400)
    if ticket is None:
        stored.path.unlink(missing_ok=True)
        return envelope(message="Customer support not found for this feedbackId", error=True,
                        detail=f"No customer support with id {request.path_params['feedback_id']}")
    ticket.files[kind] = stored
    store.counts["uploads"] += 1
    return envelope(store.record(ticket, base_url(request)), "User customer support file is uploaded successfully")


async def download(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    kind = request.path_params["kind"]
    if kind not in FILE_KINDS:
        return envelope(message="HelpSupportFileType must be LOG or FEEDBACK_PHOTO", error=True, status=400)
    ticket = store.by_core.get(request.path_params["core_ticket_id"])
    if ticket is None:
        return envelope(message="Customer support not found for this ticketId", error=True, status=404)
    stored = ticket.files.get(kind)
    if stored is None or not stored.path.exists():
        return envelope(message=f"No {kind} file for this ticket", error=True, status=404)
    store.counts["downloads"] += 1
    return FileResponse(stored.path, media_type="application/json", filename=stored.name)


async def common_upload(request: Request) -> Response:
    if (denied := _unauthorized(request)) is not None:
        return denied
    store = _store(request)
    stored = await _receive(request, store, "FEEDBACK_PHOTO")
    if isinstance(stored, Response):
        return stored
    if request.query_params.get("bucketType") != "LOG_IMAGE":
        stored.path.unlink(missing_ok=True)
        return envelope(message="bucketType must be LOG_IMAGE", error=True, status=400)
    store.images[stored.name] = stored
    store.counts["common_uploads"] += 1
    return envelope({"name": stored.name}, "File uploaded successfully")


async def s3_file(request: Request) -> Response:
    stored = _store(request).stored_file(request.path_params["name"])
    if stored is None or not stored.path.exists():
        return JSONResponse({"message": "Not Found"}, status_code=404)
    media = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    if stored.name.endswith(".log"):
        media = "text/plain; charset=utf-8"
    return FileResponse(stored.path, media_type=media)


def routes() -> list[Route]:
    return [
        Route("/user/log/message", create, methods=["POST"]),
        Route("/admin/fetch/customer/support", search, methods=["POST"]),
        Route("/user/help/file/upload/{feedback_id}/{kind}", upload, methods=["POST"]),
        Route("/aws/download/support/file/{core_ticket_id}/{kind}", download, methods=["GET"]),
        Route("/common/upload/file", common_upload, methods=["POST"]),
    ]


def file_routes() -> list[Route]:
    return [Route("/{name}", s3_file, methods=["GET"])]
