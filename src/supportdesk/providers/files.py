"""Streaming helpers for file transfers: a progress-reporting reader and type sniffing."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

Progress = Callable[[int, int], None]  # (done, total); total 0 when unknown


READ_SIZE = 1024 * 1024


class ProgressReader:
    """Wraps an open binary file: read() reports progress; seek/tell/fileno/name delegate
    so httpx can size the multipart body (Content-Length, no chunked transfer).

    Reported progress never goes backwards, even when a retry rewinds the file.
    """

    def __init__(self, file: BinaryIO, total: int, progress: Progress | None) -> None:
        self._file = file
        self._total = total
        self._progress = progress
        self._reported = -1

    @property
    def name(self) -> str:
        return self._file.name  # type: ignore[return-value]

    def fileno(self) -> int:
        return self._file.fileno()

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        # httpx asks for 64 KiB at a time; 1 MiB reads halve the upload's per-chunk overhead.
        chunk = self._file.read(max(size, READ_SIZE) if size > 0 else size)
        self._report(self._file.tell())
        return chunk

    def _report(self, done: int) -> None:
        if self._progress is not None and done > self._reported:
            self._reported = done
            self._progress(done, self._total)

    def close(self) -> None:
        self._file.close()


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_media_type(head: bytes) -> str:
    """The media type from a file's first bytes; answers' content-types are not trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head and _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end")
    return True
