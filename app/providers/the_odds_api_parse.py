"""Parsing The Odds API (v4) payloads into BetScore's typed records; no HTTP here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.providers.records import (
    OUTCOMES,
    BookmakerRef,
    FixtureRecord,
    MarketKind,
    MatchStatus,
    PriceRecord,
    TeamRef,
)

# The API's market keys BetScore knows; any other key is kept as data under its own name.
MARKETS: dict[str, MarketKind] = {
    "h2h": MarketKind.MATCH_RESULT,
    "totals": MarketKind.TOTALS,
    "spreads": MarketKind.ASIAN_HANDICAP,
}
FIXED_NAMES = {"draw": "draw", "over": "over", "under": "under"}


class ShapeError(ValueError):
    """The payload is not what the endpoint returns; the client re-raises it as a ProviderError."""


@dataclass(frozen=True, slots=True)
class Sport:
    """One entry of GET /sports."""

    key: str
    group: str
    title: str
    active: bool
    has_outrights: bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """An event's header (id, teams as spelled by the API, kickoff) plus its raw object."""

    id: str
    home: str
    away: str
    kickoff: datetime
    raw: Mapping[str, Any]


def number(value: object) -> float | None:
    """A finite float from an int, float or numeric string; None when unreadable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None  # True would otherwise read as 1.0
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def instant(value: object) -> datetime | None:
    """An aware UTC datetime from ISO text ('...Z') or unix seconds; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # A naive stamp from this API is UTC: it documents every instant in UTC.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def error_message(data: object) -> str | None:
    """The API's error text when `data` is an error body ({message, error_code}), else None."""
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        code = data.get("error_code")
        return f"{data['message']} ({code})" if isinstance(code, str) else data["message"]
    return None


def objects(data: object, what: str) -> list[Mapping[str, Any]]:
    """The list of objects an endpoint returns, or ShapeError saying what came instead."""
    message = error_message(data)
    if message is not None:
        raise ShapeError(f"API error: {message}")
    if not isinstance(data, list):
        raise ShapeError(f"expected a list of {what}, got {type(data).__name__}")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ShapeError(f"{what} {index} is not an object but {type(item).__name__}")
    return data


def one_object(data: object, what: str) -> Mapping[str, Any]:
    """The single object an endpoint returns, or ShapeError."""
    message = error_message(data)
    if message is not None and isinstance(data, dict) and "id" not in data:
        raise ShapeError(f"API error: {message}")
    if not isinstance(data, dict):
        raise ShapeError(f"expected one {what} object, got {type(data).__name__}")
    return data


def sport(index: int, raw: Mapping[str, Any]) -> Sport:
    """One sport entry; only `key` is required."""
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise ShapeError(f"sport {index} has no key")
    return Sport(
        key=key,
        group=str(raw.get("group") or ""),
        title=str(raw.get("title") or key),
        active=raw.get("active") is True,
        has_outrights=raw.get("has_outrights") is True,
        description=str(raw.get("description") or ""),
    )


