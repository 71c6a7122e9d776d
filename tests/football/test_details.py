"""A match's line-ups, events, statistics and past meetings: fetched, stored, shown, kept through outages."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.football import details
from app.football.jobs import refresh_details, refresh_due_details
from app.football.models import Match, MatchDetail


def live_match() -> Match:
    return db.session.scalars(select(Match).where(Match.status == "live").order_by(Match.id)).first()


def test_a_live_matchs_details_are_stored_and_agree_with_its_score(app):
    match = live_match()
    refresh_details(match.id)
    stored = details.of(match.id)
    assert set(stored) == {"lineups", "events", "stats", "h2h"}
    goals = [e for e in stored["events"] if e["kind"] in ("goal", "penalty_goal", "own_goal")]
    home = sum(1 for e in goals if (e["side"] == "home") != (e["kind"] == "own_goal"))
    assert (home, len(goals) - home) == (match.home_score, match.away_score)
    assert sorted(s["side"] for s in stored["lineups"]) == ["away", "home"]
    assert all(len(s["starting"]) == 11 for s in stored["lineups"])


def test_refreshing_again_writes_nothing(app):
    match = live_match()
    refresh_details(match.id)
    assert refresh_details(match.id)["written"] == 0


def test_the_match_page_shows_them(client):
    match = live_match()
    refresh_details(match.id)
    html = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert f'id="matches-details-{match.id}"' in html
    for title in ("Match events", "Statistics", "Line-ups", "Last meetings"):
        assert title in html
    lineup = details.of(match.id)["lineups"][0]
    assert lineup["starting"][0]["name"] in html and lineup["formation"] in html


def test_new_events_reach_a_page_already_cached(client, clock):
    match = live_match()
    refresh_details(match.id)
    before = client.get(f"/matches/{match.id}").get_data(as_text=True)
    clock.advance(minutes=30)
    summary = refresh_details(match.id)
    after = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert summary["written"] > 0 and after.count('class="event') > before.count('class="event')


def test_only_matches_about_to_start_in_play_or_just_finished_are_refreshed(app, clock):
    refreshed = refresh_due_details()
    kickoffs = dict(db.session.execute(select(Match.id, Match.kickoff_at).where(Match.id.in_(refreshed))).all())
    assert refreshed and all(abs(clock.now - k).total_seconds() <= 3 * 3600 for k in kickoffs.values())
    assert all("error" not in outcome for outcome in refreshed.values())


def test_when_no_provider_answers_the_stored_details_stay(app):
    match = live_match()
    refresh_details(match.id)
    rows = db.session.scalar(select(func.count()).select_from(MatchDetail))
    summary = refresh_details(match.id, provider="api-football")
    assert summary["written"] == 0 and summary["errors"]
    assert all("not configured" in e for e in summary["errors"])
    assert db.session.scalar(select(func.count()).select_from(MatchDetail)) == rows


def test_plain_turns_records_into_json_ready_data():
    from datetime import UTC, datetime

    from app.providers.records import EventKind, MatchEventRecord, TeamRef

    event = MatchEventRecord("f1", TeamRef("t1", "Home FC"), EventKind.GOAL, 12, detail="Normal Goal")
    assert details.plain(event)["kind"] == "goal" and details.plain(event)["team"]["name"] == "Home FC"
    assert details.plain({"at": datetime(2026, 1, 1, tzinfo=UTC)}) == {"at": "2026-01-01T00:00:00+00:00"}
