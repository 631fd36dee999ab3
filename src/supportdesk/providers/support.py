"""Zendesk-backed support API client (PROVIDERS.md, section 3)."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from supportdesk.models.support import (
    CreateRequest,
    DownloadedFile,
    Envelope,
    FileKind,
    SearchCriteria,
    SupportRecord,
)
from supportdesk.providers.errors import NotFound, ProviderBug, Rejected, Unreachable
from supportdesk.providers.files import Progress, ProgressReader, sniff_media_type
from supportdesk.providers.transport import (
    HttpBound,
    RetryPolicy,
    json_body,
    parse_answer,
    send,
    transport_error,
)

PROVIDER = "support"
_SNIFF_BYTES = 64
# pydantic caches parametrised generics weakly: without this reference the class is rebuilt
# after every garbage collection that finds it unused.
_ENVELOPE = Envelope[Any]


def _unwrap(response: httpx.Response) -> Any:
    """The envelope's data; `error: true` is a rejection even with status 200."""
    body = json_body(PROVIDER, response)
    if not isinstance(body, dict):
        raise ProviderBug(PROVIDER, "The support answer is not an envelope object.",
                          status=response.status_code, maybe_delivered=True)
    envelope = parse_answer(PROVIDER, _ENVELOPE, body)
    if envelope.error:
        raise Rejected(PROVIDER, envelope.error_text, status=response.status_code)
    return envelope.data


def _record(response: httpx.Response) -> SupportRecord:
    data = _unwrap(response)
    if not isinstance(data, dict):
        raise ProviderBug(PROVIDER, "The support answer carries no record.",
                          status=response.status_code, maybe_delivered=True)
    return parse_answer(PROVIDER, SupportRecord, data)


def _image_name(body: Any) -> str | None:
    # Tolerant of {data: {name}}, {data: "name"}, {name}, and a few close relatives.
    if isinstance(body, str):
        return body.strip() or None
    if isinstance(body, dict):
        for key in ("name", "fileName", "filename", "key"):
            if isinstance(body.get(key), str) and body[key].strip():
                return body[key].strip()
        if "data" in body:
            return _image_name(body["data"])
    return None


class SupportClient(HttpBound):
    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy = RetryPolicy()) -> None:
        self._http = http
        self._retry = retry

    async def create(self, req: CreateRequest) -> SupportRecord:
        # No idempotency key: never resent here (PROVIDERS.md, search before a resend).
        response = await send(self._http, PROVIDER, "POST", "/user/log/message", retry=False,
                              policy=self._retry, json=req.to_wire())
        return _record(response)

    async def search(self, criteria: SearchCriteria) -> list[SupportRecord]:
        response = await send(self._http, PROVIDER, "POST", "/admin/fetch/customer/support",
                              retry=True, policy=self._retry, json=criteria.to_wire())
        data = _unwrap(response)
        if data is None:
            return []
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise ProviderBug(PROVIDER, "The search answer's data is not a list.",
                              status=response.status_code)
        return [parse_answer(PROVIDER, SupportRecord, item) for item in data]

    async def upload_file(self, feedback_id: str, kind: FileKind, path: Path, *,
                          progress: Progress | None = None, filename: str | None = None) -> SupportRecord:
        """`filename`: the name the agent knows the file by (the cache names copies by content)."""
        url = f"/user/help/file/upload/{quote(feedback_id, safe='')}/{FileKind(kind).value}"
        # Re-uploading to the same slot replaces the file: safe to retry.
        response = await self._post_file(url, Path(path), progress, filename)
        return _record(response)

    async def upload_image(self, path: Path, *, progress: Progress | None = None,
                           filename: str | None = None) -> str:
        """Common upload service; returns the name to list in CreateRequest.images."""
        response = await self._post_file("/common/upload/file", Path(path), progress, filename,
                                         params={"bucketType": "LOG_IMAGE"})
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        if isinstance(body, dict) and body.get("error") is True:
            raise Rejected(PROVIDER, str(body.get("message") or "Upload refused."),
                           status=response.status_code)
        name = _image_name(body)
        if name is None:
            raise ProviderBug(PROVIDER, "The upload service answered without a file name.",
                              status=response.status_code, maybe_delivered=True)
        return name

    async def _post_file(self, url: str, path: Path, progress: Progress | None, filename: str | None,
                         **kwargs: Any) -> httpx.Response:
        filename = filename or path.name
        content_type = mimetypes.guess_type(filename)[0] or mimetypes.guess_type(path.name)[0] \
            or "application/octet-stream"
        # The `with` closes the file also when the awaiting task is cancelled.
        with path.open("rb") as file:
            total = os.fstat(file.fileno()).st_size
            reader = ProgressReader(file, total, progress)
            return await send(self._http, PROVIDER, "POST", url, retry=True, policy=self._retry,
                              files={"file": (filename, reader, content_type)}, **kwargs)

    async def download_file(self, core_ticket_id: str, kind: FileKind, dest: Path, *,
                            progress: Progress | None = None) -> DownloadedFile:
        """Stream the file to a temp file beside `dest`, then rename it into place."""
        dest = Path(dest)
        url = f"/aws/download/support/file/{quote(core_ticket_id, safe='')}/{FileKind(kind).value}"
        try:
            response = await send(self._http, PROVIDER, "GET", url, retry=True,
                                  policy=self._retry, stream=True)
        except NotFound as exc:
            exc.hint = "No such file on this ticket (yet); check the ticket id and file kind."
            raise
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part",
                                            dir=dest.parent)
            tmp = Path(tmp_name)
            try:
                size, head = await self._stream_to(response, fd, progress)
                os.replace(tmp, dest)  # atomic: readers see the old file or the whole new one
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        finally:
            await response.aclose()
        return DownloadedFile(path=dest, size=size, media_type=sniff_media_type(head))

    @staticmethod
    async def _stream_to(response: httpx.Response, fd: int,
                         progress: Progress | None) -> tuple[int, bytes]:
        # Never JSON-decoded: the answer says application/json but the body is the file.
        total = int(response.headers.get("Content-Length") or 0)  # on-the-wire bytes
        # Progress counts wire bytes, like Content-Length; they differ only when encoded.
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        size, head = 0, b""
        try:
            with open(fd, "wb") as out:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
                    if len(head) < _SNIFF_BYTES:
                        head += chunk[: _SNIFF_BYTES - len(head)]
                    size += len(chunk)
                    if progress is not None:
                        progress(response.num_bytes_downloaded if encoded else size, total)
                out.flush()
                os.fsync(out.fileno())
        except httpx.HTTPError as exc:
            raise transport_error(PROVIDER, exc) from None
        finally:
            await response.aclose()
        if total and not encoded and size != total:
            raise Unreachable(PROVIDER, f"Download cut short ({size} of {total} bytes).")
        return size, head
