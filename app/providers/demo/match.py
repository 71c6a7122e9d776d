"""One demo match: its pre-drawn events, its state at an instant, its true market probabilities."""

from __future__ import annotations

import bisect
import math
import random
from array import array
from dataclasses import dataclass
from functools import lru_cache

from app.providers.demo.calendar import HOUR, MatchSpec, rng
from app.providers.demo.world import LEAGUES
from app.providers.records import MatchStatus

HOME_ADVANTAGE = 1.3
HALF_TIME_MINUTES = 15
WALK_HOURS = 24 * 22  # drift is tracked for the whole 21-day odds horizon
WALK_STEP = 0.006  # log-sd per hour: ~3 % after two days, ~11 % after three weeks
POSTPONE_RATE = 1 / 150
ABANDON_RATE = 1 / 1000
MAX_GOALS = 10
AH_LINES = tuple(x / 2 for x in range(-6, 7))
ALT_AH_STEPS = (-0.5, -0.25, 0.25, 0.5)  # alternative handicaps around the main line, quarter lines included
ALT_TOTALS = (0.5, 4.5)

Markets = tuple[tuple[str, float | None, tuple[float, ...]], ...]


@dataclass(frozen=True, slots=True)
class MatchDraw:
    """Everything random about one match, drawn once; goal times are real minutes."""

    base_home: float
    base_away: float
    final_home: float
    final_away: float
    news: tuple[tuple[int, int, float], ...]  # (instant, side 0 home / 1 away, factor)
    first_added: int
    second_added: int
    home_goals: tuple[float, ...]
    away_goals: tuple[float, ...]
    postponed_at: int | None
    abandoned_at: float | None
    ah_line: float

    @property
    def first_end(self) -> float:
        """Real minutes from kickoff to the half-time whistle."""
        return 45.0 + self.first_added

    @property
    def second_start(self) -> float:
        """Real minutes from kickoff to the second-half kickoff."""
        return self.first_end + HALF_TIME_MINUTES

    @property
    def end(self) -> float:
        """Real minutes from kickoff to the final whistle."""
        return self.second_start + 45.0 + self.second_added

    @property
    def play_length(self) -> float:
        """Minutes actually played, added time included."""
        return 90.0 + self.first_added + self.second_added


@dataclass(frozen=True, slots=True)
class MatchState:
    """A match as seen at one instant; `played` counts minutes of play elapsed."""

    status: MatchStatus
    minute: int | None = None
    added_time: int | None = None
    home: int | None = None
    away: int | None = None
    ht_home: int | None = None
    ht_away: int | None = None
    played: float = 0.0


# --- per-match draws --------------------------------------------------------------------


@lru_cache(maxsize=1)
def _strengths() -> dict[str, tuple[tuple[float, float], ...]]:
    """Attack/defence per club, normalised so each league averages exactly 1."""
    out = {}
    for key, league in LEAGUES.items():
        att = sum(c.attack for c in league.clubs) / len(league.clubs)
        dfc = sum(c.defence for c in league.clubs) / len(league.clubs)
        out[key] = tuple((c.attack / att, c.defence / dfc) for c in league.clubs)
    return out


def base_rates(spec: MatchSpec) -> tuple[float, float]:
    """Expected goals from strengths; home advantage is a ratio keeping the league mean."""
    league = LEAGUES[spec.league]
    strengths = _strengths()[spec.league]
    (h_att, h_def), (a_att, a_def) = strengths[spec.home], strengths[spec.away]
    home_factor = 2 * HOME_ADVANTAGE / (1 + HOME_ADVANTAGE)
    away_factor = 2 / (1 + HOME_ADVANTAGE)
    base = league.goals_per_side
    return base * h_att * a_def * home_factor, base * a_att * h_def * away_factor


def _goal_times(r: random.Random, lam: float, first_added: int, second_added: int) -> tuple[float, ...]:
    """Poisson process over the minutes of play, mapped onto real minutes from kickoff."""
    play, first_end = 90.0 + first_added + second_added, 45.0 + first_added
    times: list[float] = []
    t = 0.0
    while True:
        t += r.expovariate(lam / play)
        if t >= play:
            return tuple(times)
        times.append(t if t < first_end else t + HALF_TIME_MINUTES)


