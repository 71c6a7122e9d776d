"""The demo provider's match detail: line-ups, events, statistics, head-to-head, team season totals."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.providers.base import ProviderError
from app.providers.demo import DemoProvider, calendar, squads
from app.providers.demo.squads import FORMATIONS
from app.providers.demo.world import LEAGUES
from app.providers.records import EventKind, FixtureRecord, MatchEventRecord, MatchStatus
from tests.conftest import Clock
from tests.providers.conftest import clear_demo_caches

SEED = 7
T0 = datetime(2026, 7, 15, 15, 7, 30, tzinfo=UTC)
GOALS = (EventKind.GOAL, EventKind.PENALTY_GOAL)


def _finished(provider: DemoProvider, key: str = "epl", days: int = 28) -> list[FixtureRecord]:
    """The league's matches finished in the last `days` days."""
    today = provider._clock().date()
    return [f for f in provider.fixtures(key, today - timedelta(days=days), today) if f.status is MatchStatus.FINISHED]


def _goals(events: list[MatchEventRecord], fixture: FixtureRecord) -> tuple[int, int]:
    """Goal events per side (home, away)."""
    home = sum(e.kind in GOALS and e.team == fixture.home for e in events)
    away = sum(e.kind in GOALS and e.team == fixture.away for e in events)
    return home, away


def _live_fixture(clock: Clock) -> tuple[DemoProvider, FixtureRecord]:
    """A provider on the clock and a match in play at the clock's instant."""
    provider = DemoProvider(SEED, clock)
    live = [f for f in provider.live() if f.status is MatchStatus.LIVE]
    assert live
    return provider, live[0]


def test_capabilities_match_the_api_football_client() -> None:
    assert {"lineups", "events", "stats", "head_to_head", "team_stats"} <= DemoProvider.capabilities


def test_same_seed_and_clock_give_identical_detail() -> None:
    def snapshot() -> tuple[Any, ...]:
        provider = DemoProvider(SEED, Clock(T0))
        ids = [f.external_id for f in _finished(provider, "seriea", 7)]
        f = _finished(provider, "seriea", 7)[0]
        return (
            [provider.lineups(i) for i in ids],
            [provider.events(i) for i in ids],
            [provider.statistics(i) for i in ids],
            provider.head_to_head(f.home.external_id, f.away.external_id),
            provider.team_statistics("seriea", f.home.external_id),
        )

    first = snapshot()
    clear_demo_caches()
    assert snapshot() == first
    assert first[1] and all(first[1])


def test_different_seeds_give_different_squads() -> None:
    def names(seed: int) -> set[str]:
        provider = DemoProvider(seed, Clock(T0))
        return {
            p.name for f in _finished(provider, "epl", 7) for lu in provider.lineups(f.external_id) for p in lu.starting
        }

    assert names(SEED) != names(SEED + 1)


@pytest.mark.parametrize("key", sorted(LEAGUES))
def test_goal_events_add_up_to_every_final_score(key: str) -> None:
    provider = DemoProvider(SEED, Clock(T0))
    finished = _finished(provider, key)
    assert len(finished) >= 30
    for f in finished:
        events = provider.events(f.external_id)
        assert _goals(events, f) == (f.home_score, f.away_score)
        first_half = [e for e in events if e.minute is not None and e.minute <= 45]
        assert _goals(first_half, f) == (f.ht_home_score, f.ht_away_score)
        order = [(e.minute or 0, e.extra_minute or 0) for e in events]
        assert order == sorted(order)


def test_a_live_match_shows_nothing_beyond_the_clock() -> None:
    clock = Clock(T0)
    provider, fixture = _live_fixture(clock)
    kickoff, seen = fixture.kickoff_at, 0
    for minutes in range(0, 125, 3):
        clock.now = kickoff + timedelta(minutes=minutes, seconds=30)
        [now] = [
            f
            for f in provider.fixtures(fixture.competition_key, kickoff.date(), kickoff.date())
            if f.external_id == fixture.external_id
        ]
        events = provider.events(fixture.external_id)
        assert len(events) >= seen  # what has happened stays happened
        seen = len(events)
        assert _goals(events, now) == (now.home_score, now.away_score)
        if now.status is MatchStatus.LIVE:
            assert now.minute is not None
            shown = (now.minute, now.added_time or 0)
            assert all((e.minute or 0, e.extra_minute or 0) <= shown for e in events)
    assert now.status is MatchStatus.FINISHED and seen > 0


