"""The Content-Security-Policy lets a page connect to this site, its own socket and the live service, nowhere else."""

from __future__ import annotations

import pytest

LIVE_URL = "ws://127.0.0.1:8001/live"


def connect_src(answer) -> list[str]:
    directives = dict(d.strip().split(" ", 1) for d in answer.headers["Content-Security-Policy"].split(";"))
    return directives["connect-src"].split()


def test_a_page_may_connect_to_this_site_and_its_own_socket_only(client):
    assert connect_src(client.get("/")) == ["'self'", "ws://localhost"]


def test_with_a_separate_live_service_its_origin_is_allowed_too(make_app):
    client = make_app(LIVE_URL=LIVE_URL).test_client()
    assert connect_src(client.get("/")) == ["'self'", "ws://localhost", "ws://127.0.0.1:8001"]


@pytest.mark.parametrize("live_url", ["", LIVE_URL])
def test_no_other_host_nor_any_host_of_a_scheme(make_app, live_url):
    client = make_app(LIVE_URL=live_url).test_client()
    sources = connect_src(client.get("/"))
    assert not [s for s in sources if s.endswith(":") or "*" in s]  # the old "ws: wss:" let a page reach any host
    assert {s.split("://")[-1] for s in sources} <= {"'self'", "localhost", "127.0.0.1:8001"}


def test_the_sites_socket_follows_the_host_and_the_scheme_the_page_was_served_with(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    answer = client.get("/", headers={"Host": "betscore.fly.dev", "X-Forwarded-Proto": "https"})
    assert connect_src(answer) == ["'self'", "wss://betscore.fly.dev"]
    assert connect_src(client.get("/", base_url="http://127.0.0.1:5000")) == ["'self'", "ws://127.0.0.1:5000"]


def test_a_host_header_that_is_no_host_never_reaches_the_policy(client):
    answer = client.get("/", headers={"Host": "evil.example; script-src *"})
    assert answer.status_code == 400  # refused before any page runs (web.security.HostCheck)
    assert not [value for _, value in answer.headers.items() if "evil" in value or "script-src *" in value]
