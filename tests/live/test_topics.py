"""Topic names a page may send: every kind parsed, hostile input refused with a reason, user topics kept private."""

from __future__ import annotations

from datetime import date

import pytest

from app.live import topics
from app.live.topics import MAX_ID, MAX_LENGTH, Topic, TopicError, allowed, parse


@pytest.mark.parametrize(
    ("name", "kind", "value"),
    [
        ("match:1", "match", "1"),
        ("match:42", "match", "42"),
        (f"match:{MAX_ID}", "match", str(MAX_ID)),
        ("user:7", "user", "7"),
        ("league:epl", "league", "epl"),
        ("league:la_liga-2", "league", "la_liga-2"),
        ("league:" + "a" * 32, "league", "a" * 32),
        ("matches:2026-11-25", "matches", "2026-11-25"),
        ("matches:2028-02-29", "matches", "2028-02-29"),  # a leap day
    ],
)
def test_every_kind_parses_and_names_itself_back(name, kind, value):
    topic = parse(name)
    assert topic == Topic(kind, value)
    assert str(topic) == name


def test_the_builders_make_names_that_parse():
    for name in (topics.match(42), topics.league("epl"), topics.matches(date(2026, 11, 25)), topics.user(7)):
        assert str(parse(name)) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "match",
        "match:",
        ":42",
        "42",
        "matchx:42",
        "Match:42",
        "teams:42",
        "match 42",
        "match:42:1",
        "match:" + "1" * (MAX_LENGTH - 5),  # over the length cap
        "league:" + "a" * (MAX_LENGTH - 6),
    ],
)
def test_malformed_names_and_unknown_kinds_are_refused(name):
    with pytest.raises(TopicError):
        parse(name)


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "-1",
        "-0",
        "00",
        "01",
        "+5",
        " 5",
        "5 ",
        "1.0",
        "1e3",
        "0x1f",
        "1_000",
        "٣",  # an Arabic-Indic three
        str(MAX_ID + 1),
        "9" * 10,
        "9" * 11,
        "99999999999999999999",
    ],
)
@pytest.mark.parametrize("kind", ["match", "user"])
def test_ids_are_positive_whole_numbers_within_range(kind, value):
    with pytest.raises(TopicError, match="positive whole number"):
        parse(f"{kind}:{value}")


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30",
        "2026-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-11-31",
        "0000-01-01",
        "2026-1-5",
        "2026-11-5",
        "20261125",
        "2026/11/25",
        "25-11-2026",
        "2026-11-25T00",
        " 2026-11-25",
        "2026-11-2 ",
        "2026‐11‐25",  # with Unicode hyphens
        "2026-W48-3",  # an ISO week date: the same day as 2026-11-25, under a name nobody publishes to
        "",
    ],
)
def test_matches_take_a_real_calendar_date_written_yyyy_mm_dd(value):
    with pytest.raises(TopicError, match="date such as"):
        parse(f"matches:{value}")


@pytest.mark.parametrize("value", ["", "EPL", "epl!", "ep l", "é", "a" * 33, "epl\n", "../epl"])
def test_league_keys_are_short_lowercase_slugs(value):
    with pytest.raises(TopicError, match="league key"):
        parse(f"league:{value}")


@pytest.mark.parametrize("name", [None, 42, 4.2, True, ["match:1"], ("match:1",), {"match": 1}, b"match:1"])
def test_non_strings_are_refused_not_crashed_on(name):
    with pytest.raises(TopicError) as refused:
        parse(name)
    assert isinstance(refused.value.topic, str)


def test_the_refused_name_is_echoed_back_cut_to_the_length_cap():
    with pytest.raises(TopicError) as refused:
        parse("match:" + "9" * 1000)
    assert refused.value.topic == ("match:" + "9" * 1000)[:MAX_LENGTH]
    assert not refused.value.forbidden


def test_a_user_topic_is_for_that_user_signed_in_only():
    assert allowed("user:7", 7) == Topic("user", "7")
    for user_id in (None, 8, 70):
        with pytest.raises(TopicError) as refused:
            allowed("user:7", user_id)
        assert refused.value.forbidden
    with pytest.raises(TopicError) as malformed:  # malformed before forbidden
        allowed("user:07", 7)
    assert not malformed.value.forbidden


def test_public_topics_are_allowed_signed_in_or_not():
    for name in ("match:1", "league:epl", "matches:2026-11-25"):
        assert str(allowed(name, None)) == name
        assert str(allowed(name, 7)) == name
