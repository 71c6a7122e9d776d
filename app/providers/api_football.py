"""API-Football (v3) client, direct (api-sports.io) or through RapidAPI: records only, no Flask, no database.

Each call costs 1 of a small daily quota (100 on the free plan), so every method makes as few
requests as it can. API-Football reports errors with HTTP 200 and an `errors` member; those, and
payloads of the wrong shape, become ProviderError naming the call (never showing the key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from app.providers import api_football_parse as parse
from app.providers.api_football_parse import LEAGUES, ShapeError
from app.providers.base import ProviderBase, ProviderError, Quota
from app.providers.http import ProviderHTTP, UsageParser
from app.providers.quota import api_football_usage
from app.providers.records import (
    CompetitionRecord,
    FixtureRecord,
    LineupRecord,
    MatchEventRecord,
    MatchStatsRecord,
    OddsBatch,
    StandingRecord,
    TeamSeasonStatsRecord,
    Usage,
)

DIRECT_BASE = "https://v3.football.api-sports.io"
RAPIDAPI_HOST = "api-football-v1.p.rapidapi.com"
RAPIDAPI_BASE = f"https://{RAPIDAPI_HOST}/v3"
MAX_ODDS_PAGES = 4  # /odds pages hold 10 fixtures: 4 pages cover a league's next few rounds
LIVE_FILTER = "-".join(str(league) for league in LEAGUES.values())  # "39-140-135-78-61"

T = TypeVar("T")


def season_of(day: date) -> int:
    """The year the European season containing the day started: Aug-Dec of Y -> Y, Jan-Jul -> Y-1."""
    return day.year if day.month >= 8 else day.year - 1


def _utc_now() -> datetime:
    """Default clock."""
    return datetime.now(UTC)


CALLS_PER_ODDS_REFRESH = 2  # /odds is paged: a league usually takes two calls


class APIFootball(ProviderBase):
    """api-football.com v3 as a BetScore provider (not authoritative: it matches teams, never creates them)."""

    name = "api-football"
    authoritative = False
    quota: Quota = "daily"  # 100 calls a day on the free plan
    http: ProviderHTTP
    capabilities = frozenset(
        {
            "competitions",
            "fixtures",
            "live",
            "odds",
            "standings",
            "lineups",
            "events",
            "stats",
            "head_to_head",
            "team_stats",
        }
    )

    def __init__(
        self,
        api_key: str,
        *,
        via_rapidapi: bool = False,
        base_url: str | None = None,
        http: ProviderHTTP | None = None,
        clock: Callable[[], datetime] | None = None,
        usage_parser: UsageParser | None = None,
    ) -> None:
        """Direct with an api-sports.io key, or through RapidAPI; `http` replaces the default transport."""
        if not api_key:
            raise ProviderError(self.name, "init", "no API key configured")
        self._key = api_key
        self.clock = clock or _utc_now
        if via_rapidapi:
            headers = {"x-rapidapi-key": api_key, "x-rapidapi-host": RAPIDAPI_HOST}
        else:
            headers = {"x-apisports-key": api_key}
        self.http = http or ProviderHTTP(
            self.name,
            base_url or (RAPIDAPI_BASE if via_rapidapi else DIRECT_BASE),
            headers=headers,
            secrets=(api_key,),
            usage_parser=usage_parser or self._usage,
        )

    def _usage(self, headers: Mapping[str, str]) -> Usage | None:
        """The daily quota from the response headers, observed at this client's clock."""
        return api_football_usage(headers, self.name, self.clock())

    # --- competitions and fixtures ------------------------------------------------------

    def competitions(self) -> list[CompetitionRecord]:
        """The five leagues' current seasons, from ONE call (/leagues takes a single id, not a list)."""
        items = self._list("competitions", "/leagues", {"current": "true", "type": "league"})
        return self._parse("competitions", parse.competitions, items)

    def fixtures(
        self, competition: str, date_from: date, date_to: date, *, season: int | None = None
    ) -> list[FixtureRecord]:
        """Matches kicking off within [date_from, date_to]; one call per season the range touches."""
        league = self._league(competition, "fixtures")
        if date_to < date_from:
            raise ProviderError(self.name, "fixtures", f"date_to {date_to} is before date_from {date_from}")
        # /fixtures needs a season with a league: the dates say which, not the clock (a range can
        # straddle the summer break).
        years = [season] if season is not None else list(range(season_of(date_from), season_of(date_to) + 1))
        out: list[FixtureRecord] = []
        for year in years:
            params = {"league": league, "season": year, "from": date_from.isoformat(), "to": date_to.isoformat()}
            out += self._fixtures("fixtures", "/fixtures", params, year)
        return out

    def fixtures_on(self, day: date, *, all_leagues: bool = False) -> list[FixtureRecord]:
        """The five leagues' matches on a UTC date in one call (every league's with all_leagues)."""
        records = self._fixtures("fixtures_on", "/fixtures", {"date": day.isoformat()})
        return records if all_leagues else [r for r in records if r.competition_key in LEAGUES]

    def live(self, *, all_leagues: bool = False) -> list[FixtureRecord]:
        """Matches in play in the five leagues (every league's with all_leagues)."""
        records = self._fixtures("live", "/fixtures", {"live": "all" if all_leagues else LIVE_FILTER})
        # The filter is asked of the server and applied again here, in case it is ignored.
        return records if all_leagues else [r for r in records if r.competition_key in LEAGUES]

    def head_to_head(self, team_a_id: int | str, team_b_id: int | str, last: int = 10) -> list[FixtureRecord]:
        """The latest meetings of two teams in any competition (others keep a provider-scoped key)."""
        if last < 1:
            raise ProviderError(self.name, "head_to_head", f"last must be at least 1, got {last}")
        params = {"h2h": f"{team_a_id}-{team_b_id}", "last": last}
        return self._fixtures("head_to_head", "/fixtures/headtohead", params)

    # --- match detail -------------------------------------------------------------------

    def lineups(self, fixture_id: int | str) -> list[LineupRecord]:
        """Both teams' line-ups: starters with pitch grid, substitutes, coach."""
        items = self._list("lineups", "/fixtures/lineups", {"fixture": fixture_id})
        return self._parse("lineups", lambda: [parse.lineup(i, str(fixture_id)) for i in items])

    def events(self, fixture_id: int | str) -> list[MatchEventRecord]:
        """Goals, cards, substitutions and VAR decisions, in match order."""
        items = self._list("events", "/fixtures/events", {"fixture": fixture_id})
        return self._parse("events", lambda: [parse.event(i, str(fixture_id)) for i in items])

    def statistics(self, fixture_id: int | str) -> list[MatchStatsRecord]:
        """Both teams' match statistics, snake_case keys, numbers as floats (null stays None)."""
        items = self._list("statistics", "/fixtures/statistics", {"fixture": fixture_id})
        return self._parse("statistics", lambda: [parse.match_stats(i, str(fixture_id)) for i in items])

    # --- tables and season statistics ---------------------------------------------------

    def standings(self, competition: str, *, season: int | None = None) -> list[StandingRecord]:
        """The league table, groups flattened (each row keeps its group)."""
        league, year = self._league(competition, "standings"), self._season(season)
        items = self._list("standings", "/standings", {"league": league, "season": year})
        return self._parse("standings", parse.standings, items, competition, year)

    def team_statistics(
        self, competition: str, team_id: int | str, *, season: int | None = None
    ) -> TeamSeasonStatsRecord:
        """One team's season totals in the league."""
        league, year = self._league(competition, "team_stats"), self._season(season)
        data = self._get("team_stats", "/teams/statistics", {"league": league, "season": year, "team": team_id})
        response = data["response"]
        if isinstance(response, list) and not response:
            raise ProviderError(self.name, "team_stats", f"no statistics for team {team_id} in {competition} {year}")
        return self._parse("team_stats", parse.team_statistics, response, competition, year)

    # --- odds ---------------------------------------------------------------------------

    def odds_cost(self, markets: Sequence[str]) -> int:
        """/odds is paged and answers every market at once: a league usually takes two calls."""
        return CALLS_PER_ODDS_REFRESH

    def odds(self, competition: str, markets: Sequence[str] | None = None, *, season: int | None = None) -> OddsBatch:
        """Pre-match prices of the league's upcoming fixtures, following the pages up to a cap (every market comes
        in the same pages, so naming fewer saves nothing)."""
        league, year = self._league(competition, "odds"), self._season(season)
        batch = OddsBatch(observed_at=self.clock())
        page, total = 1, 1
        while True:
            params = {"league": league, "season": year, **({"page": page} if page > 1 else {})}
            try:
                data = self._get("odds", "/odds", params)
                items = self._parse("odds", parse.array, data["response"], "response")
            except ProviderError as exc:
                if page == 1:
                    raise
                # Later pages failing (the per-minute rate limit, say) should not throw away the earlier ones.
                batch.problems.append(f"odds: page {page} of {total} failed: {exc.reason}")
                return batch
            for item in items:
                batch.prices.extend(parse.odds_entry(item, batch.problems))
            total = self._total_pages(data, page)
            if page >= total or page >= MAX_ODDS_PAGES:
                break
            page += 1
        if total > page:
            batch.problems.append(f"odds: read {page} of {total} pages (cap {MAX_ODDS_PAGES})")
        return batch

    @staticmethod
    def _total_pages(data: dict[str, Any], page: int) -> int:
        """paging.total, trusting it only when it is a sane integer."""
        paging = parse.sub(data, "paging")
        total = parse.opt_int(paging.get("total"))
        return total if total is not None and total >= page else page

    # --- plumbing -----------------------------------------------------------------------

    def season_now(self) -> int:
        """The season under way by the clock."""
        now = self.clock()
        return season_of((now if now.tzinfo is None else now.astimezone(UTC)).date())

    def _season(self, season: int | None) -> int:
        """The given season, else the one under way by the clock."""
        return self.season_now() if season is None else season

    def _league(self, competition: str, call: str) -> int:
        """API-Football's league id for a canonical key, or ProviderError."""
        league = LEAGUES.get(competition)
        if league is None:
            raise ProviderError(self.name, call, f"unknown competition {competition!r}")
        return league

    def _error(self, call: str, reason: str) -> ProviderError:
        """A ProviderError whose text never carries the key, whatever the provider echoed."""
        return ProviderError(self.name, call, self.http.redact(reason).replace(self._key, "***"))

    def _get(self, call: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """The JSON envelope, checked: errors (HTTP 200 with `errors`) and a missing `response` raise."""
        data = self.http.get_json(call, path, params).data
        if not isinstance(data, dict):
            raise self._error(call, "response body is not a JSON object")
        # `errors` is an OBJECT ({"required": "..."}) or a LIST (empty when fine).
        message = parse.error_text(data.get("errors"))
        if message:
            raise self._error(call, f"API error: {message}")
        if "response" not in data:
            raise self._error(call, "body has no 'response'")
        return data

    def _list(self, call: str, path: str, params: dict[str, Any]) -> list[Any]:
        """The envelope's `response`, which must be a list."""
        return self._parse(call, parse.array, self._get(call, path, params)["response"], "response")

    def _fixtures(self, call: str, path: str, params: dict[str, Any], season: int | None = None) -> list[FixtureRecord]:
        """A /fixtures-shaped response as records (`season` fills a fixture that lacks one)."""
        items = self._list(call, path, params)
        return self._parse(call, lambda: [parse.fixture(item, season) for item in items])

    def _parse(self, call: str, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) with every shape problem turned into a ProviderError naming the call."""
        try:
            return fn(*args)
        except ShapeError as exc:
            raise self._error(call, str(exc)) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A shape the parser did not foresee: still a provider failure, not a crash.
            raise self._error(call, f"unreadable payload ({type(exc).__name__}: {exc})") from None
