"""The demo provider: a deterministic, always-alive simulated football world.

Used when no API keys are set. The whole world is a pure function of (seed, instant):
the same seed and clock reading always give identical records. Simulation maths
lives in demo_sim, static data in demo_world; this module prices and publishes.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from app.providers.base import ProviderError
from app.providers.demo_sim import (
    HOUR,
    MatchSpec,
    draw_match,
    matches_between,
    rng,
    season,
    season_index_at,
    state_at,
    true_probs,
)
from app.providers.demo_world import BOOKMAKERS, FRACTIONAL_LADDER, LEAGUES, Bookmaker
from app.providers.records import (
    OUTCOMES,
    BookmakerRef,
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
MIN_PRICE, MAX_PRICE = 1.01, 1001.0
P_FLOOR = 0.001  # keeps decided in-play outcomes priced instead of dividing by zero
MIN_BOOK = 1.003  # smallest overround any quoted book may show
TWO_WAY_SHARE = 0.85  # two-way books carry a little less margin than 1X2
IN_PLAY = (MatchStatus.LIVE, MatchStatus.HALF_TIME)
PRICED = (MatchStatus.SCHEDULED, *IN_PLAY)
# (seconds to kickoff above which the phase applies, base re-pricing interval)
CADENCES = ((48 * HOUR, 6 * HOUR), (6 * HOUR, HOUR), (0, 10 * 60))
IN_PLAY_CADENCE = 90
LADDER_STRETCH = 1.05  # furthest a ladder book rounds above its own price
REACTION_SECONDS = 60  # how long a book takes to re-price after news or a goal


def window(today: date) -> tuple[date, date]:
    """The (date_from, date_to) the app ingests: recent results and upcoming fixtures."""
    return today - timedelta(days=RESULTS_DAYS), today + timedelta(days=FIXTURES_DAYS)


def _utc_now() -> datetime:
    """Default clock."""
    return datetime.now(UTC)


def _instant(ts: int) -> datetime:
    """UTC-aware datetime of integer Unix seconds."""
    return datetime.fromtimestamp(ts, UTC)


def _date_ts(day: date) -> int:
    """Unix seconds of a UTC date's midnight."""
    return math.floor(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# --- bookmakers ---------------------------------------------------------------------


@lru_cache(maxsize=64)
def _phase(book_key: str) -> float:
    """Fixed fraction of an interval by which a bookmaker's grid is shifted."""
    digest = hashlib.blake2b(book_key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def bucket_start(book: Bookmaker, kickoff: int, ts: int, events: tuple[int, ...] = ()) -> int:
    """Start of the bookmaker's current re-pricing bucket; buckets never straddle phases.

    `events` (team news, goals) open a new bucket once the book has had time to react,
    so a stale price survives minutes, not the hours of an early-week bucket.
    """
    to_go, floor = kickoff - ts, None
    for threshold, base in CADENCES:
        if to_go > threshold:
            length = round(base * book.cadence)
            break
        floor = kickoff - threshold
    else:
        length, floor = max(60, min(120, round(IN_PLAY_CADENCE * book.cadence))), kickoff
    offset = int(_phase(book.key) * length)
    start = (ts - offset) // length * length + offset
    delay = round(REACTION_SECONDS * book.cadence)
    seen = bisect.bisect_right(events, ts - delay)
    if seen:
        start = max(start, events[seen - 1] + delay)
    return start if floor is None else max(start, floor)


@lru_cache(maxsize=4_096)
def _events(seed: int, spec: MatchSpec) -> tuple[int, ...]:
    """Instants that make bookmakers re-price at once: team news, kickoff, goals."""
    d = draw_match(seed, spec)
    goals = (spec.kickoff + math.ceil(minute * 60) for minute in (*d.home_goals, *d.away_goals))
    return tuple(sorted({*(when for when, _, _ in d.news), spec.kickoff, *goals}))


@lru_cache(maxsize=4_096)
def _covering(seed: int, fixture_id: str) -> tuple[str, ...]:
    """Bookmakers that price this match at all (minor books skip a few)."""
    r = rng(seed, fixture_id, "coverage")
    return tuple(key for key, book in BOOKMAKERS.items() if r.random() < book.coverage)


def _quotes(book: Bookmaker, market: str, line: float | None) -> bool:
    """Whether the bookmaker offers this market line at all."""
    if market == "btts":
        return book.btts
    if market == "ah":
        return book.handicap
    return market != "ou" or line == 2.5 or book.alt_totals


def _ladder(raw: list[float], target: float) -> list[float]:
    """Snap to neighbouring ladder rungs, choosing the combination nearest the target book."""
    options: list[tuple[float, ...]] = []
    for price in raw:
        i = bisect.bisect_left(FRACTIONAL_LADDER, price)
        lo = FRACTIONAL_LADDER[max(i - 1, 0)]
        hi = FRACTIONAL_LADDER[min(i, len(FRACTIONAL_LADDER) - 1)]
        # Rounding far up would hand out a price well beyond the book's own view.
        if hi == price:
            options.append((hi,))
        else:
            options.append((lo, hi) if hi <= price * LADDER_STRETCH else (lo,))
    best = min(itertools.product(*options),
               key=lambda combo: abs(sum(1 / x for x in combo) - target))
    return list(best)


def _cap_favourite(implied: list[float]) -> list[float]:
    """Hold a (nearly) decided outcome at MIN_PRICE yet keep the book above 100 %.

    Without this, clamping the favourite to 1.01 would leave an underround book that
    the app would read as an arbitrage.
    """
    cap = 1 / MIN_PRICE
    top = max(range(len(implied)), key=implied.__getitem__)
    if implied[top] <= cap:
        return implied
    rest = sum(x for i, x in enumerate(implied) if i != top)
    stretch = max(1.0, (MIN_BOOK - cap) / rest)
    return [cap if i == top else x * stretch for i, x in enumerate(implied)]


def _price(book: Bookmaker, probs: tuple[float, ...], margin: float,
           noise: list[float]) -> list[float]:
    """Turn true probabilities into the bookmaker's rounded decimal prices."""
    p = [min(max(x, P_FLOOR), 1 - P_FLOOR) for x in probs]
    # A longshot tilt loads more of the margin onto unlikely outcomes, as books do.
    weights = [x * (1 + book.longshot_tilt * (1 - x)) for x in p]
    total = sum(weights)
    implied = [(x + margin * w / total) * n for x, w, n in zip(p, weights, noise, strict=True)]
    scale = (1 + margin) / sum(implied)
    implied = _cap_favourite([x * scale for x in implied])
    raw = [min(MAX_PRICE, max(MIN_PRICE, 1 / x)) for x in implied]
    if book.fractional:
        raw = _ladder(raw, 1 + margin)
    return [max(MIN_PRICE, round(x, 2)) for x in raw]


@lru_cache(maxsize=8_192)
def quote(seed: int, spec: MatchSpec, book_key: str, start: int) -> tuple[PriceRecord, ...]:
    """One bookmaker's prices for one match in one bucket; identical for the whole bucket."""
    markets = true_probs(seed, spec, start)
    if markets is None:
        return ()
    book = BOOKMAKERS[book_key]
    bias = rng(seed, spec.fixture_id, book_key, "bias")  # the book's lasting opinion
    jitter = rng(seed, spec.fixture_id, book_key, start)  # this bucket's wobble
    margin = book.margin * jitter.uniform(0.94, 1.06)
    ref, when = BookmakerRef(book.key, book.name), _instant(start)
    out = []
    for market, line, probs in markets:
        # Draw for every market so a skipped market never shifts another's noise.
        noise = [math.exp(bias.gauss(0, book.noise) + jitter.gauss(0, book.noise / 3))
                 for _ in probs]
        if not _quotes(book, market, line):
            continue
        m = margin if len(probs) == 3 else margin * TWO_WAY_SHARE
        for outcome, price in zip(OUTCOMES[market], _price(book, probs, m, noise),
                                  strict=True):
            out.append(PriceRecord(spec.fixture_id, ref, market, outcome, price, line, when))
    return tuple(out)


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
    """A simulated, living football world; see the module docstring."""

    name = "demo"
    authoritative = True

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

    def odds(self, competition: str) -> OddsBatch:
        """Prices for the league's live matches and those kicking off in the next 21 days."""
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
