"""The demo provider: a deterministic, always-alive simulated football world."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.providers.base import Provider, ProviderError
from app.providers.demo import DemoProvider, calendar, match, window
from app.providers.demo.world import BOOKMAKERS, FRACTIONAL_LADDER, LEAGUES
from app.providers.records import MatchStatus, OddsBatch, PriceRecord
from tests.conftest import Clock
from tests.providers.conftest import clear_demo_caches

SEED = 7
T0 = datetime(2026, 7, 15, 15, 7, 30, tzinfo=UTC)  # deliberately in July
REPO = Path(__file__).resolve().parents[2]


def _snapshot(provider: DemoProvider, today: date) -> tuple[Any, ...]:
    """Everything the provider serves at its clock's instant."""
    return (
        provider.competitions(),
        [provider.fixtures(key, *window(today)) for key in LEAGUES],
        provider.live(),
        [provider.odds(key) for key in LEAGUES],
        [provider.standings(key) for key in LEAGUES],
    )


def _books(batch: OddsBatch) -> dict[tuple[str, str, str, float | None], dict[str, PriceRecord]]:
    """Prices grouped by (fixture, bookmaker, market, line) -> outcome -> record."""
    out: dict[tuple[str, str, str, float | None], dict[str, PriceRecord]] = defaultdict(dict)
    for r in batch.prices:
        out[(r.fixture_external_id, r.bookmaker.key, r.market, r.line)][r.outcome] = r
    return out


def _overround(book: dict[str, PriceRecord]) -> float:
    """Sum of implied probabilities minus one."""
    return sum(1 / r.price for r in book.values()) - 1


# --- protocol, determinism ------------------------------------------------------------


def test_implements_the_provider_protocol() -> None:
    provider = DemoProvider()
    assert isinstance(provider, Provider)
    assert provider.name == "demo"
    assert provider.authoritative is True


def test_same_seed_and_clock_give_identical_records() -> None:
    first = _snapshot(DemoProvider(SEED, Clock(T0)), T0.date())
    clear_demo_caches()
    second = _snapshot(DemoProvider(SEED, Clock(T0)), T0.date())
    assert first == second
    assert sum(len(batch.prices) for batch in first[3]) > 10_000


