"""My matches: what a fan follows, live first, then by kickoff, from today for two weeks, kept live."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.favourites import services
from app.football.models import Match
from tests.conftest import NOW
from tests.factories import make_match
from tests.favourites.conftest import row_ids


def a_league_of_matches() -> dict[str, Match]:
    """Matches of one test league: in play, played today and yesterday, to come, and past the fortnight."""
    return {
        "finished yesterday": make_match(NOW - timedelta(days=1), status="finished", home_score=1, away_score=0),
        "finished today": make_match(NOW - timedelta(hours=4), status="finished", home_score=2, away_score=2),
        "live, early": make_match(NOW - timedelta(minutes=80), status="live", minute=75, home_score=0, away_score=1),
        "live, late": make_match(NOW - timedelta(minutes=10), status="live", minute=10, home_score=0, away_score=0),
        "soon": make_match(NOW + timedelta(hours=2)),
        "tomorrow": make_match(NOW + timedelta(days=1)),
        "in three weeks": make_match(NOW + timedelta(days=21)),
    }


def test_my_matches_are_live_first_then_by_kickoff_from_today_for_two_weeks(fan):
    games = a_league_of_matches()
    fan.follow("league", games["soon"].competition_id)
    page = fan.client.get("/my")
    assert page.status_code == 200
    expected = ["live, early", "live, late", "finished today", "soon", "tomorrow"]
    assert row_ids(page.get_data(as_text=True)) == [games[name].id for name in expected]


def test_a_followed_team_brings_its_matches_home_and_away_and_no_others(fan):
    home = make_match(NOW + timedelta(hours=3), home="Followed FC", away="Rovers")
    make_match(NOW + timedelta(hours=5), home="Unfollowed Town", away="Wanderers")
    db.session.add(Match(**{**_fixture(home), "home_team_id": home.away_team_id, "away_team_id": home.home_team_id}))
    db.session.commit()
    fan.follow("team", home.home_team_id)
    ids = row_ids(fan.client.get("/my").get_data(as_text=True))
    played_by_them = db.session.query(Match.id).filter(
        (Match.home_team_id == home.home_team_id) | (Match.away_team_id == home.home_team_id)
    )
    assert sorted(ids) == sorted(i for (i,) in played_by_them) and len(ids) == 2


def _fixture(match: Match) -> dict:
    fields = ("competition_id", "season_id", "kickoff_at")
    return {f: getattr(match, f) for f in fields} | {"kickoff_at": match.kickoff_at + timedelta(days=7)}


def test_a_followed_match_shows_with_its_star_on_and_the_page_listens_to_its_days(fan):
    game = make_match(NOW + timedelta(days=2))
    fan.follow("match", game.id)
    html = fan.client.get("/my").get_data(as_text=True)
    assert row_ids(html) == [game.id]
    assert 'hx-get="/follows/marks"' in html  # the row's star is swapped for the fan's own
    socket = html.split('ws-connect="', 1)[1].split('"', 1)[0]
    assert "matches%3A2026-11-21" in socket and "matches%3A2026-11-23" in socket
    assert f"user%3A{fan.user.id}" in socket


def test_over_htmx_my_matches_is_the_list_alone(fan):
    game = make_match(NOW + timedelta(days=2))
    fan.follow("match", game.id)
    answer = fan.client.get("/my", headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="favourites-list"') and "<html" not in html
    assert "HX-Request" in answer.headers["Vary"]
    assert "live:favourites from:body" in html  # what the fan's own topic tells it


def test_the_empty_page_says_how_to_follow(fan):
    html = fan.client.get("/my").get_data(as_text=True)
    assert "You follow nothing yet" in html and "Tap the ☆" in html
    fan.follow("match", make_match(NOW + timedelta(days=30)).id)
    assert "Nothing you follow plays between today and two weeks from now" in fan.client.get("/my").get_data(
        as_text=True
    )


def test_a_visitor_is_asked_to_sign_in_first(client):
    answer = client.get("/my")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_a_fans_matches_are_their_own(fan, make_user):
    games = a_league_of_matches()
    other = make_user("other@example.com")
    services.follow(other.id, "match", games["soon"].id)
    db.session.commit()
    assert services.my_matches(fan.user.id, NOW - timedelta(days=1), NOW + timedelta(days=14)) == []
    assert row_ids(fan.client.get("/my").get_data(as_text=True)) == []


def test_the_query_puts_live_matches_first_so_the_limit_never_cuts_them(fan):
    games = a_league_of_matches()
    services.follow(fan.user.id, "league", games["soon"].competition_id)
    found = services.my_matches(fan.user.id, NOW - timedelta(hours=5), NOW + timedelta(days=14))
    assert [m.id for m in found] == [
        games[n].id for n in ("live, early", "live, late", "finished today", "soon", "tomorrow")
    ]
