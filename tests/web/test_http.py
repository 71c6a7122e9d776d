"""HTTP as caches and browsers see it: compressed text, validators that answer 304 without rendering and move
whenever the page would change, Vary on what a page depends on, /login, and the 404 page's words."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager

import brotli
import pytest
from flask import template_rendered
from sqlalchemy import select

from app.extensions import db
from app.football.models import Match
from app.storage import cache_keys
from tests.conftest import csrf_token_from


def a_match() -> Match:
    return db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()


@contextmanager
def renders(app) -> Iterator[list[str]]:
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def heard(sender, template, context, **extra) -> None:
        names.append(template.name)

    template_rendered.connect(heard, app, weak=False)
    try:
        yield names
    finally:
        template_rendered.disconnect(heard, app)


def pages() -> list[tuple[str, dict[str, str]]]:
    match = a_match()
    htmx = {"HX-Request": "true"}
    return [
        ("/", {}),
        ("/", htmx),  # the list fragment
        ("/?league=epl&day=2026-11-22", {}),
        (f"/matches/{match.id}", {}),
        (f"/matches/{match.id}/odds", htmx),
        (f"/matches/{match.id}/header", htmx),
        (f"/matches/{match.id}/details", htmx),
        (f"/matches/{match.id}/prediction", htmx),
        ("/leagues/epl", {}),
        ("/model", {}),
    ]


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_text_is_compressed_as_the_browser_asks(client, encoding):
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    answer = client.get("/", headers={"Accept-Encoding": encoding})
    assert answer.headers["Content-Encoding"] == encoding
    body = (gzip.decompress if encoding == "gzip" else brotli.decompress)(answer.data)
    assert body.startswith(b"<!doctype html>") and len(answer.data) < len(body) / 3
    assert "Accept-Encoding" in answer.headers["Vary"]
    with client.get("/static/app.css", headers={"Accept-Encoding": f"{encoding}, identity"}) as css:
        assert css.headers["Content-Encoding"] == encoding
        assert b"--bg" in (gzip.decompress if encoding == "gzip" else brotli.decompress)(css.data)


def test_brotli_first_when_both_are_offered(client):
    assert client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"}).headers["Content-Encoding"] == "br"


def test_tiny_and_binary_answers_are_not_compressed(client):
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert tiny.status_code == 200 and len(tiny.data) < 500 and "Content-Encoding" not in tiny.headers
    with client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip, br"}) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/png" and "Content-Encoding" not in icon.headers


def test_a_revalidation_is_answered_304_without_rendering(app, client):
    for path, headers in pages():
        first = client.get(path, headers={**headers, "Accept-Encoding": "br"})
        assert first.status_code == 200, path
        tag = first.headers["ETag"]
        assert tag.startswith('W/"'), (path, tag)
        with renders(app) as rendered:
            again = client.get(path, headers={**headers, "Accept-Encoding": "br", "If-None-Match": tag})
        assert again.status_code == 304, path
        assert rendered == [] and again.data == b"", path  # nothing drawn, nothing sent
        assert again.headers["ETag"] == tag
        assert {"Cookie", "HX-Request", "Accept-Encoding"} <= set(again.headers["Vary"].split(", ")), path
        other = client.get(path, headers={**headers, "If-None-Match": 'W/"something-else"'})
        assert other.status_code == 200 and other.data and other.headers["ETag"] == tag, path
    with renders(app) as rendered:  # the signal does hear a page being drawn
        assert client.get("/model").status_code == 200
    assert rendered == ["predictions/show.html"]


def test_the_page_and_its_fragment_have_different_validators(client):
    page = client.get("/").headers["ETag"]
    assert client.get("/", headers={"HX-Request": "true", "If-None-Match": page}).status_code == 200


def test_a_data_change_moves_the_validator_and_the_new_page_shows_it(client):
    match = a_match()
    path = f"/matches/{match.id}"
    tag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    match.status, match.minute, match.home_score, match.away_score = "live", 3, 2, 0
    db.session.commit()
    cache_keys.changed(matches=[match.id])  # what every job does after its commit
    answer = client.get(path, headers={"If-None-Match": tag})
    assert answer.status_code == 200 and answer.headers["ETag"] != tag
    assert "2<span>–</span>0" in answer.get_data(as_text=True)
    listing = client.get("/", headers={"If-None-Match": tag})
    assert listing.status_code == 200


def test_a_minute_later_the_page_is_drawn_again(client, clock):
    """Pages say how long ago prices changed: a copy is never older than the minute it was drawn in."""
    tag = client.get("/").headers["ETag"]
    clock.advance(minutes=1)
    try:
        assert client.get("/", headers={"If-None-Match": tag}).status_code == 200
    finally:
        clock.advance(minutes=-1)


@pytest.mark.parametrize("cookie", ["theme=dark", "tz=Asia/Tokyo", "tz_choice=Asia/Tokyo", "odds_format=american"])
def test_another_viewers_preferences_are_another_page(client, app, cookie):
    tag = client.get("/").headers["ETag"]
    other = app.test_client()
    name, value = cookie.split("=")
    other.set_cookie(name, value)
    assert other.get("/", headers={"If-None-Match": tag}).status_code == 200


def test_a_signed_in_page_is_private_its_own_and_moves_with_the_users_changes(client, auth, make_user, app):
    anonymous = client.get("/")
    assert "private" not in anonymous.headers["Cache-Control"]
    make_user("etag@example.com")
    assert auth.login("etag@example.com", "correct horse battery").status_code == 303
    page = client.get("/")
    assert set(page.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    tag = page.headers["ETag"]
    assert tag != anonymous.headers["ETag"]
    assert app.test_client().get("/", headers={"If-None-Match": tag}).status_code == 200  # not for another viewer
    assert client.get("/", headers={"If-None-Match": tag}).status_code == 304
    token = csrf_token_from(page.get_data(as_text=True))
    followed = client.post(f"/follows/match/{a_match().id}", data={"csrf_token": token, "next": "/"})
    assert followed.status_code == 303
    assert client.get("/", headers={"If-None-Match": tag}).status_code == 200  # their star shows now


def test_a_page_with_a_message_waiting_is_drawn_and_not_kept(client):
    assert client.get("/bets").status_code in (302, 303)  # "Please sign in to see that page." waits in the session
    answer = client.get("/")
    assert "Please sign in to see that page." in answer.get_data(as_text=True)
    assert "ETag" not in answer.headers


def test_login_is_the_sign_in_page(client):
    answer = client.get("/login")
    assert answer.status_code == 200
    assert 'name="password"' in answer.get_data(as_text=True)


def test_the_404_page_speaks_like_the_site_and_links_back(client):
    answer = client.get("/no/such/page")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "We can’t find that page" in html and "requested URL was not found" not in html
    assert '<a href="/">Back to today\'s matches</a>' in html and 'href="/model"' in html
    assert "ETag" not in answer.headers
    fragment = client.get("/no/such/page", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "We can’t find that page" in fragment and "<html" not in fragment


def test_a_views_own_404_words_are_kept(client):
    html = client.get("/leagues/atlantis").get_data(as_text=True)
    assert "There is no league 'atlantis'." in html or "There is no league &#39;atlantis&#39;." in html


def test_an_unknown_match_is_404_not_a_304(client):
    tag = client.get("/").headers["ETag"]
    assert client.get("/matches/2147483647", headers={"If-None-Match": tag}).status_code == 404
    assert client.get("/matches/2147483647/odds", headers={"HX-Request": "true"}).status_code == 404
