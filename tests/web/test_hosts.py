"""A Host header no URL can be built for is a 400 that says so, before anything of the app runs; the error page itself
never fails into a bare 500."""

from __future__ import annotations

import pytest

from app.web import errors

BAD_HOSTS = [
    "a..b",
    "..",
    ".example",
    "a..b:8000",
    "x" * 64 + ".example",
    "evil.example/x",
    "evil.example?x",
    "user@evil.example",
    "a b",
    "évil.example",
    "localhost\x00",
    "localhost:0",
    "localhost:99999",
    "localhost:http",
    "[::1",
    "",
]
GOOD_HOSTS = [
    "localhost",
    "localhost:8000",
    "127.0.0.1:5000",
    "[::1]:8080",
    "betscore.example.",
    "xn--bcher-kva.example",
]


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", ["/", "/leagues/epl", "/accounts/login", "/no-such-page", "/static/app.css"])
def test_an_invalid_host_is_400_saying_why(client, host, path):
    answer = client.get(path, headers={"Host": host})
    assert answer.status_code == 400
    assert answer.mimetype == "text/plain" and "Host header" in answer.get_data(as_text=True)


@pytest.mark.parametrize("host", ["a..b", "évil.example"])
def test_an_invalid_host_is_refused_before_csrf_and_sign_in_run(client, make_user, host):
    make_user()
    answer = client.post(
        "/accounts/login",
        data={"email": "fan@example.com", "password": "correct horse battery"},
        headers={"Host": host},
    )
    assert answer.status_code == 400 and "Host header" in answer.get_data(as_text=True)
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_a_valid_host_is_served(client, host):
    answer = client.get("/", headers={"Host": host})
    assert answer.status_code == 200 and "<html" in answer.get_data(as_text=True)


def test_only_a_trusted_host_is_served_when_they_are_named(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["betscore.example"])
    assert client.get("/", headers={"Host": "betscore.example"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_the_error_page_still_says_what_is_wrong_when_the_page_around_it_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the page layout failed")

    monkeypatch.setattr(errors, "render_template", broken)
    answer = client.get("/leagues/nowhere")
    assert answer.status_code == 404 and answer.mimetype == "text/plain"
    assert "There is no league 'nowhere'." in answer.get_data(as_text=True)
