"""Small builders for rows a test needs beyond the seeded demo world."""

from __future__ import annotations

from datetime import date, datetime

from app.extensions import db
from app.football.models import Competition, Match, Season, Team
from app.odds.models import Bookmaker, Market


def make_match(
    kickoff_at: datetime,
    home: str = "Home Town",
    away: str = "Away City",
    competition_key: str = "testleague",
    **fields,
) -> Match:
    """A match in its own test competition, so it cannot be confused with the demo world's."""
    comp = db.session.query(Competition).filter_by(key=competition_key).one_or_none()
    if comp is None:
        comp = Competition(key=competition_key, name="Test League", country="Testland", position=9)
        db.session.add(comp)
        db.session.flush()
        db.session.add(
            Season(competition_id=comp.id, name="2026-27", starts_on=date(2026, 8, 1), ends_on=date(2027, 5, 31))
        )
    season = db.session.query(Season).filter_by(competition_id=comp.id).one()
    teams = []
    for name in (home, away):
        team = Team(name=name, short_name=name[:3].upper())
        db.session.add(team)
        teams.append(team)
    db.session.flush()
    match = Match(
        competition_id=comp.id,
        season_id=season.id,
        home_team_id=teams[0].id,
        away_team_id=teams[1].id,
        kickoff_at=kickoff_at,
        **fields,
    )
    db.session.add(match)
    db.session.commit()
    return match


def book(key: str) -> Bookmaker:
    """The bookmaker with this key, created on first use."""
    found = db.session.query(Bookmaker).filter_by(key=key).one_or_none()
    if found is None:
        found = Bookmaker(key=key, name=key.title())
        db.session.add(found)
        db.session.flush()
    return found


def match_result() -> Market:
    """The 1X2 market, created on first use."""
    found = db.session.query(Market).filter_by(key="1x2").one_or_none()
    if found is None:
        found = Market(key="1x2", kind="1x2", line=None)
        db.session.add(found)
        db.session.flush()
    return found


def market(key: str) -> Market:
    """The market with this key ('1x2', 'ou:2.5', 'ah:-0.25'), created on first use."""
    found = db.session.query(Market).filter_by(key=key).one_or_none()
    if found is None:
        kind, _, line = key.partition(":")
        found = Market(key=key, kind=kind, line=float(line) if line else None)
        db.session.add(found)
        db.session.flush()
    return found
