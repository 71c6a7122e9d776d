"""Fixture, live-score and standings ingest: canonical teams, idempotent upserts, no duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.football import ingest
from app.football.jobs import RESULTS_DAYS, refresh_fixtures, refresh_live, refresh_season_results, refresh_standings
from app.football.models import Competition, Match, Season, Standing, Team, TeamAlias
from app.providers.demo import DemoProvider


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_refreshing_fixtures_again_writes_nothing(app):
    before = (count(Match), count(Team), count(TeamAlias))
    summary = refresh_fixtures("epl")
    assert summary["records"] > 0 and summary["written"] == 0
    assert (count(Match), count(Team), count(TeamAlias)) == before


def test_the_seasons_earlier_results_are_there_for_the_model_and_a_second_read_writes_nothing(app, clock):
    season = db.session.scalars(
        select(Season).join(Competition).where(Competition.key == "epl").order_by(Season.starts_on.desc())
    ).first()
    window_start = datetime.combine(clock().date() - timedelta(days=RESULTS_DAYS), time(), tzinfo=UTC)
    earlier = (
        select(func.count())
        .select_from(Match)
        .where(Match.season_id == season.id, Match.status == "finished", Match.kickoff_at < window_start)
    )
    seeded = db.session.scalar(earlier)
    assert seeded >= 10 * 10  # ten rounds and more before the fixtures' four weeks
    assert (
        db.session.scalar(select(func.min(Match.kickoff_at)).where(Match.season_id == season.id)).date()
        >= season.starts_on
    )
    summary = refresh_season_results("epl")
    assert summary["records"] >= seeded and summary["written"] == 0
    clock.now = datetime.combine(season.starts_on + timedelta(days=RESULTS_DAYS), time(12), tzinfo=UTC)
    assert "skipped" in refresh_season_results("epl")  # early in a season, the fixtures' window holds it all


def test_each_club_exists_once(app):
    duplicated = db.session.execute(select(Team.name, func.count()).group_by(Team.name).having(func.count() > 1)).all()
    assert duplicated == []
    assert count(Team) == 20 + 20 + 20 + 18 + 18


def test_live_refresh_follows_matches_as_they_play(app, clock):
    live_before = {
        m.id: (m.minute, m.home_score, m.away_score)
        for m in db.session.scalars(select(Match).where(Match.status == "live"))
    }
    assert live_before
    clock.advance(minutes=20)
    summary = refresh_live()
    assert summary["written"] > 0
    for match_id, (minute, home, away) in live_before.items():
        match = db.session.get(Match, match_id)
        assert match.status in ("live", "half_time", "finished")
        assert match.home_score >= home and match.away_score >= away
        if match.status == "live":
            assert match.minute > minute


def test_a_match_that_finished_between_looks_is_marked_finished(app, clock):
    live = db.session.scalars(select(Match).where(Match.status.in_(("live", "half_time")))).all()
    clock.advance(hours=3)
    refresh_live()
    for match in live:
        db.session.refresh(match)
        assert match.status == "finished", match.id


def test_a_non_authoritative_provider_never_creates_teams(app, clock):
    demo = DemoProvider(seed=7, clock=lambda: clock.now)
    today = clock.now.date()
    records = demo.fixtures("epl", today, today + timedelta(days=7))
    renamed = [
        replace(r, home=replace(r.home, external_id="x-" + r.home.external_id, name="Mystery FC")) for r in records
    ]
    before = (count(Team), count(Match))
    result = ingest.upsert_fixtures("other-provider", False, renamed)
    db.session.commit()
    assert result.created == 0 and "Mystery FC" in result.unresolved
    assert (count(Team), count(Match)) == before


def test_standings_refresh_is_idempotent_and_complete(app):
    summary = refresh_standings("bundesliga")
    assert summary["records"] == 18 and summary["written"] == 0
    rows = db.session.scalars(select(Standing).join(Team).order_by(Standing.position)).all()
    assert all(r.played == r.won + r.drawn + r.lost for r in rows)
    assert all(r.points == 3 * r.won + r.drawn for r in rows)