def test_nothing_before_kickoff() -> None:
    clock = Clock(T0)
    provider, fixture = _live_fixture(clock)
    clock.now = fixture.kickoff_at - timedelta(seconds=1)
    assert provider.events(fixture.external_id) == []
    assert provider.statistics(fixture.external_id) == []
    assert len(provider.lineups(fixture.external_id)) == 2


def test_lineups_follow_the_formation_with_unique_numbers() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    for f in _finished(provider, "bundesliga", 14):
        home, away = provider.lineups(f.external_id)
        assert (home.team, away.team) == (f.home, f.away)
        for lu in (home, away):
            assert lu.formation in FORMATIONS and lu.coach
            assert len(lu.starting) == 11 and len(lu.substitutes) == 7
            rows = [int(n) for n in (lu.formation or "").split("-")]
            positions = Counter(p.position for p in lu.starting)
            assert positions == Counter({"G": 1, "D": rows[0], "M": sum(rows[1:-1]), "F": rows[-1]})
            assert Counter(p.position for p in lu.substitutes)["G"] == 1
            everyone = lu.starting + lu.substitutes
            assert len({p.number for p in everyone}) == 18
            assert len({p.name for p in everyone}) == 18
            assert all(p.grid for p in lu.starting)


def test_a_club_keeps_its_squad_across_matches() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    shirts: dict[str, dict[int | None, str]] = {}
    for f in _finished(provider, "ligue1"):
        for lu in provider.lineups(f.external_id):
            for p in lu.starting + lu.substitutes:
                assert shirts.setdefault(lu.team.external_id, {}).setdefault(p.number, p.name) == p.name
    assert len(shirts) == len(LEAGUES["ligue1"].clubs)
    assert all(18 < len(numbers) <= len(squads.SQUAD_SHAPE) for numbers in shirts.values())


def test_lineups_appear_one_hour_before_kickoff() -> None:
    clock = Clock(T0)
    provider, fixture = _live_fixture(clock)
    clock.now = fixture.kickoff_at - timedelta(hours=1, seconds=1)
    assert provider.lineups(fixture.external_id) == []
    clock.now = fixture.kickoff_at - timedelta(hours=1)
    assert len(provider.lineups(fixture.external_id)) == 2


def test_event_players_come_from_the_lineup() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    for f in _finished(provider, "laliga", 14):
        sheets = {lu.team: lu for lu in provider.lineups(f.external_id)}
        for e in provider.events(f.external_id):
            lu = sheets[e.team]
            if e.kind is EventKind.SUBSTITUTION:
                assert e.assist in {p.name for p in lu.substitutes}
                assert e.minute is not None and e.minute >= 60
            assert e.player in {p.name for p in lu.starting + lu.substitutes}


def test_statistics_are_consistent_with_events_and_score() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    for f in _finished(provider, "epl", 14):
        home, away = provider.statistics(f.external_id)
        events = provider.events(f.external_id)
        assert (home.team, away.team) == (f.home, f.away)
        assert (home.stats["ball_possession"] or 0) + (away.stats["ball_possession"] or 0) == 100
        for stats, score in ((home, f.home_score), (away, f.away_score)):
            cards = [e for e in events if e.team == stats.team]
            assert stats.stats["yellow_cards"] == sum(e.kind is EventKind.YELLOW_CARD for e in cards)
            assert stats.stats["red_cards"] == sum(e.kind is EventKind.RED_CARD for e in cards)
            assert (stats.stats["shots_on_goal"] or 0) >= (score or 0)
            assert (stats.stats["total_shots"] or 0) >= (stats.stats["shots_on_goal"] or 0)
            assert (stats.stats["expected_goals"] or 0) > 0


def test_statistics_grow_with_the_match() -> None:
    clock = Clock(T0)
    provider, fixture = _live_fixture(clock)
    previous: dict[str, float | None] = {}
    for minutes in range(1, 125, 6):
        clock.now = fixture.kickoff_at + timedelta(minutes=minutes)
        home, away = provider.statistics(fixture.external_id)
        assert (home.stats["ball_possession"] or 0) + (away.stats["ball_possession"] or 0) == 100
        yellows = sum(
            e.kind is EventKind.YELLOW_CARD and e.team == fixture.home for e in provider.events(fixture.external_id)
        )
        assert home.stats["yellow_cards"] == yellows
        for key in ("total_shots", "fouls", "corner_kicks", "expected_goals", "total_passes"):
            assert (home.stats[key] or 0) >= (previous.get(key) or 0)
        previous = home.stats
    assert (previous["total_passes"] or 0) > 200


