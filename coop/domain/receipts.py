"""What a receipt file is, told by its first bytes (never by its name or declared type)."""

from __future__ import annotations

import re

from coop.domain.text import CONTROL_CHARACTERS

#: Content type -> the extension a kept file is named with.
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
FILENAME_MAX_LENGTH = 200
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|]')


def receipt_content_type(data: bytes) -> str | None:
    """Return the content type of a PDF, PNG, JPEG or WebP file by its magic bytes, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def receipt_filename(name: str, content_type: str) -> str:
    """Return a plain name to keep a receipt by: no folders or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_IN_NAME.sub("", CONTROL_CHARACTERS.sub("", base)).strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS[content_type]
    stem = stem[: FILENAME_MAX_LENGTH - len(extension) - 1].strip() or "receipt"
    return f"{stem}.{extension}"


def size_label(size_bytes: int) -> str:
    """Say a file size as people do: 5 MB, 512 KB."""
    if size_bytes >= 1024 * 1024:
        megabytes = size_bytes / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    return f"{max(1, size_bytes // 1024)} KB"
