"""A small streaming multipart/form-data reader: one named file part goes straight to disk.

The request body is never held whole in memory (uploads can be large); other parts are discarded.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

_PARAM = re.compile(r';\s*([A-Za-z0-9_.*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_MAX_HEADER_BYTES = 16 * 1024


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass
class ReceivedFile:
    path: Path
    filename: str | None
    content_type: str | None
    size: int


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split `form-data; name="file"; filename="a.txt"` into ("form-data", {...})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for key, raw in _PARAM.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[key.lower()] = raw
    if "filename*" in params:  # RFC 5987: utf-8''name
        enc, _, encoded = params["filename*"].partition("''")
        from urllib.parse import unquote

        params["filename"] = unquote(encoded or enc, encoding="utf-8", errors="replace")
    return main.strip().lower(), params


def boundary_of(content_type: str) -> bytes | None:
    kind, params = header_params(content_type or "")
    boundary = params.get("boundary")
    if kind != "multipart/form-data" or not boundary or len(boundary) > 200:
        return None
    return boundary.encode("latin-1", errors="replace")


class _Parser:
    def __init__(self, boundary: bytes, field: str, directory: Path) -> None:
        self.delim = b"\r\n--" + boundary
        self.field = field
        self.directory = directory
        self.buf = bytearray(b"\r\n")  # so the first delimiter looks like every other one
        self.state = "preamble"
        self.out = None  # open file of the target part
        self.result: ReceivedFile | None = None
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        if self.state == "end":
            return
        self.buf += chunk
        while self._step():
            pass

    def _step(self) -> bool:
        buf, delim = self.buf, self.delim
        if self.state == "preamble":
            idx = buf.find(delim)
            if idx < 0:
                del buf[: max(0, len(buf) - len(delim) + 1)]
                return False
            del buf[: idx + len(delim)]
            self.state = "after_delim"
            return True
        if self.state == "after_delim":
            if len(buf) < 2:
                return False
            if buf[:2] == b"--":
                self.state = "end"
                buf.clear()
                return False
            idx = buf.find(b"\r\n")
            if idx < 0:
                if len(buf) > 1024:
                    raise MultipartError("malformed multipart boundary line")
                return False
            if bytes(buf[:idx]).strip(b" \t"):
                raise MultipartError("malformed multipart boundary line")
            del buf[: idx + 2]
            self.state = "headers"
            return True
        if self.state == "headers":
            if buf[:2] == b"\r\n":
                self._start_part(b"")
                del buf[:2]
                return True
            idx = buf.find(b"\r\n\r\n")
            if idx < 0:
                if len(buf) > _MAX_HEADER_BYTES:
                    raise MultipartError("multipart part headers too large")
                return False
            self._start_part(bytes(buf[:idx]))
            del buf[: idx + 4]
            return True
        if self.state == "body":
            idx = buf.find(delim)
            if idx < 0:
                safe = len(buf) - len(delim) + 1
                if safe > 0:
                    self._write(buf[:safe])
                    del buf[:safe]
                return False
            self._write(buf[:idx])
            del buf[: idx + len(delim)]
            self._end_part()
            self.state = "after_delim"
            return True
        return False

    def _start_part(self, raw_headers: bytes) -> None:
        headers: dict[str, str] = {}
        for line in raw_headers.decode("utf-8", errors="replace").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        _, disp = header_params(headers.get("content-disposition", ""))
        self.state = "body"
        if disp.get("name") == self.field and self.result is None and self.out is None:
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=self.directory)
            self.out = os.fdopen(fd, "wb")
            self.result = ReceivedFile(Path(name), disp.get("filename"), headers.get("content-type"), 0)
            self._size = 0

    def _write(self, data: bytearray) -> None:
        if self.out is not None and data:
            self.out.write(data)
            self._size += len(data)

    def _end_part(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
            assert self.result is not None
            self.result.size = self._size

    def finish(self) -> None:
        if self.state != "end":
            raise MultipartError("multipart body ended before its closing boundary")

    def discard(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        if self.result is not None:
            self.result.path.unlink(missing_ok=True)
            self.result = None


async def receive_file(request: Request, field: str, directory: Path) -> ReceivedFile | None:
    """Stream the request body, saving the first part named `field` into `directory`.

    Returns None when the body has no such part. Raises MultipartError for a body that is not
    multipart/form-data (the whole body is still read, so the client gets the answer)."""
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None:
        async for _ in request.stream():
            pass
        raise MultipartError("Content-Type must be multipart/form-data with a boundary")
    directory.mkdir(parents=True, exist_ok=True)
    parser = _Parser(boundary, field, directory)
    try:
        async for chunk in request.stream():
            parser.feed(chunk)
        parser.finish()
    except MultipartError:
        parser.discard()
        try:
            async for _ in request.stream():  # read the rest so the client can read our answer
                pass
        except RuntimeError:  # already fully read
            pass
        raise
    except BaseException:
        parser.discard()
        raise
    return parser.result