@lru_cache(maxsize=16_384)
def draw_match(seed: int, spec: MatchSpec) -> MatchDraw:
    """Pre-draw a match: team news, added time, goals, postponement, abandonment."""
    r = rng(seed, spec.league, spec.fixture_id, "match")
    base_home, base_away = base_rates(spec)
    rates = [base_home, base_away]
    news = []
    for _ in range(r.randint(1, 3)):
        when = spec.kickoff - r.randint(30 * 60, 72 * HOUR)
        side = r.randrange(2)
        factor = 1 + r.choice((-1, 1)) * r.uniform(0.05, 0.15)
        rates[side] *= factor
        news.append((when, side, factor))
    first_added, second_added = r.randint(1, 4), r.randint(2, 6)
    postponed_at = spec.kickoff - r.randint(2 * HOUR, 96 * HOUR)
    postponed = r.random() < POSTPONE_RATE
    abandon_minute = r.uniform(10, 85)
    abandoned = not postponed and r.random() < ABANDON_RATE
    if abandon_minute >= 45 + first_added:
        abandon_minute += HALF_TIME_MINUTES
    home_goals = _goal_times(rng(seed, spec.fixture_id, "home"), rates[0], first_added, second_added)
    away_goals = _goal_times(rng(seed, spec.fixture_id, "away"), rates[1], first_added, second_added)
    return MatchDraw(
        base_home,
        base_away,
        rates[0],
        rates[1],
        tuple(sorted(news)),
        first_added,
        second_added,
        home_goals,
        away_goals,
        postponed_at if postponed else None,
        abandon_minute if abandoned else None,
        _main_handicap(base_home, base_away),
    )


def state_at(spec: MatchSpec, d: MatchDraw, ts: int) -> MatchState:
    """Status, minute and score of a match at an instant."""
    if d.postponed_at is not None and ts >= d.postponed_at:
        return MatchState(MatchStatus.POSTPONED)
    if ts < spec.kickoff:
        return MatchState(MatchStatus.SCHEDULED)
    e = (ts - spec.kickoff) / 60
    if d.abandoned_at is not None and e >= d.abandoned_at:
        return _scored(d, MatchStatus.ABANDONED, d.abandoned_at, None, None)
    if e < d.first_end:
        minute = int(e) + 1
        return _scored(d, MatchStatus.LIVE, e, min(minute, 45), _added(minute, 45))
    if e < d.second_start:
        return _scored(d, MatchStatus.HALF_TIME, e, 45, None)
    if e < d.end:
        minute = 46 + int(e - d.second_start)
        return _scored(d, MatchStatus.LIVE, e, min(minute, 90), _added(minute, 90))
    return _scored(d, MatchStatus.FINISHED, d.end, None, None)


def _added(minute: int, regulation: int) -> int | None:
    """Added-time minute beyond regulation, or None inside regulation."""
    return minute - regulation if minute > regulation else None


def _scored(d: MatchDraw, status: MatchStatus, e: float, minute: int | None, added: int | None) -> MatchState:
    """A state with the score of goals scored by real minute `e`."""
    home, away = bisect.bisect_right(d.home_goals, e), bisect.bisect_right(d.away_goals, e)
    ht_home = ht_away = None
    if e >= d.first_end:
        ht_home = bisect.bisect_left(d.home_goals, d.first_end)
        ht_away = bisect.bisect_left(d.away_goals, d.first_end)
    played = min(e, d.first_end) + max(0.0, e - d.second_start)
    return MatchState(status, minute, added, home, away, ht_home, ht_away, played)


# --- true probabilities -----------------------------------------------------------------


def _pmf(lam: float) -> list[float]:
    """Poisson probabilities of 0..MAX_GOALS goals, the tail folded into the last."""
    probs = [math.exp(-lam)]
    for k in range(1, MAX_GOALS + 1):
        probs.append(probs[-1] * lam / k)
    probs[-1] += max(0.0, 1.0 - sum(probs))
    return probs


def _handicap(diff: dict[int, float], line: float) -> tuple[float, float]:
    """Home/away probabilities of a handicap line, pushes removed.

    A quarter line (-0.25) is half the stake on each neighbouring line (0 and -0.5): the
    probabilities returned are the ones whose inverse is the fair price of that split bet.
    """
    halves = (line,) if (line * 2).is_integer() else (line - 0.25, line + 0.25)
    win = lose = 0.0
    for d, p in diff.items():
        share = p / len(halves)
        win += share * sum(1 for h in halves if d + h > 0)
        lose += share * sum(1 for h in halves if d + h < 0)
    total = win + lose
    return (win / total, lose / total) if total > 0 else (0.5, 0.5)


