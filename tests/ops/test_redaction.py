"""What the redaction masks, in the forms secrets take in log lines, and what it leaves alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ops.redaction import MASK, redact, remember, scrub


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /odds?apiKey=abc123def456&regions=uk HTTP/1.1",
            f"GET /odds?apiKey={MASK}&regions=uk HTTP/1.1",
        ),
        ("{'x-apisports-key': 'f00ba4f00ba4', 'Accept': 'json'}", f"{{'x-apisports-key': '{MASK}', 'Accept': 'json'}}"),
        ("X-Auth-Token: 0123456789abcdef", f"X-Auth-Token: {MASK}"),
        ("Authorization: Bearer eyJhbGciOi.J9.abc", f"Authorization: {MASK} {MASK}"),
        ("Cookie: session=abc123; theme=dark", f"Cookie: {MASK}; theme=dark"),
        (
            "ImmutableMultiDict([('email', 'a@b.co'), ('current', 'hunter22')])",
            f"ImmutableMultiDict([('email', '{MASK}'), ('current', '{MASK}')])",
        ),
        ("callback ?code=4/0AbCdEf&state=xyz", f"callback ?code={MASK}&state=xyz"),
        ("sign-in failed for fan@example.com", f"sign-in failed for {MASK}"),
    ],
)
def test_secrets_in_urls_headers_and_reprs_are_masked_their_names_kept(line, expected):
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "cache key=betscore:c3:match:812 hit",
        "GET /matches/812?tab=odds 200 12.5 ms",
        "job 6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f odds refreshed for epl in 0.4 s",
        "status_code=200 rows=14",
    ],
)
def test_ordinary_lines_are_left_alone(line):
    assert redact(line) == line


def test_a_configured_secret_is_masked_wherever_it_appears_url_encoded_too():
    remember(["s3cr3t/key+with=odd&chars"])
    line = "call ?q=s3cr3t%2Fkey%2Bwith%3Dodd%26chars and s3cr3t/key+with=odd&chars"
    assert "s3cr3t" not in redact(line)


def test_scrub_masks_values_under_secret_names_at_any_depth_and_keeps_the_shape():
    event = {
        "request": {"data": {"password": "x", "team": "Arsenal"}, "headers": [["Authorization", "Basic Zm9vOmJhcg=="]]}
    }
    assert scrub(event) == {
        "request": {"data": {"password": MASK, "team": "Arsenal"}, "headers": [["Authorization", f"Basic {MASK}"]]}
    }


@given(local=st.from_regex(r"[a-z][a-z0-9.]{0,20}", fullmatch=True), text=st.text(max_size=80))
def test_an_address_anywhere_in_any_text_is_masked(local, text):
    address = f"{local}@example.com"
    assert address not in redact(f"{text} {address} {text}")
