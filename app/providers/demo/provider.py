"""The DemoProvider: serves the simulated demo world as competitions, fixtures, odds, tables."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from app.providers.base import ProviderError
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
from app.providers.demo.world import BOOKMAKERS, LEAGUES
from app.providers.records import (
    CompetitionRecord,
    FixtureRecord,
    MatchStatus,
    OddsBatch,
    PriceRecord,
    StandingRecord,
    TeamRef,
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


# --- standings ------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """A team's running tally for the table."""

    won: int = 0
    drawn: int = 0
    lost: int = 0
    goals_for: int = 0
    goals_against: int = 0
    results: list[str] = field(default_factory=list)

    def add(self, scored: int, conceded: int) -> None:
        """Record one finished match."""
        self.goals_for += scored
        self.goals_against += conceded
        result = "W" if scored > conceded else "D" if scored == conceded else "L"
        self.won += result == "W"
        self.drawn += result == "D"
        self.lost += result == "L"
        self.results.append(result)

    @property
    def points(self) -> int:
        """Three for a win, one for a draw."""
        return 3 * self.won + self.drawn

    def record(self, key: str, label: str, team: TeamRef, position: int) -> StandingRecord:
        """The tally as a standings row; form is the last five, most recent last."""
        return StandingRecord(key, label, team, position, self.won + self.drawn + self.lost,
                              self.won, self.drawn, self.lost, self.goals_for,
                              self.goals_against, self.points, "".join(self.results[-5:]))


@lru_cache(maxsize=256)
def _team(league_key: str, index: int) -> TeamRef:
    """A club as the demo provider names it."""
    league = LEAGUES[league_key]
    club = league.clubs[index]
    return TeamRef(f"{league_key}-{club.code.lower()}", club.name, club.code, league.country)


# --- provider -------------------------------------------------------------------------


class DemoProvider:
    """A simulated, living football world; see the package docstring."""

    name = "demo"
    authoritative = True
    free = True  # costs nothing to ask: the schedule never rations it
    capabilities = frozenset({"competitions", "fixtures", "live", "odds", "standings"})

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
            external_id=spec.fixture_id, competition_key=spec.league,
            season=season(self.seed, spec.league, spec.season).label,
            home=_team(spec.league, spec.home), away=_team(spec.league, spec.away),
            kickoff_at=_instant(spec.kickoff), status=st.status, minute=st.minute,
            added_time=st.added_time, home_score=st.home, away_score=st.away,
            ht_home_score=st.ht_home, ht_away_score=st.ht_away, round=f"Round {spec.round_no}")

    def competitions(self) -> list[CompetitionRecord]:
        """The current demo season of every league."""
        _, ts = self._now()
        out = []
        for key, league in LEAGUES.items():
            s = season(self.seed, key, season_index_at(league, ts))
            out.append(CompetitionRecord(key, f"demo-{key}", league.name, league.country,
                                         s.label, s.start, s.end))
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
        for spec in matches_between(self.seed, key, ts - MAX_MATCH_SECONDS,
                                    ts + ODDS_HORIZON + 1):
            if state_at(spec, draw_match(self.seed, spec), ts).status not in PRICED:
                continue
            events = _events(self.seed, spec)
            for book_key in _covering(self.seed, spec.fixture_id):
                start = bucket_start(BOOKMAKERS[book_key], spec.kickoff, ts, events)
                prices.extend(quote(self.seed, spec, book_key, start))
        return OddsBatch(observed_at=now, prices=prices)

    def standings(self, competition: str) -> list[StandingRecord]:
        """The current season's table from every match finished so far."""
        key = self._check(competition, "standings")
        _, ts = self._now()
        league = LEAGUES[key]
        s = season(self.seed, key, season_index_at(league, ts))
        rows = {i: _Row() for i in range(len(league.clubs))}
        for spec in s.matches[:bisect.bisect_right(s.kickoffs, ts)]:
            st = state_at(spec, draw_match(self.seed, spec), ts)
            if st.status is MatchStatus.FINISHED and st.home is not None and st.away is not None:
                rows[spec.home].add(st.home, st.away)
                rows[spec.away].add(st.away, st.home)
        order = sorted(rows, key=lambda i: (-rows[i].points,
                                            -(rows[i].goals_for - rows[i].goals_against),
                                            -rows[i].goals_for, league.clubs[i].name))
        return [rows[i].record(key, s.label, _team(key, i), pos)
                for pos, i in enumerate(order, start=1)]
