"""Hostile input to the bet form and the CSV import: unicode, NUL, huge and negative numbers, 10 KB strings, dates at
the calendar's limits. Never a 5xx, never a half-written import, and each bad field named with its own message."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.bets import csvio, forms
from tests.bets.conftest import ONE_HOME
from tests.bets.test_csv import upload

HOSTILE_VALUES = [
    "\x00", "2\x00", "x" * 10_000, "１２", "٣", "2.5.5", "1e309", "inf", "NaN", "-1", "0", "-0.00",
    "99999999999999999999", "1000000.01", "1.0001", "\u202e2.5", "🙂", " ", "=1+1", "<script>",
    "0001-01-01T00:00:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.999999",
    "2026-02-30T10:00", "2026-11-21T25:00", "2026-W47-6",
]  # fmt: skip
FIELDS = ("match_id", "market", "line", "selection", "bookmaker", "price", "stake", "placed_at")
hostile = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30), st.text(min_size=201, max_size=400))
LENIENT = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "\x00"), ("price", "1e309"), ("price", "99999999999999999999"), ("price", "NaN"), ("price", "１２"),
        ("stake", "-1"), ("stake", "0"), ("stake", "1000000.01"), ("stake", "0.001"), ("stake", "x" * 10_000),
        ("line", "2.3"), ("line", "inf"), ("bookmaker", "Book\x00ie"), ("bookmaker", "\u202eevil"),
        ("bookmaker", "x" * 81), ("bookmaker", "=HYPERLINK()"), ("match_id", "-1"), ("match_id", "٣"),
        ("match_id", "99999999999"), ("placed_at", "0001-01-01T00:00:00"), ("placed_at", "9999-12-31T23:59:59-01:00"),
        ("placed_at", "9999-12-31T23:59:59.999999"), ("placed_at", "2026-02-30T10:00"), ("selection", "\x00"),
        ("market", "x" * 10_000),
    ],
)  # fmt: skip
def test_each_hostile_value_is_refused_on_its_own_field(app, priced_match, clock, field, value):
    fields = {"match_id": str(priced_match.id), **ONE_HOME, "line": "", field: value}
    if field == "line":
        fields |= {"market": "ou", "selection": "over"}
    draft, errors = forms.validate(fields, clock())
    assert draft is None and field in errors
    assert set(errors) == {field}  # the good fields are not blamed


@LENIENT
@given(values=st.fixed_dictionaries({}, optional={name: hostile for name in FIELDS}))
def test_the_form_never_fails_and_names_every_bad_field(client, bets, bettor, priced_match, clock, values):
    fields = {**ONE_HOME, "line": "", "match_id": str(priced_match.id), **values}
    _, expected = forms.validate(fields, clock())
    answer = client.post("/bets", data={**fields, "csrf_token": bets.token()})
    assert answer.status_code in (303, 400), answer.status_code
    if answer.status_code == 303:
        assert not expected
        return
    html = answer.get_data(as_text=True)
    if "bet-" not in html:  # no match to show the form for: the error page says why
        assert "match_id" in expected and answer.status_code == 400
        return
    for name, message in expected.items():
        assert f'id="bet-{name}-error"' in html and message in page_text(html), (name, message)


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csvio.IMPORTED)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@LENIENT
@given(rows=st.lists(st.fixed_dictionaries({}, optional={name: hostile for name in FIELDS}), min_size=1, max_size=4))
def test_the_import_never_fails_and_imports_all_or_nothing(client, bets, bettor, priced_match, clock, rows):
    good = {**ONE_HOME, "line": "", "match_id": str(priced_match.id), "placed_at": "2026-11-21T10:00:00+00:00"}
    text = csv_text([{**good, **row, "stake": row.get("stake", str(n + 1))} for n, row in enumerate(rows)])
    before = len(bets.mine(bettor.id))
    found = csvio.read(bettor.id, text.encode(), clock())
    answer = upload(client, bets, text)
    assert answer.status_code in (303, 400)
    if answer.status_code == 303:
        assert found.ok and len(bets.mine(bettor.id)) == before + len(rows)
        return
    assert len(bets.mine(bettor.id)) == before
    listed = page_text(answer.get_data(as_text=True))
    for line, errors in found.row_errors:
        assert f"Line {line}:" in listed
        for message in errors.values():
            assert message in listed


@pytest.mark.parametrize("content", [b"\x00" * 50, b"placed_at\x00,match_id\n1,2", "é".encode("latin-1")])
def test_binary_and_broken_files_are_a_clear_refusal(client, bets, bettor, content):
    answer = upload(client, bets, content)
    assert answer.status_code == 400 and "Nothing was imported" in answer.get_data(as_text=True)