@pytest.mark.parametrize("key", ["epl", "bundesliga"])
def test_team_statistics_equal_the_standings_row(key: str) -> None:
    provider = DemoProvider(SEED, Clock(T0 + timedelta(days=60)))
    rows = provider.standings(key)
    assert rows[0].played > 5
    season_start = next(c for c in provider.competitions() if c.key == key).season_start
    results = [
        f for f in provider.fixtures(key, season_start, provider._clock().date()) if f.status is MatchStatus.FINISHED
    ]
    for row in rows:
        stats = provider.team_statistics(key, row.team.external_id)
        assert (
            stats.team,
            stats.season,
            stats.played,
            stats.won,
            stats.drawn,
            stats.lost,
            stats.goals_for,
            stats.goals_against,
            stats.form,
        ) == (
            row.team,
            row.season,
            row.played,
            row.won,
            row.drawn,
            row.lost,
            row.goals_for,
            row.goals_against,
            row.form,
        )
        against = [
            f.away_score if f.home == row.team else f.home_score for f in results if row.team in (f.home, f.away)
        ]
        scored = [f.home_score if f.home == row.team else f.away_score for f in results if row.team in (f.home, f.away)]
        assert stats.clean_sheets == against.count(0)
        assert stats.failed_to_score == scored.count(0)


def test_head_to_head_lists_only_finished_meetings_newest_first() -> None:
    provider = DemoProvider(SEED, Clock(T0))
    f = _finished(provider)[0]
    meetings = provider.head_to_head(f.home.external_id, f.away.external_id, last=50)
    assert len(meetings) > 10 and meetings[0] == f
    assert all({m.home, m.away} == {f.home, f.away} for m in meetings)
    assert all(m.status is MatchStatus.FINISHED for m in meetings)
    kickoffs = [m.kickoff_at for m in meetings]
    assert kickoffs == sorted(kickoffs, reverse=True) and len(set(kickoffs)) == len(kickoffs)
    assert provider.head_to_head(f.away.external_id, f.home.external_id, last=3) == meetings[:3]
    assert provider.head_to_head(f.home.external_id, f.away.external_id) == meetings[:10]
    assert provider.head_to_head(f.home.external_id, "laliga-rma") == []


def test_head_to_head_before_the_first_meeting_is_empty() -> None:
    provider = DemoProvider(SEED, Clock(calendar.EPOCH + timedelta(days=1)))
    assert provider.head_to_head("epl-ars", "epl-che") == []


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.events("epl-2026-27-r1-xxx-yyy"),
        lambda p: p.lineups("nope"),
        lambda p: p.statistics(12345),
        lambda p: p.head_to_head("epl-ars", "epl-zzz"),
        lambda p: p.team_statistics("epl", "epl-zzz"),
        lambda p: p.team_statistics("mls", "epl-ars"),
        lambda p: p.team_statistics("epl", "laliga-rma"),
        lambda p: p.head_to_head("epl-ars", "epl-che", last=0),
    ],
)
def test_unknown_ids_raise_provider_error(call: Any) -> None:
    with pytest.raises(ProviderError) as err:
        call(DemoProvider(SEED, Clock(T0)))
    assert err.value.provider == "demo"


def test_unknown_fixture_names_the_call_and_the_id() -> None:
    with pytest.raises(ProviderError) as err:
        DemoProvider(SEED, Clock(T0)).events("epl-2026-27-r1-xxx-yyy")
    assert (err.value.call, err.value.reason) == ("events", "unknown fixture 'epl-2026-27-r1-xxx-yyy'")


def test_head_to_head_leaves_out_a_meeting_in_play() -> None:
    clock = Clock(T0)
    provider, fixture = _live_fixture(clock)
    ids = [m.external_id for m in provider.head_to_head(fixture.home.external_id, fixture.away.external_id)]
    assert ids and fixture.external_id not in ids
    clock.now = fixture.kickoff_at + timedelta(hours=3)
    latest = provider.head_to_head(fixture.home.external_id, fixture.away.external_id, last=1)
    assert [m.external_id for m in latest] == [fixture.external_id]
