"""One image fetched from a provider's image host: only where the URL policy allows (each redirect checked again),
within a time limit for the whole download and a byte cap enforced while streaming, and only if its first bytes
say it is an image."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urljoin

import requests
import urllib3

from app.media.images import NotAnImage, sniff

MAX_REDIRECTS = 3
CHUNK = 16 * 1024


class FetchError(Exception):
    """An image could not be fetched; the reason is short, fit to store and show an admin."""


def fetch(url: str, *, allowed: Callable[[str], bool], max_bytes: int, timeout: float) -> bytes:
    """The image at `url`: refused unless `allowed(url)`, at most `max_bytes`, within `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    with requests.Session() as session:
        for _ in range(MAX_REDIRECTS + 1):
            if not allowed(url):
                raise FetchError(f"not a provider image URL: {url[:120]}")
            response = _get(session, url, deadline)
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code}")
                data = _body(response, max_bytes, deadline)
            try:
                sniff(data)
            except NotAnImage as exc:
                raise FetchError(str(exc)) from None
            return data
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get(session: requests.Session, url: str, deadline: float) -> requests.Response:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timed out")
    try:
        return session.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(left, 5.0), left),
            # identity: a compressed body could expand far past the cap within one read
            headers={"Accept": "image/*", "Accept-Encoding": "identity", "User-Agent": "BetScore crests"},
        )
    except requests.Timeout:
        raise FetchError("timed out") from None
    except requests.RequestException as exc:
        raise FetchError(f"request failed: {type(exc).__name__}") from None


def _body(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """The body, stopped as soon as it passes the cap or the deadline (a server that trickles is cut off too)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"larger than {max_bytes} bytes ({declared} declared)")
    received = bytearray()
    try:
        # read1 returns what has arrived (up to CHUNK) rather than waiting for CHUNK bytes: the deadline is checked
        # after every read, so a server that sends a byte a second cannot hold the job past it. Never decoded: we ask
        # for identity, and a body compressed anyway is not an image's bytes (no gzip bomb past the cap).
        while chunk := response.raw.read1(CHUNK, decode_content=False):
            received += chunk
            if len(received) > max_bytes:
                raise FetchError(f"larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError("timed out")
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchError("timed out" if "timed out" in str(exc).lower() else "connection broken") from None
    if not received:
        raise FetchError("empty body")
    return bytes(received)
