"""The Odds API (v4) client: bookmakers' prices and in-play scores as BetScore's typed records.

No Flask, no database. Parsing lives in `the_odds_api_parse`; this module builds requests and
turns every unreadable payload into a ProviderError that never shows the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, NoReturn
from urllib.parse import quote

from app.providers import the_odds_api_parse as parse
from app.providers.base import ProviderBase, ProviderError, Quota
from app.providers.http import ProviderHTTP, UsageParser
from app.providers.quota import odds_api_usage
from app.providers.records import (
    CompetitionRecord,
    FixtureRecord,
    MatchStatus,
    OddsBatch,
    PriceRecord,
    StandingRecord,
    Usage,
)
from app.providers.the_odds_api_parse import Sport

__all__ = ["SPORT_KEYS", "Sport", "TheOddsAPI", "credit_cost"]

DEFAULT_BASE_URL = "https://api.the-odds-api.com/v4"
DEFAULT_REGIONS = "uk,eu"
DEFAULT_MARKETS = ("h2h", "totals")
BOOKMAKERS_PER_REGION = 10  # the API bills every 10 named bookmakers as one region

# BetScore's canonical competition keys → the API's sport keys.
SPORT_KEYS: dict[str, str] = {
    "epl": "soccer_epl",
    "laliga": "soccer_spain_la_liga",
    "seriea": "soccer_italy_serie_a",
    "bundesliga": "soccer_germany_bundesliga",
    "ligue1": "soccer_france_ligue_one",
}


def _names(values: Sequence[str] | str) -> list[str]:
    """Distinct non-empty names from a sequence or a comma-separated string, order kept."""
    items = values.split(",") if isinstance(values, str) else values
    return list(dict.fromkeys(v.strip() for v in items if v.strip()))


def credit_cost(markets: Sequence[str], regions: str | None = None, bookmakers: Sequence[str] | None = None) -> int:
    """Credits one /odds call costs: markets x regions, every 10 named bookmakers counting as a region."""
    if bookmakers:
        region_count = math.ceil(len(_names(bookmakers)) / BOOKMAKERS_PER_REGION)
    else:
        region_count = len(_names(regions if regions is not None else DEFAULT_REGIONS))
    return len(_names(markets)) * region_count


def _utc_now() -> datetime:
    """Default clock."""
    return datetime.now(UTC)


class TheOddsAPI(ProviderBase):
    """Client for The Odds API v4; competitions are addressed by BetScore's canonical key."""

    name = "the-odds-api"
    authoritative = False  # its team names are matched to canonical teams, never create them
    quota: Quota = "monthly"  # credits a month (500 on the free plan); /events and /sports cost none
    http: ProviderHTTP
    # /events costs no credits: a source of fixtures of last resort.
    capabilities = frozenset({"odds", "live", "fixtures"})

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        regions: str = DEFAULT_REGIONS,
        bookmakers: Sequence[str] | None = None,
        http: ProviderHTTP | None = None,
        clock: Callable[[], datetime] | None = None,
        usage_parser: UsageParser | None = None,
    ) -> None:
        self._api_key = api_key
        self.regions = regions
        self.bookmakers = tuple(bookmakers or ())
        self.clock = clock or _utc_now
        self.http = http or ProviderHTTP(
            self.name,
            base_url,
            params={"apiKey": api_key},
            secrets=[api_key],
            usage_parser=usage_parser or self._usage,
        )
        if api_key and api_key not in self.http.secrets:
            # An injected ProviderHTTP must still redact this key from every error it raises.
            self.http.secrets = (*self.http.secrets, api_key)

    def __repr__(self) -> str:
        return f"TheOddsAPI(base_url={self.http.base_url!r}, regions={self.regions!r})"  # no key

    def _usage(self, headers: Mapping[str, str]) -> Usage | None:
        """Credits remaining/used/last cost from the x-requests-* headers, stamped by our clock."""
        return odds_api_usage(headers, self.name, self.clock())

    def odds_cost(self, markets: Sequence[str]) -> int:
        """Credits one /odds call for these markets costs in this client's regions."""
        return credit_cost(markets, self.regions)

    # --- the API's own endpoints -----------------------------------------------------------

    def sports(self) -> list[Sport]:
        """GET /sports (free): every in-season sport key."""
        data = self._get("sports", "sports", {})
        with self._shape("sports"):
            return [parse.sport(i, raw) for i, raw in enumerate(parse.objects(data, "sports"))]

    def upcoming(self, competition: str) -> list[FixtureRecord]:
        """GET /sports/{sport}/events (free): upcoming and in-play events, without prices."""
        return self._events("events", competition, {})

    def odds(
        self,
        competition: str,
        markets: Sequence[str] | None = None,
        regions: str | None = None,
        bookmakers: Sequence[str] | None = None,
    ) -> OddsBatch:
        """GET /sports/{sport}/odds: upcoming and live events with their prices (DEFAULT_MARKETS unless named);
        costs credit_cost(...)."""
        call = "odds"
        path = f"sports/{self._sport(call, competition)}/odds"
        data = self._get(call, path, self._odds_params(call, markets or DEFAULT_MARKETS, regions, bookmakers))
        observed = self.clock()
        with self._shape(call):
            events = [parse.event(i, raw) for i, raw in enumerate(parse.objects(data, "events"))]
            return self._batch(competition, observed, events)

    def event_odds(
        self,
        competition: str,
        event_id: str,
        markets: Sequence[str] = DEFAULT_MARKETS,
        regions: str | None = None,
        bookmakers: Sequence[str] | None = None,
    ) -> OddsBatch:
        """GET /sports/{sport}/events/{id}/odds: one event's prices (the API returns one object)."""
        call = "event_odds"
        if not event_id:
            self._fail(call, "no event id")
        path = f"sports/{self._sport(call, competition)}/events/{quote(event_id, safe='')}/odds"
        data = self._get(call, path, self._odds_params(call, markets, regions, bookmakers))
        observed = self.clock()
        with self._shape(call):
            return self._batch(competition, observed, [parse.event(0, parse.one_object(data, "event"))])

    def scores(self, competition: str, days_from: int | None = None) -> list[FixtureRecord]:
        """GET /sports/{sport}/scores: live, upcoming and (days_from 1-3) finished events; 1 credit, 2 with days."""
        call = "scores"
        params: dict[str, Any] = {"dateFormat": "iso"}
        if days_from is not None:
            if isinstance(days_from, bool) or days_from not in (1, 2, 3):
                self._fail(call, f"days_from must be 1, 2 or 3, not {days_from!r}")
            params["daysFrom"] = days_from
        data = self._get(call, f"sports/{self._sport(call, competition)}/scores", params)
        with self._shape(call):
            fixtures = []
            for i, raw in enumerate(parse.objects(data, "events")):
                ev = parse.event(i, raw)
                fixtures.append(parse.fixture(ev, competition, parse.score_status(ev), parse.score_pair(ev)))
            return fixtures

    # --- the Provider protocol ------------------------------------------------------------------

    def fixtures(self, competition: str, date_from: date, date_to: date) -> list[FixtureRecord]:
        """Upcoming and in-play events kicking off within [date_from, date_to] (UTC dates); free."""
        window = {
            "commenceTimeFrom": f"{date_from.isoformat()}T00:00:00Z",
            "commenceTimeTo": f"{date_to.isoformat()}T23:59:59Z",
        }
        events = self._events("fixtures", competition, window)
        # Filtered here too: the window is the contract, whatever the API does with the bounds.
        return [f for f in events if date_from <= f.kickoff_at.date() <= date_to]

    def live(self) -> list[FixtureRecord]:
        """Every in-play match of the five leagues: one /scores call per league, 1 credit each."""
        return [
            fixture
            for competition in SPORT_KEYS
            for fixture in self.scores(competition)
            if fixture.status is MatchStatus.LIVE
        ]

    def competitions(self) -> list[CompetitionRecord]:
        """Not offered: the app's fallback asks the next provider."""
        self._fail("competitions", "not offered by this provider")

    def standings(self, competition: str) -> list[StandingRecord]:
        """Not offered: the app's fallback asks the next provider."""
        self._fail("standings", "not offered by this provider")

    # --- plumbing ----------------------------------------------------------------------------

    def _events(self, call: str, competition: str, extra: dict[str, str]) -> list[FixtureRecord]:
        """Fixtures from /events, LIVE once their kickoff has passed."""
        data = self._get(call, f"sports/{self._sport(call, competition)}/events", {"dateFormat": "iso", **extra})
        now = self.clock()
        with self._shape(call):
            events = [parse.event(i, raw) for i, raw in enumerate(parse.objects(data, "events"))]
            return [parse.fixture(ev, competition, parse.upcoming_status(ev, now)) for ev in events]

    def _batch(self, competition: str, observed: datetime, events: list[parse.Event]) -> OddsBatch:
        """One OddsBatch: every event's prices and problems, and the events as fixtures to resolve ids."""
        prices: list[PriceRecord] = []
        problems: list[str] = []
        for ev in events:
            parse.event_prices(ev, prices, problems)
        fixtures = [parse.fixture(ev, competition, parse.upcoming_status(ev, observed)) for ev in events]
        return OddsBatch(observed_at=observed, prices=prices, problems=problems, fixtures=fixtures)

    def _odds_params(
        self, call: str, markets: Sequence[str], regions: str | None, bookmakers: Sequence[str] | None
    ) -> dict[str, str]:
        """Query of /odds: named bookmakers are sent INSTEAD of regions, as the API requires."""
        market_names = _names(markets)
        if not market_names:
            self._fail(call, "no markets asked for")
        params = {"markets": ",".join(market_names), "oddsFormat": "decimal", "dateFormat": "iso"}
        books = _names(bookmakers if bookmakers is not None else self.bookmakers)
        if books:
            params["bookmakers"] = ",".join(books)
        else:
            params["regions"] = ",".join(_names(regions if regions is not None else self.regions))
        return params

    def _sport(self, call: str, competition: str) -> str:
        """The API's sport key for a canonical competition key."""
        try:
            return SPORT_KEYS[competition]
        except KeyError:
            self._fail(call, f"unknown competition {competition!r}")

    def _get(self, call: str, path: str, params: dict[str, Any]) -> Any:
        """The decoded JSON of one GET; the key rides along as the apiKey query parameter."""
        return self.http.get_json(call, path, {"apiKey": self._api_key, **params}).data

    def _fail(self, call: str, reason: str) -> NoReturn:
        """Raise a ProviderError for this client, the key redacted from the reason."""
        raise ProviderError(self.name, call, self.http.redact(reason))

    @contextmanager
    def _shape(self, call: str) -> Iterator[None]:
        """Turn an unreadable payload into a ProviderError naming the call and what was wrong."""
        try:
            yield
        except parse.ShapeError as exc:
            self._fail(call, str(exc))
        except (LookupError, TypeError, AttributeError, ValueError) as exc:
            # A shape the parser did not foresee: still a provider failure, never a crash.
            self._fail(call, f"unreadable payload ({type(exc).__name__})")
