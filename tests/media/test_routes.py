"""/media/<key>: stored images served from this site, cached for good, typed by their key, SVG locked down;
any other key a clear 404, never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.football.models import Competition
from app.media import store
from app.media.images import key_for
from tests.media.conftest import image


def stored(app: Flask, name: str) -> str:
    data = image(name)
    key = key_for(data)
    store.storage(app).put(key, data)
    return key


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("python.png", "image/png"),
        ("python.jpg", "image/jpeg"),
        ("python.gif", "image/gif"),
        ("python.webp", "image/webp"),
    ],
)
def test_an_image_is_served_immutable(app: Flask, client: FlaskClient, name: str, mimetype: str) -> None:
    key = stored(app, name)
    response = client.get(f"/media/{key}")
    assert response.status_code == 200 and response.data == image(name)
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"] == f'"{key.partition(".")[0]}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/media/{key}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_svg_cannot_run_script_when_opened_on_its_own(app: Flask, client: FlaskClient) -> None:
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    key = key_for(hostile)
    store.storage(app).put(key, hostile)
    response = client.get(f"/media/{key}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_league_badge_from_the_seed_is_served(client: FlaskClient) -> None:
    epl = db.session.scalar(select(Competition).filter_by(key="epl"))
    assert epl is not None and epl.crest_key
    response = client.get(f"/media/{epl.crest_key}")
    assert response.status_code == 200 and b"<svg" in response.data and b">PL</text>" in response.data


def test_pages_keep_img_src_self(client: FlaskClient) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self'" in csp


@pytest.mark.parametrize(
    "key",
    [
        "0" * 64 + ".png",  # well formed, nothing stored
        "0" * 64 + ".exe",
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "0" * 63 + ".png",
        "0" * 64 + ".PNG",
        "0" * 64,
        "%00.png",
        "a/b/c",
    ],
)
def test_a_bad_key_is_a_404(client: FlaskClient, key: str) -> None:
    response = client.get(f"/media/{key}")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=120))
def test_any_key_is_answered_without_a_server_error(client: FlaskClient, key: str) -> None:
    from urllib.parse import quote

    response = client.get("/media/" + quote(key, safe=""))
    # 308: the router merging a doubled slash ("/media//0" -> "/media/0"), which is then a 404.
    assert response.status_code in (308, 400, 404), (key, response.status_code)
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_crests_do_not_spend_the_visitors_page_budget(app: Flask, client: FlaskClient) -> None:
    """A page shows dozens of crests: they have a budget of their own, not the site-wide one pages share."""
    key = stored(app, "python.gif")
    for _ in range(210):  # past the site-wide 200 a minute
        assert client.get(f"/media/{key}").status_code == 200
    assert client.get("/").status_code == 200


def test_crests_have_a_limit_of_their_own(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_MEDIA", "3 per minute")
    key = stored(app, "python.gif")
    assert [client.get(f"/media/{key}").status_code for _ in range(4)] == [200, 200, 200, 429]
