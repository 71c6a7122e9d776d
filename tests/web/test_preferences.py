"""The preferences page: theme, time zone and odds format chosen, remembered, applied by the server; hostile cookies
and form values are ignored or refused, never a 500."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.web import viewer
from tests.conftest import csrf_token_from


def html_theme(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<html lang="en"(?: data-theme="([a-z]+)")?>', page)
    assert match, page[:200]
    return match.group(1)


def save(client, **fields):
    token = csrf_token_from(client.get("/preferences").get_data(as_text=True))
    return client.post("/preferences", data={"csrf_token": token, "next": "/leagues/epl", **fields})


def test_the_header_links_the_preferences_by_a_name_it_shows_to_screen_readers(client):
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="prefs-link"[^>]*href="(/preferences[^"]*)"[^>]*>(.*?)</a>', page)
    assert link and '<span class="sr-only">Preferences</span>' in link.group(2)
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_without_a_choice_the_page_follows_the_system_and_the_zone_follows_the_device(client):
    assert html_theme(client) is None
    page = client.get("/preferences").get_data(as_text=True)
    assert re.search(r'value="system" data-theme-choice\s+checked', page)
    assert '<option value="auto" selected>Automatic (UTC)</option>' in page
    assert "data-tz-auto" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_theme_saved_without_javascript_is_drawn_by_the_server(client, theme):
    answer = save(client, theme=theme)
    assert answer.status_code == 303 and answer.headers["Location"] == "/leagues/epl"
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("theme="))
    assert "HttpOnly" not in cookie  # the page's script switches it too, and may not overwrite an HttpOnly cookie
    assert html_theme(client) == theme
    save(client, theme="system")
    assert html_theme(client) is None


def test_a_zone_chosen_by_hand_wins_over_the_detected_one_until_automatic_again(client):
    client.set_cookie("tz", "Europe/London")
    save(client, tz="Asia/Tokyo")
    page = client.get("/").get_data(as_text=True)
    assert 'data-tz="Asia/Tokyo"' in page and "data-tz-auto" not in page  # the script leaves a chosen zone alone
    assert "<option selected>Asia/Tokyo</option>" in client.get("/preferences").get_data(as_text=True)
    save(client, tz="auto")
    page = client.get("/").get_data(as_text=True)
    assert 'data-tz="Europe/London"' in page and "data-tz-auto" in page


def test_the_odds_format_is_saved_with_the_rest(client):
    save(client, format="fractional", theme="dark", tz="America/New_York")
    page = client.get("/").get_data(as_text=True)
    assert '<span class="sr-only"> (fractional): change the odds format</span>' in page
    assert 'data-tz="America/New_York"' in page


def test_over_htmx_the_page_is_drawn_again(client):
    token = csrf_token_from(client.get("/preferences").get_data(as_text=True))
    answer = client.post(
        "/preferences", data={"tz": "Europe/Paris", "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 204 and answer.headers["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("field", "value"),
    [("theme", "purple"), ("tz", "Mars/Olympus"), ("tz", "US/Eastern"), ("tz", "../../etc/passwd"), ("format", "hk")],
)
def test_a_value_not_offered_is_400_and_changes_nothing(client, field, value):
    answer = save(client, **{field: value, "theme": "dark"} if field != "theme" else {field: value})
    assert answer.status_code == 400
    assert "must be one of the choices offered" in answer.get_data(as_text=True)
    assert not any(c.startswith(("theme=", "tz_choice=", "odds_format=")) for c in answer.headers.getlist("Set-Cookie"))
    assert html_theme(client) is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    theme=st.text(max_size=80),
    zone=st.one_of(st.text(max_size=120), st.sampled_from(["UTC", "Europe/London", "Etc/GMT+5", "/etc/passwd"])),
)
def test_hostile_preference_cookies_are_ignored_never_a_500(app, theme, zone):
    with app.test_request_context("/", headers={"Cookie": f"theme={theme!r}; tz={zone!r}; tz_choice={zone!r}"}):
        assert viewer.theme() in (None, "light", "dark")
        assert viewer.tz() is not None
    client = app.test_client()
    for name, value in (("theme", theme), ("tz", zone), ("tz_choice", zone)):
        if all(c.isprintable() and c not in ';,"\\' for c in value):
            client.set_cookie(name, value)
    for path in ("/", "/preferences"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, theme, zone)
        shown = re.search(r'<html lang="en"(?: data-theme="([^"]*)")?>', answer.get_data(as_text=True))
        assert shown and shown.group(1) in (None, "light", "dark")
