"""The schedule rations paid providers: fixtures and tables a few times a day, live scores paced."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.jobs.runs import worth_running
from app.jobs.schedule import PERIODIC
from app.refresh import freshness
from app.refresh.usage import ProviderUsage
from tests.conftest import IN_PROCESS, Clock
from tests.factories import make_match

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
FIXTURES = next(p for p in PERIODIC if p.id == "fixtures:epl")
LIVE = next(p for p in PERIODIC if p.id == "live")


@pytest.fixture
def paid(tmp_path) -> Iterator[tuple[Flask, Clock]]:
    """BetScore with a paid API-Football key (never called here: the gate decides from what is stored)."""
    clock = Clock(NOW)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'paid.db'}",
            "SCHEDULER": "off",
            "SECRET_KEY": "t",
            "API_FOOTBALL_KEY": "k",
            "API_FOOTBALL_BASE_URL": "http://127.0.0.1:9",
            "CLOCK": clock,
            **IN_PROCESS,
        }
    )
    with app.app_context():
        upgrade()
        yield app, clock
        db.session.remove()
        db.engine.dispose()


def test_free_data_is_never_rationed(app):
    assert all(worth_running(p) for p in PERIODIC)


def test_a_paid_league_refresh_runs_at_most_every_six_hours(paid):
    _, clock = paid
    assert worth_running(FIXTURES)
    freshness.mark("refresh_fixtures", "epl")
    assert not worth_running(FIXTURES)
    clock.advance(hours=5, minutes=59)
    assert not worth_running(FIXTURES)
    clock.advance(minutes=1)
    assert worth_running(FIXTURES)


def test_paid_live_scores_are_polled_only_while_matches_are_on_and_paced_by_the_calls_left(paid):
    _, clock = paid
    assert not worth_running(LIVE)  # nothing on: not a single call
    make_match(NOW - timedelta(minutes=20), status="live", minute=20)
    assert worth_running(LIVE)
    freshness.mark("refresh_live")
    db.session.add(ProviderUsage(provider="api-football", observed_at=NOW, remaining=60, limit=100))
    db.session.commit()
    # 60 - 10 kept back = 50 calls until 2 h after the last kickoff (14:40 -> 16:40), ~98 min away: ~2 min apart.
    clock.advance(minutes=1)
    assert not worth_running(LIVE)
    clock.advance(minutes=1)
    assert worth_running(LIVE)
    db.session.get(ProviderUsage, "api-football").remaining = 10  # only the reserve is left
    db.session.commit()
    assert not worth_running(LIVE)


def test_paid_odds_from_api_football_are_planned_not_refreshed_every_minute(paid):
    from app.odds.jobs import refresh_planned_odds

    make_match(NOW + timedelta(hours=2))
    db.session.add(ProviderUsage(provider="api-football", observed_at=NOW, remaining=10, limit=100))
    db.session.commit()
    # Only the reserve is left: no league is worth a call (before, every league was tried every minute).
    assert refresh_planned_odds() == {"level": "stored data only"}
