"""A goal in a followed match tells its followers' open pages to fetch My matches again, on their own topic only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.favourites import services
from app.jobs import signals
from app.live import topics
from tests.conftest import NOW, controls
from tests.factories import make_match


def commit_changed(app, match) -> None:
    """What a job does after writing a match: commit, then announce it."""
    db.session.commit()
    signals.send(signals.committed, app, changes=signals.Changes(matches=frozenset({match.id})))


@pytest.mark.parametrize("kind", ["match", "team", "league"])
def test_a_goal_tells_only_the_followers_own_topic(app, listen, make_user, kind):
    game = make_match(NOW - timedelta(minutes=20), status="live", minute=20, home_score=0, away_score=0)
    fan, other = make_user("fan@example.com"), make_user("other@example.com")
    target = {"match": game.id, "team": game.away_team_id, "league": game.competition_id}[kind]
    services.follow(fan.id, kind, target)
    db.session.commit()
    commit_changed(app, game)  # the score as first seen
    fans_pages, others_pages = listen([topics.user(fan.id)]), listen([topics.user(other.id)])
    everyone = listen([topics.matches(game.kickoff_at.date()), topics.match(game.id)])
    fans_pages.drain()

    game.home_score = 1
    commit_changed(app, game)
    assert controls(fans_pages.drain()) == [{"event": "favourites"}]
    assert others_pages.drain() == []
    assert not [c for c in controls(everyone.drain()) if "event" in c]  # nothing personal goes to a shared topic


def test_a_commit_that_changes_no_score_or_status_tells_nobody(app, listen, make_user):
    game = make_match(NOW - timedelta(minutes=20), status="live", minute=20, home_score=0, away_score=0)
    fan = make_user("fan@example.com")
    services.follow(fan.id, "match", game.id)
    db.session.commit()
    commit_changed(app, game)
    fans_pages = listen([topics.user(fan.id)])
    fans_pages.drain()
    game.minute = 21
    commit_changed(app, game)
    assert fans_pages.drain() == []
    game.status, game.minute = "half_time", None
    commit_changed(app, game)
    assert controls(fans_pages.drain()) == [{"event": "favourites"}]


def test_a_goal_in_a_match_nobody_follows_tells_nobody(app, listen, make_user):
    game = make_match(NOW - timedelta(minutes=20), status="live", minute=20, home_score=0, away_score=0)
    fan = make_user("fan@example.com")
    services.follow(fan.id, "team", make_match(NOW + timedelta(days=1), home="Elsewhere").home_team_id)
    db.session.commit()
    fans_pages = listen([topics.user(fan.id)])
    game.home_score = 1
    commit_changed(app, game)
    assert fans_pages.drain() == []
