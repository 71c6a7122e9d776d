"""Sessions live on the server: signing out ends one, a password change or "sign out everywhere" ends the others
(remember-me cookies included), and sign-in always starts on a new session id."""

from __future__ import annotations

import pytest

from app.accounts.services import load_user
from tests.accounts.conftest import PASSWORD, form_post, sign_in, sign_out, signed_in

EMAIL = "fan@example.com"


def _cookie(client, name: str = "session") -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_a_session_cookie_saved_before_sign_out_signs_nobody_in_after_it(browser, client, make_user):
    make_user(EMAIL, PASSWORD)
    sign_in(client, EMAIL)
    saved = _cookie(client)
    sign_out(client)
    replay = browser()
    replay.set_cookie("session", saved)
    answer = replay.get("/account")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_a_password_change_signs_the_other_browser_out_and_keeps_this_one(browser, client, make_user):
    make_user(EMAIL, PASSWORD)
    other = browser()
    sign_in(other, EMAIL)
    sign_in(client, EMAIL)
    new = "another long secret"
    data = {"current": PASSWORD, "password": new, "confirm": new}
    assert form_post(client, "/account/password", data, page="/account").status_code == 303
    assert signed_in(client)
    answer = other.get("/account")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_sign_out_everywhere_ends_other_sessions_and_remember_me_cookies(browser, client, make_user):
    make_user(EMAIL, PASSWORD)
    remembered = browser()
    sign_in(remembered, EMAIL, remember=True)
    remember_token = _cookie(remembered, "remember_token")
    sign_in(client, EMAIL)
    assert form_post(client, "/account/sign-out-everywhere", {}, page="/account").status_code == 303
    assert signed_in(client)
    assert not signed_in(remembered)
    # The remember-me cookie alone, in a fresh browser, no longer signs anyone in.
    fresh = browser()
    fresh.set_cookie("remember_token", remember_token)
    assert not signed_in(fresh)


def test_a_remember_me_cookie_signs_in_a_new_browser_until_then(browser, client, make_user):
    make_user(EMAIL, PASSWORD)
    sign_in(client, EMAIL, remember=True)
    fresh = browser()
    fresh.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert signed_in(fresh)


def test_sign_in_issues_a_new_session_id(client, make_user):
    make_user(EMAIL, PASSWORD)
    client.get("/login")
    before = _cookie(client)
    sign_in(client, EMAIL)
    after = _cookie(client)
    assert before != after and signed_in(client)


def test_a_planted_session_id_is_not_signed_in_by_the_victim(browser, client, make_user):
    make_user(EMAIL, PASSWORD)
    attacker = browser()
    attacker.get("/login")
    planted = _cookie(attacker)
    client.set_cookie("session", planted)
    sign_in(client, EMAIL)
    assert _cookie(client) != planted and signed_in(client)
    assert not signed_in(attacker)


def test_signed_out_pages_set_no_session_cookie(client):
    answer = client.get("/")
    assert "Set-Cookie" not in answer.headers


def test_with_redis_gone_a_session_reads_as_signed_out_and_nothing_fails(app):
    from datetime import timedelta

    from redis import Redis

    from app.accounts.sessions import FailSoftRedisSessions

    gone = Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.2)  # discard: nothing listens
    interface = FailSoftRedisSessions(app, client=gone)
    session = interface.session_class({"_user_id": "1:0"}, sid="abc")
    assert interface._retrieve_session_data("betscore:session:abc") is None
    interface._upsert_session(timedelta(minutes=1), session, "betscore:session:abc")
    interface._delete_session("betscore:session:abc")


@pytest.mark.parametrize("ident", ["²:0", "1:²", "١:0", "9" * 5000 + ":0", ":", "1", "-1:0"])
def test_a_user_id_that_is_no_plain_number_names_nobody(app, ident):
    assert load_user(ident) is None
