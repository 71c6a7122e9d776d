"""Matches someone is looking at are known to the planner, which spends quota on them first."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.football.models import Match
from app.odds.jobs import _upcoming
from app.refresh import watching


def scheduled(n: int) -> list[Match]:
    return db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).all()[:n]


def test_an_open_pages_poll_marks_its_match_as_watched_and_a_page_view_does_not(client, htmx):
    polled, viewed, untouched = scheduled(3)
    htmx.get(f"/matches/{polled.id}/odds")
    client.get(f"/matches/{viewed.id}")
    assert watching.watched([polled.id, viewed.id, untouched.id]) == {polled.id}


def test_the_planner_sees_who_is_watching(htmx):
    polled = scheduled(1)[0]
    htmx.get(f"/matches/{polled.id}/odds")
    fixtures = _upcoming()
    by_kickoff = {f.kickoff: f.watchers for f in fixtures if f.league == polled.competition.key}
    assert by_kickoff[polled.kickoff_at] == 1
    assert sum(f.watchers for f in fixtures) == 1 and watching.watched([]) == set()
