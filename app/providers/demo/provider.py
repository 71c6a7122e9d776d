"""The DemoProvider: serves the simulated demo world as competitions, fixtures, odds, tables and match detail."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from app.providers.base import ProviderBase, ProviderError, Quota
from app.providers.demo import detail
from app.providers.demo.books import _covering, _events, bucket_start, quote
from app.providers.demo.calendar import (
    HOUR,
    MatchSpec,
    _instant,
    matches_between,
    season,
    season_index_at,
)
from app.providers.demo.match import draw_match, state_at
from app.providers.demo.table import season_rows, table_order
from app.providers.demo.world import BOOKMAKERS, LEAGUES
from app.providers.records import (
    CompetitionRecord,
    FixtureRecord,
    LineupRecord,
    MatchEventRecord,
    MatchStatsRecord,
    MatchStatus,
    OddsBatch,
    PriceRecord,
    StandingRecord,
    TeamRef,
    TeamSeasonStatsRecord,
)

RESULTS_DAYS = 28  # the app ingests results this far back ...
FIXTURES_DAYS = 21  # ... and fixtures this far ahead
ODDS_HORIZON = FIXTURES_DAYS * 24 * HOUR
MAX_MATCH_SECONDS = 2 * HOUR  # longest timeline: 45+4 + 15 + 45+6 minutes
IN_PLAY = (MatchStatus.LIVE, MatchStatus.HALF_TIME)
PRICED = (MatchStatus.SCHEDULED, *IN_PLAY)


def window(today: date) -> tuple[date, date]:
    """The (date_from, date_to) the app ingests: recent results and upcoming fixtures."""
    return today - timedelta(days=RESULTS_DAYS), today + timedelta(days=FIXTURES_DAYS)


def _utc_now() -> datetime:
    """Default clock."""
    return datetime.now(UTC)


def _date_ts(day: date) -> int:
    """Unix seconds of a UTC date's midnight."""
    return math.floor(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# --- teams ----------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _team(league_key: str, index: int) -> TeamRef:
    """A club as the demo provider names it."""
    league = LEAGUES[league_key]
    club = league.clubs[index]
    return TeamRef(f"{league_key}-{club.code.lower()}", club.name, club.short, league.country)


# --- provider -------------------------------------------------------------------------


class DemoProvider(ProviderBase):
    """A simulated, living football world; see the package docstring."""

    name = "demo"
    authoritative = True
    quota: Quota = "free"  # costs nothing to ask: the schedule never rations it
    capabilities = frozenset(
        {
            "competitions",
            "fixtures",
            "live",
            "odds",
            "odds_history",
            "standings",
            "lineups",
            "events",
            "stats",
            "head_to_head",
            "team_stats",
        }
    )

    def __init__(self, seed: int = 7, clock: Callable[[], datetime] | None = None) -> None:
        self.seed = seed
        self._clock = clock if clock is not None else _utc_now

    window = staticmethod(window)

    def _now(self) -> tuple[datetime, int]:
        """The clock reading (naive readings taken as UTC) and its whole Unix seconds."""
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now, math.floor(now.timestamp())

    def _check(self, competition: str, call: str) -> str:
        """The competition key, or ProviderError if the demo world lacks it."""
        if competition not in LEAGUES:
            raise ProviderError("demo", call, f"unknown competition {competition!r}")
        return competition

    def _fixture(self, spec: MatchSpec, ts: int) -> FixtureRecord:
        """A match as it stands at the instant."""
        st = state_at(spec, draw_match(self.seed, spec), ts)
        return FixtureRecord(
            external_id=spec.fixture_id,
            competition_key=spec.league,
            season=season(self.seed, spec.league, spec.season).label,
            home=_team(spec.league, spec.home),
            away=_team(spec.league, spec.away),
            kickoff_at=_instant(spec.kickoff),
            status=st.status,
            minute=st.minute,
            added_time=st.added_time,
            home_score=st.home,
            away_score=st.away,
            ht_home_score=st.ht_home,
            ht_away_score=st.ht_away,
            round=f"Round {spec.round_no}",
        )

    def competitions(self) -> list[CompetitionRecord]:
        """The current demo season of every league."""
        _, ts = self._now()
        out = []
        for key, league in LEAGUES.items():
            s = season(self.seed, key, season_index_at(league, ts))
            out.append(CompetitionRecord(key, f"demo-{key}", league.name, league.country, s.label, s.start, s.end))
        return out

    def fixtures(self, competition: str, date_from: date, date_to: date) -> list[FixtureRecord]:
        """Matches kicking off within [date_from, date_to] (UTC dates), as of now."""
        key = self._check(competition, "fixtures")
        _, ts = self._now()
        lo, hi = _date_ts(date_from), _date_ts(date_to + timedelta(days=1))
        return [self._fixture(spec, ts) for spec in matches_between(self.seed, key, lo, hi)]

    def live(self) -> list[FixtureRecord]:
        """Every match in play or at half-time, all leagues."""
        _, ts = self._now()
        out = []
        for key in LEAGUES:
            for spec in matches_between(self.seed, key, ts - MAX_MATCH_SECONDS, ts + 1):
                record = self._fixture(spec, ts)
                if record.status in IN_PLAY:
                    out.append(record)
        return out

    def odds(self, competition: str, markets: Sequence[str] | None = None) -> OddsBatch:
        """Prices for the league's live matches and those kicking off in the next 21 days (all markets: free)."""
        key = self._check(competition, "odds")
        now, ts = self._now()
        prices: list[PriceRecord] = []
        for spec in matches_between(self.seed, key, ts - MAX_MATCH_SECONDS, ts + ODDS_HORIZON + 1):
            if state_at(spec, draw_match(self.seed, spec), ts).status not in PRICED:
                continue
            events = _events(self.seed, spec)
            for book_key in _covering(self.seed, spec.fixture_id):
                start = bucket_start(BOOKMAKERS[book_key], spec.kickoff, ts, events)
                prices.extend(quote(self.seed, spec, book_key, start))
        return OddsBatch(observed_at=now, prices=prices)

    def past_odds(self, competition: str, at: datetime) -> OddsBatch:
        """The prices as they stood at a past instant: the same world, read at that time (real providers cannot
        be asked about the past; the seed's price history is replayed from here)."""
        return DemoProvider(seed=self.seed, clock=lambda: at).odds(competition)

    def standings(self, competition: str) -> list[StandingRecord]:
        """The current season's table from every match finished so far."""
        key = self._check(competition, "standings")
        _, ts = self._now()
        index = season_index_at(LEAGUES[key], ts)
        rows, label = season_rows(self.seed, key, index, ts), season(self.seed, key, index).label
        return [rows[i].record(key, label, _team(key, i), pos) for pos, i in enumerate(table_order(key, rows), start=1)]

    # --- match detail, meetings, season statistics ------------------------------------------

    def _match(self, fixture_id: int | str, call: str) -> tuple[MatchSpec, int, tuple[TeamRef, TeamRef]]:
        """The match a fixture id names, the clock's seconds and both teams, or ProviderError."""
        spec = detail.find_fixture(self.seed, fixture_id)
        if spec is None:
            raise ProviderError("demo", call, f"unknown fixture {str(fixture_id)!r}")
        return spec, self._now()[1], (_team(spec.league, spec.home), _team(spec.league, spec.away))

    def _club(self, team_id: int | str, call: str) -> tuple[str, int]:
        """(league key, club index) of a team id, or ProviderError."""
        club = detail.find_team(team_id)
        if club is None:
            raise ProviderError("demo", call, f"unknown team {str(team_id)!r}")
        return club

    def lineups(self, fixture_id: int | str) -> list[LineupRecord]:
        """Both teams' line-ups, from an hour before kickoff."""
        return detail.lineups(self.seed, *self._match(fixture_id, "lineups"))

    def events(self, fixture_id: int | str) -> list[MatchEventRecord]:
        """Goals, cards and substitutions so far, in match order."""
        return detail.events(self.seed, *self._match(fixture_id, "events"))

    def statistics(self, fixture_id: int | str) -> list[MatchStatsRecord]:
        """Both teams' match statistics so far (none before kickoff)."""
        return detail.statistics(self.seed, *self._match(fixture_id, "statistics"))

    def head_to_head(self, team_a_id: int | str, team_b_id: int | str, last: int = 10) -> list[FixtureRecord]:
        """The latest finished meetings of two clubs across the demo's seasons, newest first."""
        if last < 1:
            raise ProviderError("demo", "head_to_head", f"last must be at least 1, got {last}")
        (key_a, a), (key_b, b) = self._club(team_a_id, "head_to_head"), self._club(team_b_id, "head_to_head")
        if key_a != key_b or a == b:
            return []
        _, ts = self._now()
        out = []
        for spec in detail.meetings(self.seed, key_a, a, b, ts):
            record = self._fixture(spec, ts)
            if record.status is MatchStatus.FINISHED:
                out.append(record)
                if len(out) == last:
                    break
        return out

    def team_statistics(
        self, competition: str, team_id: int | str, *, season: int | None = None
    ) -> TeamSeasonStatsRecord:
        """One club's totals in the current season (or the season starting in the year `season`)."""
        key = self._check(competition, "team_stats")
        team_key, club = self._club(team_id, "team_stats")
        if team_key != key:
            raise ProviderError("demo", "team_stats", f"team {str(team_id)!r} does not play in {key!r}")
        _, ts = self._now()
        index = self._season_of(key, season, ts)
        row = season_rows(self.seed, key, index, ts)[club]
        return TeamSeasonStatsRecord(
            key,
            self._label(key, index),
            _team(key, club),
            row.played,
            row.won,
            row.drawn,
            row.lost,
            row.goals_for,
            row.goals_against,
            row.form,
            row.clean_sheets,
            row.failed_to_score,
        )

    def _label(self, key: str, index: int) -> str:
        """A season's label, e.g. '2026-27'."""
        return season(self.seed, key, index).label

    def _season_of(self, key: str, year: int | None, ts: int) -> int:
        """The season under way, or the first one starting in `year` (not a future one)."""
        now = season_index_at(LEAGUES[key], ts)
        if year is None:
            return now
        for index in range(now + 1):
            if season(self.seed, key, index).start.year == year:
                return index
        raise ProviderError("demo", "team_stats", f"no demo season of {key!r} started in {year} by now")