def event(index: int, raw: Mapping[str, Any]) -> Event:
    """An event's header; a missing id, team or kickoff is a ShapeError naming the event."""
    label = f"event {index}"
    event_id = raw.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise ShapeError(f"{label} has no id")
    for field in ("home_team", "away_team"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise ShapeError(f"{label} ({event_id}) has no {field}")
    kickoff = instant(raw.get("commence_time"))
    if kickoff is None:
        raise ShapeError(f"{label} ({event_id}) has no readable commence_time")
    return Event(event_id, raw["home_team"], raw["away_team"], kickoff, raw)


def season_of(kickoff: datetime) -> str:
    """European season label ("2024-25"): the API has no season, and these leagues start in Jul/Aug."""
    start = kickoff.year if kickoff.month >= 7 else kickoff.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fixture(ev: Event, competition: str, status: MatchStatus, scores: tuple[int, int] | None = None) -> FixtureRecord:
    """The FixtureRecord of an event; team ids are the names, as this API has no team ids."""
    home_score, away_score = scores if scores is not None else (None, None)
    return FixtureRecord(
        external_id=ev.id,
        competition_key=competition,
        season=season_of(ev.kickoff),
        home=TeamRef(ev.home, ev.home),
        away=TeamRef(ev.away, ev.away),
        kickoff_at=ev.kickoff,
        status=status,
        home_score=home_score,
        away_score=away_score,
    )


def upcoming_status(ev: Event, now: datetime) -> MatchStatus:
    """/events lists only upcoming and in-play events: a kickoff in the past means in play."""
    return MatchStatus.LIVE if ev.kickoff <= now else MatchStatus.SCHEDULED


def score_pair(ev: Event) -> tuple[int, int] | None:
    """(home, away) from `scores`, matched by team name (the list is not home-first); None if absent."""
    entries = ev.raw.get("scores")
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise ShapeError(f"event {ev.id} scores is not a list")
    found: dict[str, int] = {}
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        side = side_of(name, ev) if isinstance(name, str) else None
        value = number(entry.get("score")) if isinstance(entry, dict) else None
        if side not in ("home", "away") or value is None or not value.is_integer() or value < 0:
            raise ShapeError(f"event {ev.id} has an unreadable score entry {entry!r}")
        found[side] = int(value)
    if set(found) != {"home", "away"}:
        raise ShapeError(f"event {ev.id} scores do not name both teams")
    return found["home"], found["away"]


def score_status(ev: Event) -> MatchStatus:
    """completed → FINISHED; scores present but not completed → LIVE (minute unknown); else SCHEDULED."""
    if ev.raw.get("completed") is True:
        return MatchStatus.FINISHED
    return MatchStatus.LIVE if ev.raw.get("scores") else MatchStatus.SCHEDULED


def side_of(name: str, ev: Event) -> str | None:
    """home/away/draw/over/under for an outcome name, matched by name (never by position)."""
    folded = name.strip().casefold()
    if folded == ev.home.strip().casefold():
        return "home"
    if folded == ev.away.strip().casefold():
        return "away"
    return FIXED_NAMES.get(folded)


def event_prices(ev: Event, prices: list[PriceRecord], problems: list[str]) -> None:
    """Every readable price of one event into `prices`; each unreadable part as a named problem."""
    books = ev.raw.get("bookmakers")
    if books is None:
        return  # /events and some snapshots carry no bookmakers key at all
    if not isinstance(books, list):
        problems.append(f"event {ev.id}: bookmakers is not a list")
        return
    for index, book in enumerate(books):
        if not isinstance(book, dict) or not isinstance(book.get("key"), str) or not book["key"]:
            problems.append(f"event {ev.id}: bookmaker {index} is not an object with a key")
            continue
        ref = BookmakerRef(book["key"], str(book.get("title") or book["key"]))
        markets = book.get("markets")
        if not isinstance(markets, list):
            problems.append(f"event {ev.id} bookmaker {ref.key}: markets is not a list")
            continue
        for market in markets:
            market_prices(ev, ref, market, instant(book.get("last_update")), prices, problems)


def market_prices(
    ev: Event,
    book: BookmakerRef,
    market: object,
    fallback: datetime | None,
    prices: list[PriceRecord],
    problems: list[str],
) -> None:
    """One bookmaker's market: a PriceRecord per readable outcome, a problem per unreadable one."""
    where = f"event {ev.id} bookmaker {book.key}"
    if not isinstance(market, dict) or not isinstance(market.get("key"), str):
        problems.append(f"{where}: a market is not an object with a key")
        return
    where += f" market {market['key']}"
    outcomes = market.get("outcomes")
    if not isinstance(outcomes, list):
        problems.append(f"{where}: outcomes is not a list")
        return
    kind = MARKETS.get(market["key"])
    home_line = handicap_line(ev, outcomes) if kind is MarketKind.ASIAN_HANDICAP else None
    if kind is MarketKind.ASIAN_HANDICAP and home_line is None:
        problems.append(f"{where}: neither team's outcome has a handicap point")
        return
    # The market's own stamp is the freshest; the bookmaker's covers markets without one.
    updated = instant(market.get("last_update")) or fallback
    for outcome in outcomes:
        record = outcome_price(ev, book, market["key"], kind, outcome, home_line, updated)
        if isinstance(record, str):
            problems.append(f"{where}: {record}")
        else:
            prices.append(record)


def outcome_price(
    ev: Event,
    book: BookmakerRef,
    key: str,
    kind: MarketKind | None,
    outcome: object,
    home_line: float | None,
    updated: datetime | None,
) -> PriceRecord | str:
    """One outcome's PriceRecord, or the reason it was skipped."""
    if not isinstance(outcome, dict) or not isinstance(outcome.get("name"), str):
        return "an outcome is not an object with a name: skipped"
    name = outcome["name"]
    side = side_of(name, ev)
    if kind is not None and side not in OUTCOMES[kind]:
        return f"outcome {name!r} is neither team nor one of {'/'.join(OUTCOMES[kind])}: skipped"
    if outcome.get("price") is None:
        return f"outcome {name!r} has no price: skipped"
    price = number(outcome["price"])
    if price is None:
        return f"outcome {name!r} price {outcome['price']!r} is not a number: skipped"
    # Below-1.01 prices pass through on purpose: the app's ingest rejects them with its own reason.
    line = home_line if kind is MarketKind.ASIAN_HANDICAP else number(outcome.get("point"))
    if kind is MarketKind.TOTALS and line is None:
        return f"outcome {name!r} has no total point: skipped"
    market = kind.value if kind is not None else key
    return PriceRecord(ev.id, book, market, side or name, price, line, updated)


def handicap_line(ev: Event, outcomes: list[Any]) -> float | None:
    """The home side's point, the line of both AH outcomes; the away point negated if home has none."""
    points: dict[str | None, float | None] = {}
    for outcome in outcomes:
        if isinstance(outcome, dict) and isinstance(outcome.get("name"), str):
            points[side_of(outcome["name"], ev)] = number(outcome.get("point"))
    home, away = points.get("home"), points.get("away")
    if home is not None:
        return home
    return None if away is None else 0.0 - away
