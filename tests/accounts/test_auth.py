"""Sign-in, sign-out, the admin guard and `flask users create-admin`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db


def test_admin_signs_in_and_reaches_the_admin_page(client, auth, make_user):
    make_user("boss@example.com", "a long enough secret", admin=True)
    answer = auth.login("Boss@Example.com ", "a long enough secret")
    assert answer.status_code == 303
    page = client.get("/admin/")
    assert page.status_code == 200 and "Stored data" in page.get_data(as_text=True)


def test_signed_out_visitor_is_sent_to_sign_in(client):
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_non_admin_gets_403(client, auth, make_user):
    make_user()
    auth.login("fan@example.com", "correct horse battery")
    page = client.get("/admin/")
    assert page.status_code == 403 and "for administrators" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"), [("fan@example.com", "wrong password!!"), ("nobody@example.com", "correct horse battery")]
)
def test_wrong_credentials_say_so_without_saying_which(client, auth, make_user, email, password):
    make_user()
    answer = auth.login(email, password)
    assert answer.status_code == 400
    assert "Wrong email or password." in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-email", "password": "x" * 12},
        {"email": "", "password": ""},
        {"email": "a@b.co", "password": "x" * 500},
    ],
)
def test_malformed_sign_in_form_is_400_with_field_errors(auth, data):
    token = auth.csrf()
    answer = auth.client.post("/accounts/login", data={**data, "csrf_token": token})
    assert answer.status_code == 400
    assert 'class="error"' in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("fan@example.com\x00", "correct horse battery", "email"),
        ("fan\x00@example.com", "correct horse battery", "email"),
        ("\x00", "correct horse battery", "email"),
        ("fan@example.com", "correct horse battery\x00", "password"),
    ],
)
def test_a_nul_character_is_refused_by_the_form_before_the_database_sees_it(
    client, auth, make_user, email, password, field
):
    make_user()
    answer = auth.login(email, password)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    # The form again, the message under the field that held it (PostgreSQL refuses NUL: this was a 500 there).
    assert 'id="password"' in html and re.search(
        rf'id="{field}"[^>]*>\s*(<p class="error"[^>]*>[^<]*</p>\s*)*<p class="error"[^>]*>Remove the NUL', html
    )
    assert client.get("/admin/").status_code == 302  # not signed in


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    make_user()
    answer = client.post("/accounts/login", data={"email": "fan@example.com", "password": "correct horse battery"})
    assert answer.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_sign_out(client, auth, make_user):
    make_user(admin=True)
    auth.login("fan@example.com", "correct horse battery")
    assert auth.logout().status_code == 303
    assert client.get("/admin/").status_code == 302


def test_sign_out_needs_post(client):
    assert client.get("/accounts/logout").status_code == 405


def test_sign_in_redirects_only_to_this_site(client, make_user, auth):
    make_user()
    token = auth.csrf()
    answer = client.post(
        "/accounts/login?next=//evil.example/",
        data={"email": "fan@example.com", "password": "correct horse battery", "csrf_token": token},
    )
    assert answer.headers["Location"] == "/"


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "Chief@Example.com"], input="a long enough secret\na long enough secret\n"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).filter_by(email="chief@example.com"))
    assert user.is_admin and user.check_password("a long enough secret")
    assert "a long enough secret" not in user.password_hash


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("short@example.com", "short", "at least 10 characters"),
        ("not-an-email", "a long enough secret", "not an email address"),
    ],
)
def test_create_admin_refuses_bad_input_and_writes_nothing(app, email, password, message):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", email], input=f"{password}\n{password}\n")
    assert result.exit_code == 1 and message in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_refuses_a_taken_email(app, make_user):
    make_user("taken@example.com")
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "taken@example.com"], input="a long enough secret\na long enough secret\n"
    )
    assert result.exit_code == 1 and "already exists" in result.output
