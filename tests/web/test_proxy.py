"""Behind TRUSTED_PROXIES proxies the visitor's address and scheme come from their headers; trusting none, a visitor
who sends those headers changes nothing. (The live service's sockets per address: tests/live/test_socket.py.)"""

from __future__ import annotations

import pytest

from app import config
from tests.conftest import csrf_token_from
from tests.web.conftest import BUDGET

VISITOR, OTHER = "203.0.113.5", "203.0.113.6"
FLY_APP_ADDRESS = "66.241.124.10"  # Fly's X-Forwarded-For ends with an address of the app's own


def spent(client, headers: dict[str, str]) -> int:
    """Spend BUDGET requests with these headers; the status of the next one."""
    for _ in range(BUDGET):
        assert client.get("/accounts/login", headers=headers).status_code == 200
    return client.get("/", headers=headers).status_code


@pytest.fixture
def behind_one_proxy(make_app):
    """The app as Fly runs it: one proxy trusted, with the small budget."""
    return make_app(TRUSTED_PROXIES=1, RATELIMIT_APPLICATION=f"{BUDGET} per minute")


def test_trusted_proxies_is_read_from_the_environment_and_trusts_none_by_default():
    assert config.load({})["TRUSTED_PROXIES"] == 0
    assert config.load({"TRUSTED_PROXIES": "1"})["TRUSTED_PROXIES"] == 1
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        config.load({"TRUSTED_PROXIES": "-1"})


def test_untrusted_forwarded_headers_do_not_escape_the_limit(client, budget):
    spoofed = [{"X-Forwarded-For": f"198.51.100.{i}", "Fly-Client-IP": f"192.0.2.{i}"} for i in range(BUDGET + 1)]
    assert [client.get("/accounts/login", headers=each).status_code for each in spoofed[:BUDGET]] == [200] * BUDGET
    assert client.get("/", headers=spoofed[BUDGET]).status_code == 429


def test_behind_a_trusted_proxy_each_visitor_has_a_budget_of_their_own(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert spent(client, {"X-Forwarded-For": VISITOR}) == 429
    assert client.get("/", headers={"X-Forwarded-For": OTHER}).status_code == 200
    assert client.get("/").status_code == 200  # the proxy's own address is no visitor's


def test_a_visitor_cannot_prepend_an_address_past_the_trusted_proxy(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert spent(client, {"X-Forwarded-For": VISITOR}) == 429
    # The visitor typed the first address; the proxy appended the one it saw.
    assert client.get("/", headers={"X-Forwarded-For": f"{OTHER}, {VISITOR}"}).status_code == 429


def test_behind_fly_fly_client_ip_names_the_visitor(behind_one_proxy):
    client = behind_one_proxy.test_client()
    fly = {"Fly-Client-IP": VISITOR, "X-Forwarded-For": f"{VISITOR}, {FLY_APP_ADDRESS}"}
    assert spent(client, fly) == 429
    other = {"Fly-Client-IP": OTHER, "X-Forwarded-For": f"{OTHER}, {FLY_APP_ADDRESS}"}
    assert client.get("/", headers=other).status_code == 200


def test_a_fly_client_ip_that_is_no_address_is_ignored(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert spent(client, {"Fly-Client-IP": "bogus", "X-Forwarded-For": VISITOR}) == 429
    assert client.get("/", headers={"Fly-Client-IP": "bogus", "X-Forwarded-For": OTHER}).status_code == 200


def save_format(client, headers: dict[str, str]):
    token = csrf_token_from(client.get("/settings/odds-format", headers=headers).get_data(as_text=True))
    # Over https Flask-WTF also wants the page's own Referer, as browsers send it.
    headers = {**headers, "HX-Request": "true", "X-CSRFToken": token, "Referer": "https://localhost/"}
    answer = client.post("/settings/odds-format", data={"format": "american"}, headers=headers)
    assert answer.status_code == 204
    return answer.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_preference_cookies_are_secure_when_the_visitor_used_https(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert "Secure" in save_format(client, {"X-Forwarded-Proto": "https"})
    assert "Secure" not in save_format(client, {"X-Forwarded-Proto": "http"})


def test_an_untrusted_forwarded_proto_does_not_make_cookies_secure(client):
    assert "Secure" not in save_format(client, {"X-Forwarded-Proto": "https"})
