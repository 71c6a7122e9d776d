"""Whatever a visitor types into the accounts' forms: never a 5xx, and each bad field gets its own message."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import limiter
from tests.accounts.conftest import PASSWORD, sign_in
from tests.conftest import csrf_token_from

text = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(["", " ", "\x00", "a@b.co\x00", "é" * 80])
FORMS = {
    "/signup": ("email", "password", "confirm"),
    "/login": ("email", "password"),
    "/reset": ("email",),
    "/account/password": ("current", "password", "confirm"),
}
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _errors_by_field(page: str) -> dict[str, list[str]]:
    return {
        field: re.findall(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
        for field in ("email", "password", "confirm", "current")
    }


def _post(client, path: str, values: dict[str, str], page: str):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**values, "csrf_token": token})


@HYPOTHESIS
@given(values=st.fixed_dictionaries({"email": text, "password": text, "confirm": text}))
def test_hostile_sign_up_sign_in_and_reset(client, values):
    for path, fields in list(FORMS.items())[:3]:
        limiter.reset()
        answer = _post(client, path, {f: values[f] for f in fields}, path)
        assert answer.status_code < 500, (path, values)
        if answer.status_code == 400:
            page = answer.get_data(as_text=True)
            errors = _errors_by_field(page)
            assert any(errors.values()), (path, values)
            assert all(len(messages) <= 2 for messages in errors.values())


def test_hostile_change_password(browser, make_user):
    make_user("hostile@example.com", PASSWORD)
    client = browser()

    @HYPOTHESIS
    @given(values=st.fixed_dictionaries({"current": text, "password": text, "confirm": text}))
    def change(values):
        limiter.reset()
        answer = _post(client, "/account/password", values, "/account")
        assert answer.status_code in (303, 400), values
        if answer.status_code == 400:
            assert any(_errors_by_field(answer.get_data(as_text=True)).values()), values

    assert sign_in(client, "hostile@example.com").status_code == 303
    change()


def test_each_bad_field_gets_its_own_message(client):
    answer = _post(client, "/signup", {"email": "not an email", "password": "short", "confirm": "other"}, "/signup")
    errors = _errors_by_field(answer.get_data(as_text=True))
    assert errors["email"] == ["Enter an email address."]
    assert errors["password"] == ["Use at least 10 characters."]
    assert errors["confirm"] == ["The two passwords differ."]
