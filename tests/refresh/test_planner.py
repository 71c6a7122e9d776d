"""The quota planner: tiers, closing lines, the degradation ladder, and a month within the free budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.providers.demo import DemoProvider
from app.providers.records import MatchStatus
from app.refresh.planner import Budget, Fixture, interval, live_interval, plan_odds

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MONTH_END = NOW + timedelta(days=30)


def one_region(markets) -> int:
    return len(markets)  # The Odds API: markets x regions, with one region


@pytest.mark.parametrize(
    ("until", "watchers", "expected"),
    [
        (timedelta(minutes=30), 0, timedelta(minutes=20)),
        (timedelta(hours=3), 0, timedelta(hours=2)),
        (timedelta(hours=12), 0, timedelta(hours=6)),
        (timedelta(days=2), 0, timedelta(hours=12)),
        (timedelta(days=9), 0, timedelta(hours=24)),
        (timedelta(hours=3), 4, timedelta(hours=1)),
    ],
)
def test_intervals_are_tiered_by_time_to_kickoff_and_halved_when_watched(until, watchers, expected):
    assert interval(until, watchers) == expected


def test_the_closing_line_is_captured_first_and_once():
    fixtures = [Fixture("epl", NOW + timedelta(minutes=5)), Fixture("seriea", NOW + timedelta(hours=30))]
    plan = plan_odds(
        NOW,
        fixtures,
        {"epl": NOW - timedelta(minutes=30), "seriea": NOW - timedelta(days=2)},
        Budget(400, MONTH_END),
        one_region,
    )
    assert (plan.refreshes[0].league, plan.refreshes[0].reason) == ("epl", "closing line")
    after = plan_odds(
        NOW + timedelta(minutes=1), fixtures, {"epl": NOW, "seriea": NOW}, Budget(396, MONTH_END), one_region
    )
    assert after.refreshes == ()


def test_watched_matches_come_before_the_rest():
    fixtures = [
        Fixture("bundesliga", NOW + timedelta(hours=3)),
        Fixture("ligue1", NOW + timedelta(hours=3), watchers=9),
    ]
    plan = plan_odds(NOW, fixtures, {}, Budget(400, MONTH_END), one_region)
    assert [r.league for r in plan.refreshes] == ["ligue1", "bundesliga"]
    assert plan.refreshes[0].reason.startswith("watched")


def test_the_degradation_ladder_as_the_budget_runs_low():
    fixtures = [
        Fixture(lg, NOW + timedelta(hours=h))
        for lg in ("epl", "laliga", "seriea", "bundesliga", "ligue1")
        for h in (2, 26, 50)
    ]
    # Daily need with a match 2 h away in each of five leagues: 2 markets x 12 a day x 5 = 120 credits,
    # 60 with one market, 20 at a third of the rate, 4 for two leagues at a sixth; 30 days to the reset.
    levels = [
        plan_odds(NOW, fixtures, {}, Budget(credits, MONTH_END, reserve=20), one_region)
        for credits in (5000, 2500, 700, 160, 20)
    ]
    assert [p.level_name for p in levels] == [
        "full",
        "fewer markets",
        "longer intervals",
        "top leagues only",
        "stored data only",
    ]
    assert all(r.markets == ("h2h",) for p in levels[1:] for r in p.refreshes)
    assert {r.league for r in levels[3].refreshes} <= {"epl", "laliga"}
    assert levels[4].refreshes == ()


def test_the_reserve_is_kept_for_closing_lines():
    fixtures = [Fixture("epl", NOW + timedelta(minutes=5)), Fixture("laliga", NOW + timedelta(hours=2))]
    plan = plan_odds(NOW, fixtures, {}, Budget(3, MONTH_END, reserve=3), one_region)
    assert [r.reason for r in plan.refreshes] == ["closing line"]


def test_a_simulated_month_stays_within_the_free_odds_budget_and_captures_closing_lines():
    demo = DemoProvider(seed=7, clock=lambda: NOW)
    fixtures = [
        Fixture(r.competition_key, r.kickoff_at)
        for league in ("epl", "laliga", "seriea", "bundesliga", "ligue1")
        for r in demo.fixtures(league, NOW.date(), MONTH_END.date())
        if r.status != MatchStatus.POSTPONED and NOW < r.kickoff_at < MONTH_END
    ]
    budget, last, captured, spent = 500, {}, set(), 0
    now = NOW
    while now < MONTH_END:
        plan = plan_odds(
            now,
            [f for f in fixtures if f.kickoff > now],
            last,
            Budget(budget - spent, MONTH_END, reserve=60),
            one_region,
        )
        for r in plan.refreshes:
            spent += r.cost
            last[r.league] = now
            if r.reason == "closing line":
                captured |= {
                    f
                    for f in fixtures
                    if f.league == r.league and timedelta(0) < f.kickoff - now <= timedelta(minutes=10)
                }
        now += timedelta(minutes=5)
    assert spent <= 500
    share = len(captured) / len(fixtures)
    assert share >= 0.9, f"closing lines of only {share:.0%} of {len(fixtures)} matches"


def test_live_polling_lasts_the_day_within_the_daily_calls():
    now, until = NOW, NOW.replace(hour=22, minute=45)
    calls, left = 0, 100 - 15  # 15 already spent on fixtures, standings and lineups
    while now < until:
        every = live_interval(now, left - calls, reserve=5, live_until=until)
        if every is None:
            break
        calls += 1
        now += every
    assert calls <= 100 - 15 - 5 and now >= until - timedelta(minutes=15)
    assert live_interval(NOW, calls_left=5, reserve=5, live_until=until) is None
