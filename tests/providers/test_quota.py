"""Quota headers of the three providers read into Usage; garbage never raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from app.providers.base import ProviderError
from app.providers.http import HTTPSettings, ProviderHTTP
from app.providers.quota import api_football_usage, football_data_usage, odds_api_usage, retry_after
from app.providers.records import Usage
from tests.providers.conftest import ProviderServer, Reply

NOW = datetime(2026, 11, 21, 15, 40, 12, tzinfo=UTC)

# Header sets as the providers send them (names in their own casing, unrelated headers around them).
ODDS_API = {
    "Content-Type": "application/json; charset=utf-8",
    "x-requests-remaining": "17574",
    "x-requests-used": "2426",
    "x-requests-last": "3",
}
API_FOOTBALL_DIRECT = {
    "Content-Type": "application/json",
    "x-ratelimit-requests-limit": "100",
    "x-ratelimit-requests-remaining": "93",
    "X-RateLimit-Limit": "10",
    "X-RateLimit-Remaining": "9",
}
API_FOOTBALL_RAPIDAPI = {
    "X-RateLimit-Requests-Limit": "7500",
    "X-RateLimit-Requests-Remaining": "7421",
    "X-RateLimit-Requests-Reset": "30407",
    "X-RapidAPI-Version": "1.2.8",
}
FOOTBALL_DATA = {
    "X-API-Version": "v4",
    "X-Authenticated-Client": "BetScore",
    "X-Requests-Available-Minute": "9",
    "X-RequestCounter-Reset": "42",
}

GARBAGE = ["", " ", "abc", "-1", "1.5", "nan", "inf", "1e999", "12abc", "0x10", "\u0661\u0662\ufffd", "None"]


def test_odds_api_monthly_credits() -> None:
    assert odds_api_usage(ODDS_API, now=NOW) == Usage(
        provider="the-odds-api", observed_at=NOW, remaining=17574, used=2426, limit=20000, last_cost=3
    )


def test_odds_api_header_names_are_case_insensitive() -> None:
    shouted = {name.upper(): value for name, value in ODDS_API.items()}
    usage = odds_api_usage(shouted, provider="odds", now=NOW)
    assert usage is not None and (usage.provider, usage.remaining, usage.used) == ("odds", 17574, 2426)
    from_requests = odds_api_usage(CaseInsensitiveDict(ODDS_API), now=NOW)
    assert from_requests is not None and from_requests.last_cost == 3


def test_api_football_direct_daily_quota_resets_at_utc_midnight() -> None:
    usage = api_football_usage(API_FOOTBALL_DIRECT, now=NOW)
    assert usage == Usage(
        provider="api-football",
        observed_at=NOW,
        remaining=93,
        used=7,
        limit=100,
        resets_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def test_api_football_through_rapidapi() -> None:
    usage = api_football_usage(API_FOOTBALL_RAPIDAPI, "api-football-rapidapi", NOW)
    assert usage is not None
    assert (usage.provider, usage.limit, usage.remaining, usage.used) == ("api-football-rapidapi", 7500, 7421, 79)


def test_api_football_midnight_is_utc_whatever_the_clock_zone() -> None:
    # 23:30 in UTC-5 is already 04:30 UTC the next day: the quota resets at the following UTC midnight.
    late = datetime(2026, 11, 21, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    usage = api_football_usage(API_FOOTBALL_DIRECT, now=late)
    assert usage is not None and usage.resets_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_football_data_per_minute_counter() -> None:
    assert football_data_usage(FOOTBALL_DATA, now=NOW) == Usage(
        provider="football-data", observed_at=NOW, remaining=9, resets_at=NOW + timedelta(seconds=42)
    )


@pytest.mark.parametrize("parser", [odds_api_usage, api_football_usage, football_data_usage])
def test_absent_headers_give_none(parser: Callable[..., Usage | None]) -> None:
    assert parser({}, now=NOW) is None
    assert parser({"Content-Type": "application/json", "X-RateLimit-Limit": "10"}, now=NOW) is None


def test_each_parser_ignores_the_other_providers_headers() -> None:
    assert odds_api_usage(FOOTBALL_DATA, now=NOW) is None
    assert api_football_usage(ODDS_API, now=NOW) is None
    assert football_data_usage(API_FOOTBALL_DIRECT, now=NOW) is None


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_values_give_none_fields(value: str) -> None:
    odds = odds_api_usage({"x-requests-remaining": value, "x-requests-used": value, "x-requests-last": value}, now=NOW)
    assert odds == Usage(provider="the-odds-api", observed_at=NOW)
    football = api_football_usage(
        {"x-ratelimit-requests-limit": value, "x-ratelimit-requests-remaining": value}, now=NOW
    )
    assert football is not None and (football.limit, football.remaining, football.used) == (None, None, None)
    data = football_data_usage({"X-Requests-Available-Minute": value, "X-RequestCounter-Reset": value}, now=NOW)
    assert data == Usage(provider="football-data", observed_at=NOW)


def test_one_bad_value_spoils_only_its_own_field() -> None:
    usage = odds_api_usage({**ODDS_API, "x-requests-used": "lots"}, now=NOW)
    assert usage is not None
    assert (usage.remaining, usage.used, usage.limit, usage.last_cost) == (17574, None, None, 3)
    football = api_football_usage(
        {"x-ratelimit-requests-limit": "100", "x-ratelimit-requests-remaining": "150"}, now=NOW
    )
    assert football is not None and football.used is None  # remaining above the limit: no negative "used"


def test_whitespace_and_integral_floats_are_read() -> None:
    usage = odds_api_usage({"x-requests-remaining": " 12 ", "x-requests-used": "8.0"}, now=NOW)
    assert usage is not None and (usage.remaining, usage.used, usage.limit) == (12, 8, 20)


def test_observed_at_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    usage = football_data_usage(FOOTBALL_DATA)
    assert usage is not None and before <= usage.observed_at <= datetime.now(UTC)
    assert usage.observed_at.tzinfo is not None


@given(
    st.dictionaries(
        st.sampled_from([*ODDS_API, *API_FOOTBALL_DIRECT, *FOOTBALL_DATA, "Retry-After"]), st.text(max_size=30)
    )
)
def test_no_header_value_makes_a_parser_raise(headers: dict[str, str]) -> None:
    for parser in (odds_api_usage, api_football_usage, football_data_usage):
        parser(headers, now=NOW)
    retry_after(headers, NOW)


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert retry_after({"Retry-After": "7"}, NOW) == 7.0
    assert retry_after({"retry-after": format_datetime(NOW + timedelta(seconds=90), usegmt=True)}, NOW) == 90.0
    assert retry_after({"Retry-After": format_datetime(NOW - timedelta(hours=1), usegmt=True)}, NOW) == 0.0


@pytest.mark.parametrize("value", ["", "soon", "-5", "Sun, 99 Foo 2026 25:61:00 GMT"])
def test_retry_after_garbage_or_absent_is_none(value: str) -> None:
    assert retry_after({"Retry-After": value}, NOW) is None
    assert retry_after({}, NOW) is None


# Through ProviderHTTP, against the loopback server: quota is read from every response.
QUOTA = {"x-requests-remaining": "480", "x-requests-used": "20", "x-requests-last": "2"}


def make(url: str, **kwargs: Any) -> ProviderHTTP:
    return ProviderHTTP("the-odds-api", url, settings=HTTPSettings(retries=0), **kwargs)


def test_usage_read_from_every_response_and_handed_on(server: ProviderServer) -> None:
    seen: list[Usage] = []
    server.route("/odds", Reply(body=b"[]", headers=QUOTA))
    http = make(server.url, usage_parser=odds_api_usage, on_usage=seen.append)
    response = http.get_json("odds", "/odds")
    assert response.usage is not None and (response.usage.remaining, response.usage.used) == (480, 20)
    assert http.last_usage == response.usage and seen == [response.usage]


def test_usage_read_from_error_responses_too(server: ProviderServer) -> None:
    seen: list[Usage] = []
    server.route("/odds", Reply(status=429, headers={**QUOTA, "x-requests-remaining": "0", "Retry-After": "3600"}))
    http = make(server.url, usage_parser=odds_api_usage, on_usage=seen.append)
    with pytest.raises(ProviderError, match="rate limited"):
        http.get_json("odds", "/odds")
    assert http.last_usage is not None and http.last_usage.remaining == 0 and len(seen) == 1


def test_a_failing_usage_callback_does_not_fail_the_call(server: ProviderServer) -> None:
    def broken(usage: Usage) -> None:
        raise RuntimeError("database down")

    server.route("/odds", Reply(body=b"[]", headers=QUOTA))
    assert make(server.url, usage_parser=odds_api_usage, on_usage=broken).get_json("odds", "/odds").data == []


def test_no_usage_without_a_parser(server: ProviderServer) -> None:
    server.route("/odds", Reply(body=b"[]", headers=QUOTA))
    http = make(server.url)
    assert http.get_json("odds", "/odds").usage is None and http.last_usage is None
