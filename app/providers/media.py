"""Where providers serve their images (crests, logos, emblems), and the one check every image URL passes.

A URL read from a payload or from the database is fetched only when it is https, on the default port, without
credentials, on a host of a provider's own image service: stored data can never point the fetch job elsewhere
(no request to an internal address or an arbitrary host). No Flask, no database.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

MAX_URL = 300  # the stored column's width; the providers' URLs are under 80 characters

# Each provider's image hosts. API-Football's CDN spreads over media.api-sports.io and media-1..N.api-sports.io.
MEDIA_HOSTS: dict[str, re.Pattern[str]] = {
    "api-football": re.compile(r"media(-[0-9]{1,2})?\.api-sports\.io"),
    "football-data": re.compile(r"crests\.football-data\.org"),
}


def provider_of(url: str) -> str | None:
    """The provider whose image service serves this URL, or None when it is not a safe provider image URL."""
    if not isinstance(url, str) or len(url) > MAX_URL or not url.isascii() or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or port not in (None, 443) or parts.username is not None or parts.password is not None:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not parts.path.startswith("/"):
        return None
    return next((name for name, pattern in MEDIA_HOSTS.items() if pattern.fullmatch(host)), None)


def image_url(value: Any) -> str | None:
    """A payload's logo/crest/emblem value when it is a provider image URL; anything else (null, '', a number,
    another host, http) is no image, never an error."""
    return value if isinstance(value, str) and provider_of(value) is not None else None
