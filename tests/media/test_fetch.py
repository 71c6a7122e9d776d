"""Fetching one image from a real HTTP server on loopback: real image bytes come back; oversize, wrong type, slow,
missing and redirected-away answers are refused with a short reason."""

from __future__ import annotations

import gzip
import re

import pytest

from app.media.fetch import FetchError, fetch
from tests.media.conftest import image
from tests.providers.conftest import ProviderServer, Reply

CAP = 64 * 1024


def get(server: ProviderServer, path: str, *, max_bytes: int = CAP, timeout: float = 5.0) -> bytes:
    return fetch(
        server.url + path, allowed=lambda url: url.startswith(server.url + "/"), max_bytes=max_bytes, timeout=timeout
    )


@pytest.mark.parametrize("name", ["python.png", "python.jpg", "python.gif", "python.webp", "icon.svg"])
def test_a_real_image_is_fetched(image_server: ProviderServer, name: str) -> None:
    # The server's Content-Type is wrong on purpose: the type is read from the bytes.
    image_server.route(f"/teams/{name}", body=image(name), content_type="application/octet-stream")
    assert get(image_server, f"/teams/{name}") == image(name)
    assert image_server.hits(f"/teams/{name}")[0].headers["Accept"] == "image/*"


def test_a_declared_oversize_body_is_refused_before_reading(image_server: ProviderServer) -> None:
    image_server.route("/big.png", body=image("python.png") + b"\0" * 5000, content_type="image/png")
    with pytest.raises(FetchError, match="larger than 2000 bytes \\(6020 declared\\)"):
        get(image_server, "/big.png", max_bytes=2000)


def test_an_undeclared_oversize_body_is_cut_while_streaming(image_server: ProviderServer) -> None:
    image_server.route("/endless.png", Reply(trickle=0.0, content_type="image/png"))  # chunked, no length, forever
    with pytest.raises(FetchError, match=r"larger than 2000 bytes$"):
        get(image_server, "/endless.png", max_bytes=2000)


def test_a_slow_server_times_out(image_server: ProviderServer) -> None:
    image_server.route("/slow.png", Reply(delay=2.0, body=image("python.png")))
    with pytest.raises(FetchError, match="timed out"):
        get(image_server, "/slow.png", timeout=0.5)


def test_a_trickling_body_cannot_hold_the_fetch_past_its_deadline(image_server: ProviderServer) -> None:
    image_server.route("/trickle.png", Reply(trickle=0.05))  # a byte every 50 ms, each read well inside the timeout
    with pytest.raises(FetchError, match="timed out"):
        get(image_server, "/trickle.png", timeout=0.5)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Not found</body></html>", "not a PNG, JPEG, GIF, WebP or SVG image"),
        (image("python.bmp"), "not a PNG, JPEG, GIF, WebP or SVG image"),
        (b"", "empty body"),
    ],
)
def test_a_body_that_is_no_image_is_refused(image_server: ProviderServer, body: bytes, reason: str) -> None:
    image_server.route("/logo.png", body=body, content_type="image/png")
    with pytest.raises(FetchError, match=reason):
        get(image_server, "/logo.png")


@pytest.mark.parametrize("status", [404, 403, 500, 204])
def test_an_error_status_is_refused(image_server: ProviderServer, status: int) -> None:
    image_server.route("/gone.png", status=status, body=image("python.png"))
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        get(image_server, "/gone.png")


def test_a_refused_url_is_never_requested(image_server: ProviderServer) -> None:
    with pytest.raises(FetchError, match="not a provider image URL"):
        fetch(image_server.url + "/x.png", allowed=lambda url: False, max_bytes=CAP, timeout=5)
    assert image_server.requests == []


def test_each_redirect_is_checked_again(image_server: ProviderServer) -> None:
    image_server.route("/moved.png", status=302, headers={"Location": "/teams/python.png"})
    image_server.route("/teams/python.png", body=image("python.png"))
    assert get(image_server, "/moved.png") == image("python.png")
    image_server.route("/away.png", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(FetchError, match=re.escape("not a provider image URL: http://169.254.169.254")):
        get(image_server, "/away.png")
    image_server.route("/loop.png", status=302, headers={"Location": "/loop.png"})
    with pytest.raises(FetchError, match="more than 3 redirects"):
        get(image_server, "/loop.png")
    assert len(image_server.hits("/loop.png")) == 4


def test_nothing_listening_is_a_failure_not_a_crash(image_server: ProviderServer) -> None:
    url = image_server.url
    image_server.close()
    with pytest.raises(FetchError, match="request failed"):
        fetch(url + "/x.png", allowed=lambda u: True, max_bytes=CAP, timeout=2)


def test_a_compressed_body_is_never_expanded(image_server: ProviderServer) -> None:
    """Asked for identity; a body gzipped anyway could expand past the cap within one read, so it is not unpacked."""
    bomb = gzip.compress(image("python.png") + b"\0" * 1_000_000)
    image_server.route("/zipped.png", body=bomb, headers={"Content-Encoding": "gzip"}, content_type="image/png")
    with pytest.raises(FetchError, match="not a PNG"):
        get(image_server, "/zipped.png", max_bytes=len(bomb) + 10)
    assert image_server.hits("/zipped.png")[0].headers["Accept-Encoding"] == "identity"