def _main_handicap(lam_home: float, lam_away: float) -> float:
    """The half or whole line (home's view) that splits the match most evenly."""
    diff = _distributions(lam_home, lam_away, 0, 0)[0]
    line = min(AH_LINES, key=lambda x: abs(_handicap(diff, x)[0] - 0.5))
    return line + 0.0  # normalises -0.0


def _distributions(lh: float, la: float, sh: int, sa: int) -> tuple[dict[int, float], dict[int, float], float]:
    """Final goal-difference and total-goals distributions and P(both teams score)."""
    ph, pa = _pmf(lh), _pmf(la)
    diff: dict[int, float] = {}
    total: dict[int, float] = {}
    btts = 0.0
    for i, x in enumerate(ph):
        for j, y in enumerate(pa):
            p = x * y
            d, t = sh + i - sa - j, sh + sa + i + j
            diff[d] = diff.get(d, 0.0) + p
            total[t] = total.get(t, 0.0) + p
            if sh + i > 0 and sa + j > 0:
                btts += p
    return diff, total, btts


def market_probs(lh: float, la: float, sh: int, sa: int, ah_line: float) -> Markets:
    """True probabilities of every demo market given remaining rates and current score."""
    diff, total, btts = _distributions(lh, la, sh, sa)
    home = sum(p for d, p in diff.items() if d > 0)
    away = sum(p for d, p in diff.items() if d < 0)
    out: list[tuple[str, float | None, tuple[float, ...]]] = [("1x2", None, (home, diff.get(0, 0.0), away))]
    for line in (1.5, 2.5, 3.5):
        over = sum(p for t, p in total.items() if t > line)
        out.append(("ou", line, (over, 1.0 - over)))
    out.append(("btts", None, (btts, 1.0 - btts)))
    out.append(("ah", ah_line, _handicap(diff, ah_line)))
    # Alternative lines come after the main ones, so adding them never shifted a main market's noise.
    for step in ALT_AH_STEPS:
        line = ah_line + step + 0.0
        out.append(("ah", line, _handicap(diff, line)))
    for line in ALT_TOTALS:
        over = sum(p for t, p in total.items() if t > line)
        out.append(("ou", line, (over, 1.0 - over)))
    return tuple(out)


@lru_cache(maxsize=1_024)
def _walks(seed: int, spec: MatchSpec) -> tuple[array[float], array[float]]:
    """Log-drift of each side's rate, indexed by whole hours before kickoff (0 at kickoff).

    Walking backwards from kickoff makes the market converge on the rates the goals
    were drawn from. Arrays keep a cached match at ~8 KB instead of ~34 KB.
    """
    out = []
    for side in ("home", "away"):
        r = rng(seed, spec.fixture_id, "walk", side)
        acc, walk = 0.0, array("d", [0.0])
        for _ in range(WALK_HOURS):
            acc += r.gauss(0.0, WALK_STEP)
            walk.append(acc)
        out.append(walk)
    return out[0], out[1]


@lru_cache(maxsize=8_192)
def _prematch(seed: int, spec: MatchSpec, hours: int, news_seen: int) -> Markets:
    """Pre-match truth for one hourly drift bucket and one state of team news."""
    d = draw_match(seed, spec)
    rates = [d.base_home, d.base_away]
    for _, side, factor in d.news[:news_seen]:
        rates[side] *= factor
    walk_home, walk_away = _walks(seed, spec)
    lh = rates[0] * math.exp(walk_home[hours])
    la = rates[1] * math.exp(walk_away[hours])
    return market_probs(lh, la, 0, 0, d.ah_line)


def true_probs(seed: int, spec: MatchSpec, ts: int) -> Markets | None:
    """The world's true market probabilities at an instant; None once no longer priced."""
    d = draw_match(seed, spec)
    state = state_at(spec, d, ts)
    if state.status is MatchStatus.SCHEDULED:
        hours = min((spec.kickoff - ts) // HOUR, WALK_HOURS)
        news_seen = sum(1 for when, _, _ in d.news if when <= ts)
        return _prematch(seed, spec, hours, news_seen)
    if state.status in (MatchStatus.LIVE, MatchStatus.HALF_TIME):
        left = max(0.0, d.play_length - state.played) / d.play_length
        return market_probs(d.final_home * left, d.final_away * left, state.home or 0, state.away or 0, d.ah_line)
    return None
