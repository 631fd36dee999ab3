"""Decode a photo (JPEG, PNG, HEIC, GIF, WebP) with Pillow into a QImage; safe to run in a thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QImage

MAX_SIDE = 4096  # larger photos are scaled down on load; nobody reads a receipt at 48 MP

_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError:  # HEIC then fails to open with a clear message, JPEG/PNG still work
            pass
        _heif_registered = True


@dataclass(frozen=True)
class DecodedImage:
    image: QImage
    width: int  # of the original, before any scaling down
    height: int
    format: str


class ImageError(Exception):
    pass


def decode(path: Path, max_side: int = MAX_SIDE) -> DecodedImage:
    from PIL import Image, ImageOps  # imported on the first photo, off the window's start-up

    _register_heif()
    try:
        with Image.open(path) as im:
            fmt = im.format or path.suffix.lstrip(".").upper()
            im = ImageOps.exif_transpose(im)  # phone photos are stored sideways with an EXIF flag
            width, height = im.size
            if max(width, height) > max_side:
                im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            rgba = im.convert("RGBA")
            data = rgba.tobytes("raw", "RGBA")
            qimage = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
            return DecodedImage(qimage.copy(), width, height, fmt)  # copy: own the pixels
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{path.name} cannot be shown as a photo: {exc}") from exc
