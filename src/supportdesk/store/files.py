"""Attachment files under the data dir, named by content hash, so they open offline."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size: int


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _target(self, digest: str, suffix: str) -> Path:
        return self.root / digest[:2] / f"{digest}{suffix.lower()}"

    def add(self, source: Path) -> StoredFile:
        """Copy `source` in (streamed, hashed on the way); the same content is stored once."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            return self._settle(tmp, digest.hexdigest(), size, Path(source).suffix)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def adopt(self, downloaded: Path, suffix: str = "") -> StoredFile:
        """Move a file downloaded into this store's temp area to its content-hash name."""
        digest = hashlib.sha256()
        size = 0
        with open(downloaded, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return self._settle(Path(downloaded), digest.hexdigest(), size, suffix)

    def temp_path(self, suffix: str = "") -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".download-", suffix=suffix)
        os.close(fd)
        return Path(name)

    def _settle(self, tmp: Path, digest: str, size: int, suffix: str) -> StoredFile:
        target = self._target(digest, suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            tmp.unlink(missing_ok=True)
        else:
            os.replace(tmp, target)
        return StoredFile(target, digest, size)

    @staticmethod
    def export(stored: Path, out: Path) -> Path:
        out = Path(out)
        if out.is_dir():
            out = out / stored.name
        shutil.copyfile(stored, out)
        return out