def test_world_does_not_depend_on_the_process_hash_seed() -> None:
    script = (
        "import hashlib; from datetime import datetime, UTC;"
        "from app.providers.demo import DemoProvider;"
        f"p = DemoProvider({SEED}, lambda: datetime.fromisoformat('{T0.isoformat()}'));"
        "d = p.fixtures('epl', *p.window(p._clock().date()));"
        "o = p.odds('seriea').prices; s = p.standings('ligue1');"
        "print(hashlib.sha256(repr((d, o, s)).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip())
    provider = DemoProvider(SEED, Clock(T0))
    local = (provider.fixtures("epl", *window(T0.date())), provider.odds("seriea").prices, provider.standings("ligue1"))
    digests.add(hashlib.sha256(repr(local).encode()).hexdigest())
    assert len(digests) == 1


def test_different_seeds_give_different_worlds() -> None:
    def world(seed: int) -> list[tuple[str, str, int | None, int | None]]:
        fixtures = DemoProvider(seed, Clock(T0)).fixtures("epl", *window(T0.date()))
        return [(f.home.short_name or "", f.away.short_name or "", f.home_score, f.away_score) for f in fixtures]

    assert world(SEED) != world(SEED + 1)
    prices_a = [r.price for r in DemoProvider(SEED, Clock(T0)).odds("epl").prices]
    prices_b = [r.price for r in DemoProvider(SEED + 1, Clock(T0)).odds("epl").prices]
    assert prices_a != prices_b


@settings(max_examples=12, deadline=None, database=None)
@given(seed=st.integers(0, 2**32), offset=st.integers(-400 * 86_400, 4000 * 86_400))
def test_determinism_and_full_calendar_at_any_instant(seed: int, offset: int) -> None:
    now = T0 + timedelta(seconds=offset)
    today = now.date()
    provider = DemoProvider(seed, Clock(now))
    for key, league in LEAGUES.items():
        per_round = len(league.clubs) // 2
        past = provider.fixtures(key, today - timedelta(days=28), today - timedelta(days=1))
        ahead = provider.fixtures(key, today + timedelta(days=1), today + timedelta(days=21))
        # Weeks are whole UTC days, so any 28 days hold exactly four rounds.
        assert len(past) == 4 * per_round
        assert len(ahead) == 3 * per_round
        assert all(f.status in (MatchStatus.FINISHED, MatchStatus.POSTPONED, MatchStatus.ABANDONED) for f in past)
        assert all(f.status in (MatchStatus.SCHEDULED, MatchStatus.POSTPONED) for f in ahead)
    again = DemoProvider(seed, Clock(now))
    assert again.fixtures("laliga", *window(today)) == provider.fixtures("laliga", *window(today))
    assert again.odds("bundesliga") == provider.odds("bundesliga")


# --- calendar -------------------------------------------------------------------------


def test_window_is_four_weeks_back_three_ahead() -> None:
    assert window(date(2026, 7, 15)) == (date(2026, 6, 17), date(2026, 8, 5))
    assert DemoProvider.window(date(2026, 7, 15)) == window(date(2026, 7, 15))


@pytest.mark.parametrize("now", [T0, datetime(2031, 7, 2, 9, 0, tzinfo=UTC), datetime(2021, 1, 1, 0, 0, tzinfo=UTC)])
def test_every_league_plays_every_week_and_every_day_has_football(now: datetime) -> None:
    provider = DemoProvider(SEED, Clock(now))
    date_from, date_to = window(now.date())
    days: Counter[date] = Counter()
    for key in LEAGUES:
        fixtures = provider.fixtures(key, date_from, date_to)
        assert all(date_from <= f.kickoff_at.date() <= date_to for f in fixtures)
        assert all(11 <= f.kickoff_at.hour <= 21 for f in fixtures)
        days.update(f.kickoff_at.date() for f in fixtures)
    assert len(days) == (date_to - date_from).days + 1


def test_some_match_is_live_through_the_day() -> None:
    start = datetime(2026, 7, 3, tzinfo=UTC)  # a Friday, two demo weeks
    instants = [start + timedelta(days=d, hours=11, minutes=15 + 15 * q) for d in range(14) for q in range(47)]
    live = [bool(DemoProvider(SEED, Clock(t)).live()) for t in instants]
    assert sum(live) / len(live) >= 0.95


def test_competitions_cover_now_with_distinct_season_labels() -> None:
    records = DemoProvider(SEED, Clock(T0)).competitions()
    assert [r.key for r in records] == list(LEAGUES)
    for record in records:
        league = LEAGUES[record.key]
        assert record.season_start <= T0.date() <= record.season_end
        assert (record.season_end - record.season_start).days + 1 == league.rounds * 7
        assert record.season == "2026-27"
    for league in LEAGUES.values():
        labels = [calendar.season_label(league, k) for k in range(-10, 60)]
        assert len(set(labels)) == len(labels)
        assert all(re.fullmatch(r"\d{4}-\d{2}( II)?", label) for label in labels)


def test_season_is_a_double_round_robin_with_stable_ids() -> None:
    for key, league in LEAGUES.items():
        s = calendar.season(SEED, key, 9)
        n = len(league.clubs)
        assert len(s.matches) == n * (n - 1)
        assert len({(m.home, m.away) for m in s.matches}) == n * (n - 1)
        assert len({m.fixture_id for m in s.matches}) == n * (n - 1)
        for r in range(1, league.rounds + 1):
            teams = [t for m in s.matches if m.round_no == r for t in (m.home, m.away)]
            assert sorted(teams) == list(range(n))
        slug = s.label.lower().replace(" ", "-")
        assert all(re.fullmatch(rf"{key}-{slug}-r\d+-[a-z0-9]{{3}}-[a-z0-9]{{3}}", m.fixture_id) for m in s.matches)


def test_unknown_competition_raises_provider_error() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    calls = {
        "fixtures": lambda: provider.fixtures("xyz", T0.date(), T0.date()),
        "odds": lambda: provider.odds("xyz"),
        "standings": lambda: provider.standings("xyz"),
    }
    for call, invoke in calls.items():
        with pytest.raises(ProviderError) as raised:
            invoke()
        assert (raised.value.provider, raised.value.call) == ("demo", call)
        assert raised.value.reason == "unknown competition 'xyz'"


# --- matches --------------------------------------------------------------------------


def _next_normal_match(after: datetime) -> calendar.MatchSpec:
    """The first EPL match after the instant that is neither postponed nor abandoned."""
    lo = int(after.timestamp())
    for spec in calendar.matches_between(SEED, "epl", lo, lo + 14 * 86_400):
        d = match.draw_match(SEED, spec)
        if d.postponed_at is None and d.abandoned_at is None and d.home_goals:
            return spec
    raise AssertionError("no normal match found")


def test_a_match_plays_out_along_its_timeline() -> None:
    spec = _next_normal_match(T0)
    d = match.draw_match(SEED, spec)
    kickoff = datetime.fromtimestamp(spec.kickoff, UTC)
    clock = Clock(kickoff - timedelta(minutes=1))
    provider = DemoProvider(SEED, clock)
    seen = []
    while clock.now <= kickoff + timedelta(minutes=d.end + 2):
        (record,) = [
            f for f in provider.fixtures("epl", kickoff.date(), kickoff.date()) if f.external_id == spec.fixture_id
        ]
        seen.append(record)
        if record.status in (MatchStatus.LIVE, MatchStatus.HALF_TIME) and len(seen) % 15 == 0:
            assert record in provider.live()
        clock.now += timedelta(seconds=20)
    phases = [s.status for i, s in enumerate(seen) if i == 0 or s.status != seen[i - 1].status]
    assert phases == [
        MatchStatus.SCHEDULED,
        MatchStatus.LIVE,
        MatchStatus.HALF_TIME,
        MatchStatus.LIVE,
        MatchStatus.FINISHED,
    ]
    live = [s for s in seen if s.status is MatchStatus.LIVE]
    ticks = [(s.minute or 0) + (s.added_time or 0) / 100 for s in live]
    assert ticks == sorted(ticks)
    assert {s.minute for s in live} == set(range(1, 91))
    assert {s.added_time for s in live if s.minute == 45} == {None, *range(1, d.first_added + 1)}
    assert {s.added_time for s in live if s.minute == 90} == {None, *range(1, d.second_added + 1)}
    assert all(s.minute == 45 and s.ht_home_score is not None for s in seen if s.status is MatchStatus.HALF_TIME)
    played = [s for s in seen if s.status is not MatchStatus.SCHEDULED]
    for before, after in itertools.pairwise(played):
        assert (after.home_score or 0) >= (before.home_score or 0)
        assert (after.away_score or 0) >= (before.away_score or 0)
    final = seen[-1]
    assert (final.home_score, final.away_score) == (len(d.home_goals), len(d.away_goals))
    first_half = sum(t < d.first_end for t in d.home_goals), sum(t < d.first_end for t in d.away_goals)
    assert (final.ht_home_score, final.ht_away_score) == first_half


def test_results_over_a_year_look_like_football() -> None:
    provider = DemoProvider(SEED, Clock(datetime(2027, 6, 1, tzinfo=UTC)))
    statuses: Counter[str] = Counter()
    results: Counter[str] = Counter()
    goals = []
    for key in LEAGUES:
        for f in provider.fixtures(key, date(2025, 6, 1), date(2026, 5, 31)):
            statuses[f.status] += 1
            if f.status is MatchStatus.FINISHED:
                h, a = f.home_score or 0, f.away_score or 0
                goals.append(h + a)
                results["H" if h > a else "D" if h == a else "A"] += 1
    assert 2.3 <= sum(goals) / len(goals) <= 3.2
    assert results["H"] > results["A"] > results["D"] > 0.18 * len(goals)
    total = sum(statuses.values())
    assert 0.002 < statuses[MatchStatus.POSTPONED] / total < 0.015
    assert statuses[MatchStatus.ABANDONED] < statuses[MatchStatus.POSTPONED]


def test_postponed_match_is_announced_and_never_priced() -> None:
    lo = int(T0.timestamp())
    specs = [s for key in LEAGUES for s in calendar.matches_between(SEED, key, lo, lo + 400 * 86_400)]
    spec = next(s for s in specs if match.draw_match(SEED, s).postponed_at is not None)
    announced = match.draw_match(SEED, spec).postponed_at or 0
    kickoff = datetime.fromtimestamp(spec.kickoff, UTC)
    for offset, status in ((-1, MatchStatus.SCHEDULED), (0, MatchStatus.POSTPONED)):
        provider = DemoProvider(SEED, Clock(datetime.fromtimestamp(announced + offset, UTC)))
        (record,) = [
            f
            for f in provider.fixtures(spec.league, kickoff.date(), kickoff.date())
            if f.external_id == spec.fixture_id
        ]
        assert record.status is status and record.home_score is None
        priced = {r.fixture_external_id for r in provider.odds(spec.league).prices}
        assert (spec.fixture_id in priced) == (status is MatchStatus.SCHEDULED)
    later = DemoProvider(SEED, Clock(kickoff + timedelta(hours=3)))
    assert later.fixtures(spec.league, kickoff.date(), kickoff.date())


# --- prices ---------------------------------------------------------------------------

INSTANTS = [T0, T0 + timedelta(days=3, hours=2, minutes=11), datetime(2030, 1, 4, 18, 40, tzinfo=UTC)]


@pytest.mark.parametrize("now", INSTANTS)
def test_upcoming_books_have_sane_margins_and_enough_bookmakers(now: datetime) -> None:
    provider = DemoProvider(SEED, Clock(now))
    for key in LEAGUES:
        upcoming = {
            f.external_id
            for f in provider.fixtures(key, now.date(), now.date() + timedelta(days=21))
            if f.status is MatchStatus.SCHEDULED and f.kickoff_at > now and f.kickoff_at <= now + timedelta(days=21)
        }
        books = _books(provider.odds(key))
        assert upcoming and {fid for fid, *_ in books} >= upcoming
        for fid in upcoming:
            full_1x2 = {b for (f, b, m, _), book in books.items() if f == fid and m == "1x2" and len(book) == 3}
            full_ou = {
                b
                for (f, b, m, line), book in books.items()
                if f == fid and m == "ou" and line == 2.5 and len(book) == 2
            }
            assert len(full_1x2 & full_ou) >= 12
        for (fid, _, market, _), book in books.items():
            if fid in upcoming and market == "1x2":
                assert 0.015 <= _overround(book) <= 0.09
        pinnacle = [
            _overround(b) for (f, bk, m, _), b in books.items() if bk == "pinnacle" and m == "1x2" and f in upcoming
        ]
        assert max(pinnacle) < 0.035


def test_prices_are_valid_rounded_and_never_underround() -> None:
    for now in INSTANTS:
        batch = DemoProvider(SEED, Clock(now)).odds("epl")
        assert batch.observed_at == now
        for r in batch.prices:
            assert 1.01 <= r.price <= 1001
            assert r.source_updated_at is not None and r.source_updated_at <= now
            if BOOKMAKERS[r.bookmaker.key].fractional:
                assert r.price in FRACTIONAL_LADDER
            else:
                assert round(r.price, 2) == r.price
        for book in _books(batch).values():
            assert _overround(book) > 0


def test_live_matches_are_priced_in_play_and_finished_ones_are_not() -> None:
    spec = _next_normal_match(T0)
    kickoff = datetime.fromtimestamp(spec.kickoff, UTC)
    d = match.draw_match(SEED, spec)
    late = kickoff + timedelta(minutes=d.end - 1)
    for now, priced in (
        (kickoff + timedelta(minutes=30), True),
        (late, True),
        (kickoff + timedelta(minutes=d.end + 1), False),
    ):
        batch = DemoProvider(SEED, Clock(now)).odds("epl")
        prices = [r for r in batch.prices if r.fixture_external_id == spec.fixture_id]
        assert bool(prices) is priced
        for r in prices:
            assert r.source_updated_at is not None
            assert kickoff <= r.source_updated_at <= now
            assert now - r.source_updated_at <= timedelta(minutes=2)
    (leader, *_) = sorted(
        (
            r
            for r in DemoProvider(SEED, Clock(late)).odds("epl").prices
            if r.fixture_external_id == spec.fixture_id and r.market == "1x2"
        ),
        key=lambda r: r.price,
    )
    assert leader.price <= 1.2  # a minute from time the result is all but decided


def test_prices_are_constant_within_a_bucket_and_move_across_buckets() -> None:
    spec = _next_normal_match(T0)
    kickoff = datetime.fromtimestamp(spec.kickoff, UTC)
    before = kickoff - timedelta(hours=2, minutes=7)
    first = _books(DemoProvider(SEED, Clock(before)).odds("epl"))
    second = _books(DemoProvider(SEED, Clock(before + timedelta(seconds=1))).odds("epl"))
    same_bucket = 0
    for key, book in first.items():
        other = second[key]
        stamp = {r.source_updated_at for r in book.values()}
        if stamp == {r.source_updated_at for r in other.values()}:
            same_bucket += 1
            assert {o: r.price for o, r in book.items()} == {o: r.price for o, r in other.items()}
    assert same_bucket >= 0.95 * len(first)
    later = _books(DemoProvider(SEED, Clock(before + timedelta(minutes=30))).odds("epl"))
    moved: set[str] = set()
    for (fid, bk, market, line), book in first.items():
        if fid != spec.fixture_id:
            continue
        newer = later[(fid, bk, market, line)]
        assert all(r.source_updated_at and r.source_updated_at > before for r in newer.values())
        if {o: r.price for o, r in book.items()} != {o: r.price for o, r in newer.items()}:
            moved.add(bk)
    assert len(moved) >= 8


def test_team_news_makes_every_bookmaker_reprice_within_minutes() -> None:
    lo = int((T0 + timedelta(days=4)).timestamp())
    spec, when = next(
        (s, w)
        for s in calendar.matches_between(SEED, "epl", lo, lo + 14 * 86_400)
        for w, _, _ in match.draw_match(SEED, s).news
        if s.kickoff - w > 7 * 3600
    )
    news = datetime.fromtimestamp(when, UTC)

    def stamps(now: datetime) -> list[datetime]:
        return [
            r.source_updated_at
            for r in DemoProvider(SEED, Clock(now)).odds("epl").prices
            if r.fixture_external_id == spec.fixture_id and r.source_updated_at
        ]

    before, after = stamps(news - timedelta(seconds=1)), stamps(news + timedelta(minutes=3))
    assert all(s < news for s in before)
    assert after and all(news < s <= news + timedelta(minutes=2) for s in after)


def test_best_prices_across_bookmakers_rarely_form_an_arbitrage() -> None:
    markets = arbs = 0
    for hours in range(0, 24 * 14, 11):
        now = T0 + timedelta(hours=hours)
        provider = DemoProvider(SEED, Clock(now))
        live = {f.external_id for f in provider.live()}
        best: dict[tuple[str, float | None, str], dict[str, float]] = defaultdict(dict)
        for r in provider.odds("seriea").prices:
            if r.fixture_external_id not in live:
                key = (r.fixture_external_id, r.line, r.market)
                best[key][r.outcome] = max(best[key].get(r.outcome, 0.0), r.price)
        markets += len(best)
        arbs += sum(sum(1 / p for p in book.values()) < 1 for book in best.values())
    assert markets > 1000 and arbs / markets < 0.05


@pytest.mark.parametrize(("hours_before", "longest"), [(100, 9), (20, 1.5), (3, 0.25)])
def test_repricing_cadence_slows_with_distance_to_kickoff(hours_before: int, longest: float) -> None:
    spec = _next_normal_match(T0 + timedelta(days=5))
    now = datetime.fromtimestamp(spec.kickoff, UTC) - timedelta(hours=hours_before)
    prices = [r for r in DemoProvider(SEED, Clock(now)).odds("epl").prices if r.fixture_external_id == spec.fixture_id]
    assert prices
    ages = [now - r.source_updated_at for r in prices if r.source_updated_at]
    assert max(ages) <= timedelta(hours=longest)


# --- standings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now", [T0, datetime(2027, 1, 20, 22, 0, tzinfo=UTC), datetime(2029, 3, 9, 0, 0, 5, tzinfo=UTC)]
)
def test_standings_add_up(now: datetime) -> None:
    provider = DemoProvider(SEED, Clock(now))
    for comp in provider.competitions():
        table = provider.standings(comp.key)
        league = LEAGUES[comp.key]
        assert [row.position for row in table] == list(range(1, len(league.clubs) + 1))
        assert {row.team.name for row in table} == {c.name for c in league.clubs}
        for row in table:
            assert row.played == row.won + row.drawn + row.lost
            assert row.points == 3 * row.won + row.drawn
            assert len(row.form) == min(5, row.played) and set(row.form) <= set("WDL")
            assert row.season == comp.season
        assert sum(r.goals_for for r in table) == sum(r.goals_against for r in table)
        keys = [(-r.points, r.goals_against - r.goals_for, -r.goals_for, r.team.name) for r in table]
        assert keys == sorted(keys)
        finished = [
            f
            for f in provider.fixtures(comp.key, comp.season_start, now.date())
            if f.status is MatchStatus.FINISHED and f.season == comp.season
        ]
        assert sum(r.played for r in table) == 2 * len(finished)
        assert sum(r.goals_for for r in table) == sum((f.home_score or 0) + (f.away_score or 0) for f in finished)


def test_standings_at_season_start_list_every_club_with_nothing_played() -> None:
    league = LEAGUES["bundesliga"]
    start = datetime.fromtimestamp(calendar.season_start_ts(league, 12), UTC)
    table = DemoProvider(SEED, Clock(start + timedelta(hours=1))).standings("bundesliga")
    assert len(table) == 18
    assert all(row.played == 0 and row.points == 0 and row.form == "" for row in table)
