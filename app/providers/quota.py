"""Quota and rate-limit headers read into `Usage`, one parser per provider; never raises on bad values.

Header names are matched case-insensitively. A parser returns None when none of its headers are
present, and a `Usage` with None fields when the headers are there but unreadable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from app.providers.records import Usage


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with lower-case names, so lookups ignore the provider's casing."""
    return {str(name).lower(): str(value) for name, value in headers.items()}


def _int(value: str | None) -> int | None:
    """A non-negative integer header value, or None when absent or garbage ("12.0" is accepted)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0 or number != int(number):
        return None
    return int(number)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _present(headers: dict[str, str], names: tuple[str, ...]) -> bool:
    return any(name in headers for name in names)


ODDS_API_HEADERS = ("x-requests-remaining", "x-requests-used", "x-requests-last")


def odds_api_usage(
    headers: Mapping[str, str], provider: str = "the-odds-api", now: datetime | None = None
) -> Usage | None:
    """The Odds API: monthly credits remaining and used, and what the last call cost."""
    h = _lower(headers)
    if not _present(h, ODDS_API_HEADERS):
        return None
    remaining, used = _int(h.get("x-requests-remaining")), _int(h.get("x-requests-used"))
    # The plan's quota is not sent; used + remaining is it. The reset day follows the billing
    # date, which the headers do not say, so resets_at stays unknown.
    limit = remaining + used if remaining is not None and used is not None else None
    return Usage(
        provider=provider,
        observed_at=_now(now),
        remaining=remaining,
        used=used,
        limit=limit,
        last_cost=_int(h.get("x-requests-last")),
    )


API_FOOTBALL_HEADERS = ("x-ratelimit-requests-limit", "x-ratelimit-requests-remaining")


def api_football_usage(
    headers: Mapping[str, str], provider: str = "api-football", now: datetime | None = None
) -> Usage | None:
    """API-Football, direct or through RapidAPI: the daily request quota, reset at 00:00 UTC."""
    h = _lower(headers)
    if not _present(h, API_FOOTBALL_HEADERS):
        return None
    observed = _now(now)
    limit, remaining = _int(h.get("x-ratelimit-requests-limit")), _int(h.get("x-ratelimit-requests-remaining"))
    used = limit - remaining if limit is not None and remaining is not None and limit >= remaining else None
    midnight = datetime.combine(observed.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    return Usage(
        provider=provider, observed_at=observed, remaining=remaining, used=used, limit=limit, resets_at=midnight
    )


FOOTBALL_DATA_HEADERS = ("x-requests-available-minute", "x-requestcounter-reset")


def football_data_usage(
    headers: Mapping[str, str], provider: str = "football-data", now: datetime | None = None
) -> Usage | None:
    """football-data.org: calls left this minute, and seconds until the per-minute counter resets."""
    h = _lower(headers)
    if not _present(h, FOOTBALL_DATA_HEADERS):
        return None
    observed = _now(now)
    reset_in = _int(h.get("x-requestcounter-reset"))
    return Usage(
        provider=provider,
        observed_at=observed,
        remaining=_int(h.get("x-requests-available-minute")),
        resets_at=observed + timedelta(seconds=reset_in) if reset_in is not None else None,
    )


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or garbage."""
    value = _lower(headers).get("retry-after")
    if value is None or not value.strip():
        return None
    seconds = _int(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is read as UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _now(now)).total_seconds())
