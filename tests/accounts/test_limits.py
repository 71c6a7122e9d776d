"""Sign-in, sign-up and reset are limited per address and per account; a signed-in user has a budget for the site."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import PASSWORD, form_post, sign_in


def _login(client, email: str, address: str = "127.0.0.1"):
    return form_post(
        client, "/login", {"email": email, "password": "nope-nope-nope"}, environ_base={"REMOTE_ADDR": address}
    )


def test_one_address_gets_five_tries_a_minute_then_429_with_retry_after(client, clock):
    codes = [_login(client, f"x{n}@example.com").status_code for n in range(6)]
    assert codes == [400] * 5 + [429]
    answer = _login(client, "other@example.com")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0


def test_one_account_gets_five_tries_a_minute_from_any_number_of_addresses(client):
    codes = [_login(client, "Victim@Example.com ", f"10.0.0.{n}").status_code for n in range(6)]
    assert codes == [400] * 5 + [429]
    # Another account from a fresh address is untouched.
    assert _login(client, "someone@example.com", "10.0.1.1").status_code == 400


@pytest.mark.parametrize("path", ["/signup", "/reset"])
def test_sign_up_and_reset_share_the_limits_of_sign_in(client, path):
    for n in range(5):
        _login(client, f"x{n}@example.com")
    data = {"email": "new@example.com", "password": PASSWORD, "confirm": PASSWORD}
    assert form_post(client, path, data).status_code == 429


def test_a_signed_in_user_has_one_budget_for_the_whole_site(app, browser, client, make_user, monkeypatch):
    make_user("fan@example.com", PASSWORD)
    sign_in(client, "fan@example.com")
    monkeypatch.setitem(app.config, "RATELIMIT_USER", "3 per minute")
    codes = [client.get(path).status_code for path in ("/", "/model", "/account", "/")]
    assert codes == [200, 200, 200, 429]
    # Counted per user, not per address: a signed-out visitor from the same address is not held back.
    assert browser().get("/").status_code == 200
