"""Sign-up, confirmation and password reset as a visitor goes through them, email included (a real SMTP server on
loopback receives it, and the test follows the link)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import may_record_bets
from app.extensions import db
from tests.accounts.conftest import PASSWORD, form_post, sign_in, sign_up, signed_in

NEW_PASSWORD = "another long secret"


def _user(address: str) -> User:
    # Requests ran in sessions of their own: read what they committed, not this session's copy.
    user = db.session.scalar(select(User).where(User.email == address).execution_options(populate_existing=True))
    assert user is not None
    return user


def test_sign_up_without_smtp_works_at_once(client):
    answer = sign_up(client, "New.Fan@Example.com")
    assert answer.status_code == 303 and answer.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "new.fan@example.com" in page and "Not confirmed yet" not in page
    assert may_record_bets(_user("new.fan@example.com"))


def test_sign_up_with_smtp_asks_to_confirm_and_the_emailed_link_confirms(client, smtp):
    sign_up(client, "fan@example.com")
    user = _user("fan@example.com")
    assert not may_record_bets(user)
    assert "Not confirmed yet" in client.get("/account").get_data(as_text=True)
    message = smtp.last_to("fan@example.com")
    assert message["Subject"] == "Confirm your BetScore email address"
    answer = client.get(smtp.link_in(message, "/confirm/"))
    assert answer.status_code == 303
    db.session.refresh(user)
    assert user.email_confirmed_at is not None and may_record_bets(user)
    assert "Not confirmed yet" not in client.get("/account").get_data(as_text=True)


def test_a_confirmation_link_for_a_changed_address_or_a_forged_one_does_nothing(client, smtp):
    sign_up(client, "fan@example.com")
    link = smtp.link_in(smtp.last_to("fan@example.com"), "/confirm/")
    user = _user("fan@example.com")
    user.email = "other@example.com"
    db.session.commit()
    assert client.get(link).status_code == 400
    assert client.get(link[:-3] + "abc").status_code == 400
    assert client.get("/confirm/not-a-token").status_code == 400
    db.session.refresh(user)
    assert user.email_confirmed_at is None


def test_sign_up_refuses_a_taken_address_a_common_password_and_a_mismatch(client, make_user):
    make_user("taken@example.com")
    cases = [
        ({"email": "TAKEN@example.com", "password": PASSWORD, "confirm": PASSWORD}, "An account already uses"),
        ({"email": "new@example.com", "password": "password1234", "confirm": "password1234"}, "most common"),
        ({"email": "new@example.com", "password": "short", "confirm": "short"}, "at least 10"),
        ({"email": "new@example.com", "password": PASSWORD, "confirm": PASSWORD + "x"}, "The two passwords differ."),
    ]
    for data, message in cases:
        answer = form_post(client, "/signup", data)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True), data
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_password_reset_by_email_works_once_and_signs_out_elsewhere(browser, client, smtp, make_user):
    make_user("fan@example.com", PASSWORD)
    other = browser()
    sign_in(other, "fan@example.com")
    answer = form_post(client, "/reset", {"email": "Fan@Example.com"})
    assert answer.status_code == 303
    link = smtp.link_in(smtp.last_to("fan@example.com"), "/reset/")
    answer = form_post(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert answer.status_code == 303 and signed_in(client)
    assert not signed_in(other)
    assert sign_in(browser(), "fan@example.com", PASSWORD).status_code == 400
    assert sign_in(browser(), "fan@example.com", NEW_PASSWORD).status_code == 303
    # Used once: the link names the old password's hash.
    assert client.get(link).status_code == 400


def test_a_reset_link_expires_after_an_hour(client, smtp, make_user, clock):
    make_user("fan@example.com", PASSWORD)
    form_post(client, "/reset", {"email": "fan@example.com"})
    link = smtp.link_in(smtp.last_to("fan@example.com"), "/reset/")
    clock.advance(minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    answer = form_post(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/reset")
    assert answer.status_code == 400 and "no longer works" in answer.get_data(as_text=True)
    assert _user("fan@example.com").check_password(PASSWORD)


def test_reset_says_the_same_for_an_unknown_address_and_sends_nothing(client, smtp):
    answer = form_post(client, "/reset", {"email": "nobody@example.com"})
    assert answer.status_code == 303 and smtp.messages == []


def test_without_smtp_in_development_the_link_goes_to_the_outbox_log(client, make_user, caplog):
    make_user("fan@example.com", PASSWORD)
    with caplog.at_level(logging.INFO, logger="betscore.outbox"):
        form_post(client, "/reset", {"email": "fan@example.com"})
    [record] = [r for r in caplog.records if r.name == "betscore.outbox"]
    assert "http://localhost/reset/" in record.getMessage()
    assert "fan@example.com" not in record.getMessage()


def test_production_without_smtp_sends_nothing_and_says_so(app, client, make_user, caplog, monkeypatch):
    make_user("fan@example.com", PASSWORD)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with caplog.at_level(logging.DEBUG):
        answer = form_post(client, "/reset", {"email": "fan@example.com"})
    assert answer.status_code == 503 and "could not send email" in answer.get_data(as_text=True)
    assert not [r for r in caplog.records if r.name == "betscore.outbox"]


def test_an_smtp_server_that_is_down_gets_a_clear_message(app, client, make_user, monkeypatch):
    make_user("fan@example.com", PASSWORD)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # discard: nothing listens
    answer = form_post(client, "/reset", {"email": "fan@example.com"})
    assert answer.status_code == 503 and "could not send email" in answer.get_data(as_text=True)


def test_change_password_needs_the_current_one(client, make_user):
    make_user("fan@example.com", PASSWORD)
    sign_in(client, "fan@example.com")
    data = {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    answer = form_post(client, "/account/password", data, page="/account")
    assert answer.status_code == 400 and "not your current password" in answer.get_data(as_text=True)
    answer = form_post(client, "/account/password", {**data, "current": PASSWORD}, page="/account")
    assert answer.status_code == 303 and signed_in(client)
    assert _user("fan@example.com").check_password(NEW_PASSWORD)


def test_nav_offers_sign_in_and_sign_up_signed_out_and_the_account_menu_signed_in(client, make_user):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in page and 'href="/signup"' in page and 'action="/logout"' not in page
    make_user("fan@example.com", PASSWORD)
    sign_in(client, "fan@example.com")
    page = client.get("/").get_data(as_text=True)
    menu = page.split('id="site-menu"', 1)[1].split("</details>", 1)[0]  # the header's menu (one line on a phone)
    assert 'href="/account"' in menu and 'action="/logout"' in menu and 'href="/signup"' not in page


def test_accounts_login_still_answers_for_old_links(client):
    assert client.get("/accounts/login").status_code == 200
    assert client.get("/login").status_code == 200
