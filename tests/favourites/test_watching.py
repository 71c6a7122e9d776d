"""Followed matches count as watched: the planner spends its quota on them first."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.favourites import services
from app.odds.jobs import _upcoming
from app.refresh import watching
from tests.conftest import NOW
from tests.factories import make_match


def test_the_planner_sees_a_followed_match_and_a_followed_teams_match_as_watched(make_user):
    followed = make_match(NOW + timedelta(hours=2, minutes=1))
    teams = make_match(NOW + timedelta(hours=2, minutes=2))
    leagues = make_match(NOW + timedelta(hours=2, minutes=3), competition_key="testleague2")
    nobodys = make_match(NOW + timedelta(hours=2, minutes=4))
    fan = make_user()
    services.follow(fan.id, "match", followed.id)
    services.follow(fan.id, "team", teams.away_team_id)
    services.follow(fan.id, "league", leagues.competition_id)  # a whole league would be too much: not watched
    db.session.commit()

    assert watching.watched([followed.id, teams.id, leagues.id, nobodys.id]) == {followed.id, teams.id}
    watchers = {f.kickoff: f.watchers for f in _upcoming()}
    assert watchers[followed.kickoff_at] == 1 and watchers[teams.kickoff_at] == 1
    assert watchers[leagues.kickoff_at] == 0 and watchers[nobodys.kickoff_at] == 0


def test_unfollowing_stops_the_watching(make_user):
    game = make_match(NOW + timedelta(hours=2))
    fan = make_user()
    services.follow(fan.id, "match", game.id)
    db.session.commit()
    assert watching.watched([game.id]) == {game.id}
    services.unfollow(fan.id, "match", game.id)
    db.session.commit()
    assert watching.watched([game.id]) == set()
