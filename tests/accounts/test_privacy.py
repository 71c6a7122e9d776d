"""A user downloads everything kept about them and deletes it; no log line carries an address, a password, a token
or a session id."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from app.accounts import signals
from app.accounts.models import User
from app.extensions import db
from app.ops.redaction import LOGGERS, MASK, Redact, redact
from tests.accounts.conftest import PASSWORD, form_post, sign_in, sign_out, sign_up

EMAIL = "private.fan@example.com"


@pytest.fixture
def feature(app):
    """A feature as bets and favourites are: it answers `exporting` with its section and forgets on `deleting`."""
    rows: dict[int, list[str]] = {}

    def export(sender, user_id: int):
        return "notes", rows.get(user_id, [])

    def forget(sender, user_id: int):
        rows.pop(user_id, None)

    signals.exporting.connect(export, sender=app)
    signals.deleting.connect(forget, sender=app)
    yield rows
    signals.exporting.disconnect(export, sender=app)
    signals.deleting.disconnect(forget, sender=app)


def test_data_download_holds_the_account_and_each_features_section(client, make_user, feature):
    user = make_user(EMAIL, PASSWORD)
    feature[user.id] = ["Arsenal to win"]
    sign_in(client, EMAIL)
    answer = client.get("/account/data.json")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    data = json.loads(answer.get_data(as_text=True))
    assert data["account"]["email"] == EMAIL and data["notes"] == ["Arsenal to win"]
    assert PASSWORD not in answer.get_data(as_text=True) and "password_hash" not in data["account"]


def test_data_download_needs_signing_in(client):
    assert client.get("/account/data.json").status_code == 302


def test_deleting_the_account_needs_the_password_then_removes_it_and_the_features_rows(client, make_user, feature):
    user = make_user(EMAIL, PASSWORD)
    feature[user.id] = ["Arsenal to win"]
    sign_in(client, EMAIL)
    answer = form_post(client, "/account/delete", {"current": "not the password"})
    assert answer.status_code == 400 and "not your password" in answer.get_data(as_text=True)
    assert feature[user.id]
    answer = form_post(client, "/account/delete", {"current": PASSWORD})
    assert answer.status_code == 303
    assert db.session.scalar(select(User).where(User.email == EMAIL).execution_options(populate_existing=True)) is None
    assert user.id not in feature
    assert client.get("/account").status_code == 302
    assert sign_in(client, EMAIL).status_code == 400


def _secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s and s.lower() in text.lower()]


@pytest.fixture
def unmasked(app):
    """The app's log filter off for this test, so what the code itself writes is what the test reads."""
    removed = []
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            for f in [f for f in handler.filters if isinstance(f, Redact)]:
                handler.removeFilter(f)
                removed.append((handler, f))
    yield
    for handler, f in removed:
        handler.addFilter(f)


def test_no_log_line_carries_an_address_a_password_a_token_or_a_session_id(browser, smtp, unmasked, caplog):
    """Every logger at DEBUG through sign-up, confirmation, reset, sign-in and sign-out, the app's log filter off.
    The loopback SMTP server is the test's, not the app's: its own log ('mail.log') records the envelope it received,
    and is left out."""
    client = browser()
    new_password = "another long secret"
    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):
        sign_up(client, EMAIL)
        seen.append(client.get_cookie("session").value)
        confirm = smtp.link_in(smtp.last_to(EMAIL), "/confirm/")
        client.get(confirm)
        sign_out(client)
        form_post(client, "/reset", {"email": EMAIL})
        reset = smtp.link_in(smtp.last_to(EMAIL), "/reset/")
        form_post(client, reset, {"password": new_password, "confirm": new_password})
        seen.append(client.get_cookie("session").value)
        sign_out(client)
        sign_in(client, EMAIL, new_password)
        seen.append(client.get_cookie("session").value)
        sign_in(browser(), EMAIL, "a wrong password!!")
        sign_out(client)
    assert not any(isinstance(f, Redact) for f in caplog.handler.filters), "the capture must see lines unmasked"
    assert any(r.name.startswith("mail.log") for r in caplog.records), "the capture saw nothing at DEBUG"
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    tokens = [confirm.rsplit("/", 1)[1], reset.rsplit("/", 1)[1]]
    secrets = [EMAIL, PASSWORD, new_password, "a wrong password!!", *tokens, *seen]
    leaked = {line: _secrets_in(line, secrets) for line in lines if _secrets_in(line, secrets)}
    assert leaked == {}


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("sign-in failed for fan@example.com", "sign-in failed for "),
        ('"GET /reset/eyJ1IjoxLCJoIjoiYWJjIn0.aUBxYw.k3JtQ2b1Z9xw8yVn6tPqR0sLm HTTP/1.1" 200', '"GET /reset/'),
        ("session Xk2m9QpL7vR3tY8wZ1aB4cD6eF0gH5jK2lN_-xyz loaded", "session "),
    ],
)
def test_the_log_filter_masks_addresses_tokens_and_session_ids(line, kept):
    masked = redact(line)
    assert MASK in masked and masked.startswith(kept)


def test_the_log_filter_leaves_ordinary_lines_and_the_outbox_alone(app):
    line = "job 6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f odds refreshed for epl in 0.4 s"
    assert redact(line) == line
    record = logging.LogRecord("betscore.outbox", logging.INFO, __file__, 1, "link %s", ("http://x/reset/a.b.c",), None)
    assert Redact().filter(record) and record.getMessage() == "link http://x/reset/a.b.c"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "hello %s", ("fan@example.com",), None)
    assert Redact().filter(record) and record.getMessage() == f"hello {MASK}"


def test_the_app_puts_the_filter_on_the_root_loggers_handlers(app):
    handler = logging.StreamHandler()
    logging.getLogger().addHandler(handler)
    try:
        from app import create_app

        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SESSION_FILE_DIR": app.config["SESSION_FILE_DIR"]})
        assert any(isinstance(f, Redact) for f in handler.filters)
    finally:
        logging.getLogger().removeHandler(handler)


def test_exported_json_is_valid_for_a_user_with_nothing_yet(client, make_user):
    make_user(EMAIL, PASSWORD)
    sign_in(client, EMAIL)
    data = client.get("/account/data.json").get_json()
    assert set(data) == {"account", "bets", "favourites"}  # a section per feature, empty
    assert data["bets"]["bets"] == [] and data["favourites"] == {"follows": []}
    assert re.fullmatch(r"\d{4}-.*", client.get("/account/data.json").get_json()["account"]["created_at"])
