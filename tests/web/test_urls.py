"""`next` sends a visitor back to a page of this site, never to another site and never into a 500."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.web.urls import safe_next
from tests.conftest import csrf_token_from

HOME = "/"
# Each of these is another site, or no valid header, once a browser has read it (it drops tabs and newlines and
# reads a backslash as a slash), or is no path at all.
REFUSED = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/x",
    "/\n/x",
    "/x\r\nSet-Cookie: a=b",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/x\\y",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    " /x",
    "/x\x00",
    "/\x0b/evil.example",
    "/\x7f",
    "/\x85",
    "",
]
KEPT = [
    "/",
    "/matches/41",
    "/?day=2026-11-25&league=epl",
    "/leagues/epl#table",
    "/a//b",
    "/%2F%2Fevil.example",
    "/café",
]


def browser_reads(location: str) -> str:
    """What a browser makes of a Location: tabs and newlines dropped, backslashes read as slashes."""
    return location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")


@pytest.mark.parametrize("target", REFUSED)
def test_a_target_a_browser_reads_leniently_is_refused_whole(app, target):
    with app.test_request_context():
        assert safe_next(target) == HOME


@pytest.mark.parametrize("target", KEPT)
def test_a_path_of_this_site_is_kept_as_it_is(app, target):
    with app.test_request_context():
        assert safe_next(target) == target


def test_no_target_is_the_home_page(app):
    with app.test_request_context():
        assert safe_next(None) == HOME


HOSTILE_PIECES = st.sampled_from(
    [
        *("/", "\\", "\t", "\n", "\r", "\x00", "\x0b", "\x0c", "\x7f", "\x85", " ", ":", "@", "?", "#", "%09", "%2F"),
        *("evil.example", "http:", "https:", "javascript:", "é", "\u2028", "\ufeff", "\u3000"),
    ]
)
TARGETS = st.one_of(st.text(max_size=40), st.lists(HOSTILE_PIECES, max_size=12).map("".join))


# The property reads no database: the per-test rollback around it (a function-scoped fixture) changes nothing.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=TARGETS)
def test_safe_next_is_always_a_path_of_this_site(app, target):
    with app.test_request_context():
        result = safe_next(target)
    parts = urlsplit(result)
    assert parts.scheme == "" and parts.netloc == ""
    assert result.startswith("/") and not browser_reads(result).startswith("//")
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in result)
    assert result in (target, HOME)


# --- through the forms that take `next` -----------------------------------------------------------


BAD_NEXT = ["/%09/evil.example", "/%0a/x", "/%0d%0a/x", "/%5Cevil.example", "//evil.example", "/%00"]


@pytest.mark.parametrize("query", BAD_NEXT)
def test_sign_in_never_redirects_off_site_nor_fails(client, auth, make_user, query):
    make_user()
    token = auth.csrf()
    answer = client.post(
        f"/accounts/login?next={query}",
        data={"email": "fan@example.com", "password": "correct horse battery", "csrf_token": token},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == HOME


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/x", "/\r\n/x", "/\\evil.example", "/x\x00"])
@pytest.mark.parametrize(
    ("form", "choice"), [("/settings/odds-format", {"format": "fractional"}), ("/settings/staking", {"kelly": "1/4"})]
)
def test_preference_forms_never_redirect_off_site_nor_fail(client, form, choice, target):
    token = csrf_token_from(client.get(form).get_data(as_text=True))
    answer = client.post(form, data={**choice, "next": target, "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"] == HOME
    assert "Set-Cookie" in answer.headers  # the choice itself was still saved


@pytest.mark.parametrize("form", ["/settings/odds-format", "/settings/staking"])
@pytest.mark.parametrize("query", BAD_NEXT)
def test_preference_pages_carry_only_a_path_of_this_site(client, form, query):
    answer = client.get(f"{form}?next={query}")
    assert answer.status_code == 200 and 'name="next" value="/"' in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "current",
    ["http://[", "http://localhost/\t/evil.example", "http://localhost/\\evil.example", "http://localhost/\x00"],
)
def test_preference_fragments_read_the_htmx_page_address_safely(client, current):
    answer = client.get("/settings/odds-format", headers={"HX-Request": "true", "HX-Current-URL": current})
    assert answer.status_code == 200 and 'name="next" value="/"' in answer.get_data(as_text=True)
