"""What an image is, by its first bytes (never by a URL's suffix or a server's Content-Type), and the content
address it is stored under."""

from __future__ import annotations

import hashlib
import re

# Extension -> the Content-Type it is served with. The extension is part of the stored key.
TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}
KEY = re.compile(r"(?P<digest>[0-9a-f]{64})\.(?P<ext>png|jpg|gif|webp|svg)")

# An SVG document: optional BOM, XML declaration, comments and a DOCTYPE without an internal subset, then <svg.
_SVG = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.{0,2000}?-->\s*)*"
    r"(?:<!DOCTYPE\s+svg[^>\[]{0,300}>\s*)?(?:<!--.{0,2000}?-->\s*)*<svg[\s>]",
    re.DOTALL | re.IGNORECASE,
)


class NotAnImage(ValueError):
    """Bytes that are none of the image types this site serves."""


def sniff(data: bytes) -> str:
    """The extension of the image type these bytes are (png, jpg, gif, webp, svg), or NotAnImage."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not text; only a character cut at the end of the head is forgiven
            raise NotAnImage("not a PNG, JPEG, GIF, WebP or SVG image") from None
        text = head[: exc.start].decode("utf-8")
    if _SVG.match(text):
        return "svg"
    raise NotAnImage("not a PNG, JPEG, GIF, WebP or SVG image")


def key_for(data: bytes) -> str:
    """The content address of an image: its SHA-256 and its type's extension; the same bytes, the same key."""
    return f"{hashlib.sha256(data).hexdigest()}.{sniff(data)}"


def content_type(key: str) -> str | None:
    """The Content-Type a stored key is served with; None for a string that is no key."""
    found = KEY.fullmatch(key) if isinstance(key, str) else None
    return TYPES[found["ext"]] if found else None
