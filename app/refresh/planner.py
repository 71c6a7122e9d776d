"""The quota planner: which refreshes are worth a paid request now. Pure: no Flask, no database.

Quotas are real money (The Odds API: 500 credits a month on the free plan, cost = markets x
regions; API-Football: 100 calls a day). The planner spends where users look: tiered by time to
kickoff, watched matches first, one capture just before kickoff for the closing line, and a
degradation ladder when the budget runs low: fewer markets -> longer intervals -> top leagues
only -> stored data only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

CLOSING_WINDOW = timedelta(minutes=10)  # a capture this close to kickoff is the closing line
FULL_MARKETS = ("h2h", "totals")
LEVELS = ("full", "fewer markets", "longer intervals", "top leagues only", "stored data only")
STRETCH = {0: 1, 1: 1, 2: 3, 3: 6}  # interval multiplier per degradation level
TOP_LEAGUES = ("epl", "laliga")
# (time to kickoff under which the tier applies, refresh interval); beyond the last: once a day.
TIERS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=1), timedelta(minutes=20)),
    (timedelta(hours=6), timedelta(hours=2)),
    (timedelta(hours=24), timedelta(hours=6)),
    (timedelta(days=3), timedelta(hours=12)),
)
DISTANT = timedelta(hours=24)
IN_PLAY = timedelta(minutes=30)  # prices in play are refreshed only for watched matches


@dataclass(frozen=True)
class Budget:
    remaining: int
    resets_at: datetime
    reserve: int = 0  # kept back for closing lines: regular refreshes never spend it


@dataclass(frozen=True)
class Fixture:
    league: str
    kickoff: datetime
    live: bool = False
    watchers: int = 0


@dataclass(frozen=True)
class Refresh:
    league: str
    markets: tuple[str, ...]
    cost: int
    reason: str


@dataclass(frozen=True)
class Plan:
    level: int
    refreshes: tuple[Refresh, ...]

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]


def interval(until_kickoff: timedelta, watchers: int = 0) -> timedelta:
    """How often a match's prices are worth refreshing; a watched match twice as often."""
    base = next((every for limit, every in TIERS if until_kickoff < limit), DISTANT)
    return base / 2 if watchers else base


def league_interval(now: datetime, fixtures: Iterable[Fixture]) -> timedelta | None:
    """The most urgent interval among a league's fixtures (None when nothing needs prices)."""
    needs = [
        IN_PLAY if f.live else interval(f.kickoff - now, f.watchers)
        for f in fixtures
        if (f.live and f.watchers) or f.kickoff > now
    ]
    return min(needs, default=None)


def _closing_due(now: datetime, fixtures: Iterable[Fixture], last: datetime | None) -> bool:
    """A match kicks off within the closing window and nothing was captured inside that window yet."""
    return any(
        timedelta(0) < f.kickoff - now <= CLOSING_WINDOW and (last is None or last < f.kickoff - CLOSING_WINDOW)
        for f in fixtures
        if not f.live
    )


def daily_need(now: datetime, by_league: Mapping[str, Sequence[Fixture]], cost: int, level: int) -> float:
    """Credits a day the leagues would take at a degradation level."""
    total = 0.0
    for league, fixtures in by_league.items():
        every = league_interval(now, fixtures)
        if every is not None and (level < 3 or league in TOP_LEAGUES):
            total += cost * (timedelta(days=1) / (every * STRETCH[level]))
    return total


def choose_level(
    now: datetime, by_league: Mapping[str, Sequence[Fixture]], budget: Budget, cost_of: Callable[[Sequence[str]], int]
) -> int:
    """The lowest degradation level whose daily need fits the budget left per day until it resets."""
    spendable = budget.remaining - budget.reserve
    if spendable <= 0:
        return 4
    days_left = max((budget.resets_at - now) / timedelta(days=1), 1 / 24)
    per_day = spendable / days_left
    for level in range(4):
        markets = FULL_MARKETS if level == 0 else FULL_MARKETS[:1]
        if daily_need(now, by_league, cost_of(markets), level) <= per_day:
            return level
    return 3


def plan_odds(
    now: datetime,
    fixtures: Iterable[Fixture],
    last_refresh: Mapping[str, datetime],
    budget: Budget,
    cost_of: Callable[[Sequence[str]], int],
) -> Plan:
    """The odds refreshes to make now, most urgent first, within the budget."""
    by_league: dict[str, list[Fixture]] = {}
    for f in fixtures:
        by_league.setdefault(f.league, []).append(f)
    level = choose_level(now, by_league, budget, cost_of)
    wanted = [
        r
        for league, fs in by_league.items()
        if (r := _league_refresh(now, league, fs, last_refresh.get(league), level, cost_of))
    ]
    wanted.sort(key=lambda r: (r.reason != "closing line", "watched" not in r.reason, r.league))
    chosen, left = [], budget.remaining
    for r in wanted:
        floor = 0 if r.reason == "closing line" else budget.reserve
        if r.cost <= left - floor:
            chosen.append(r)
            left -= r.cost
    return Plan(level, tuple(chosen))


def _league_refresh(
    now: datetime,
    league: str,
    fixtures: Sequence[Fixture],
    last: datetime | None,
    level: int,
    cost_of: Callable[[Sequence[str]], int],
) -> Refresh | None:
    cheap = FULL_MARKETS[:1]
    if _closing_due(now, fixtures, last):
        # The closing line is what closing-line value is measured against: captured even when degraded.
        return Refresh(
            league, cheap if level else FULL_MARKETS, cost_of(cheap if level else FULL_MARKETS), "closing line"
        )
    every = league_interval(now, fixtures)
    if every is None or level >= 4 or (level == 3 and league not in TOP_LEAGUES):
        return None
    if last is not None and now - last < every * STRETCH[level]:
        return None
    markets = FULL_MARKETS if level == 0 else cheap
    reason = ("watched, " if any(f.watchers for f in fixtures) else "") + f"every {every * STRETCH[level]}"
    return Refresh(league, markets, cost_of(markets), reason)


def live_interval(
    now: datetime, calls_left: int, reserve: int, live_until: datetime, floor: timedelta = timedelta(seconds=60)
) -> timedelta | None:
    """How often to poll live scores so the day's calls last until the last match ends (None: stop)."""
    spendable = calls_left - reserve
    if spendable <= 0:
        return None
    span = max(live_until - now, floor)
    return max(floor, span / spendable)
