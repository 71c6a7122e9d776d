"""BetScore on a real provider's recorded answers, served over real sockets, end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.football.models import Match, Team
from app.odds.models import CurrentPrice, OddsSnapshot
from app.refresh.usage import ProviderUsage
from tests.conftest import IN_PROCESS
from tests.providers.conftest import ProviderServer, Reply, sample

ODDS_PATH = "/v4/sports/soccer_epl/odds"
KEY = "sekret-odds-key-123"
QUOTA = {"x-requests-remaining": "480", "x-requests-used": "20", "x-requests-last": "2"}


@pytest.fixture
def odds_app(server: ProviderServer, tmp_path) -> Iterator[Flask]:
    """BetScore with only an Odds API key, pointed at the loopback server; its own fresh database."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'odds.db'}",
            "SCHEDULER": "off",
            "SECRET_KEY": "t",
            "ODDS_API_KEY": KEY,
            "ODDS_API_BASE_URL": server.url + "/v4",
            "CLOCK": lambda: datetime(2023, 8, 6, 12, 0, tzinfo=UTC),
            **IN_PROCESS,
        }
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def refresh(app: Flask, *args: str) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["refresh", *args])
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return result.exit_code, lines[-1]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_recorded_odds_become_matches_and_prices_and_a_second_run_writes_nothing(server, odds_app):
    server.route(ODDS_PATH, body=sample("the-odds-api/odds_soccer_epl_h2h_uk__footballtipsters.json"), headers=QUOTA)
    code, summary = refresh(odds_app, "odds", "--league", "epl")
    assert code == 0 and summary["provider"] == "the-odds-api" and summary["errors"] == []
    assert summary["requests"] == 1 and summary["quota"]["the-odds-api"]["remaining"] == 480
    assert count(Match) == 19 and count(Team) == 20
    prices = count(CurrentPrice)
    assert prices > 19 * 9 * 3 and count(OddsSnapshot) == prices
    assert db.session.get(ProviderUsage, "the-odds-api").remaining == 480
    # The key went as the apiKey parameter, and nowhere in what BetScore printed.
    assert server.hits(ODDS_PATH)[0].query["apiKey"] == [KEY]
    again_code, again = refresh(odds_app, "odds", "--league", "epl")
    assert again_code == 0 and again["written"] == 0
    assert (count(Match), count(CurrentPrice), count(OddsSnapshot)) == (19, prices, prices)
    assert KEY not in json.dumps([summary, again])


def test_an_outage_writes_nothing_says_why_and_keeps_the_stored_data(server, odds_app):
    server.route(ODDS_PATH, body=sample("the-odds-api/odds_soccer_epl_h2h_uk__footballtipsters.json"))
    refresh(odds_app, "odds", "--league", "epl")
    stored = (count(Match), count(CurrentPrice), count(OddsSnapshot))
    server.route(ODDS_PATH, Reply(status=503, body=b'{"message": "down"}'))
    code, summary = refresh(odds_app, "odds", "--league", "epl")
    assert code == 1 and summary["provider"] is None
    assert summary["errors"] == ["all.odds: the-odds-api.odds: HTTP 503 after 3 attempts"]
    assert (count(Match), count(CurrentPrice), count(OddsSnapshot)) == stored
    match = db.session.scalars(select(Match)).first()
    assert odds_app.test_client().get(f"/matches/{match.id}").status_code == 200


def test_a_malformed_answer_is_refused_whole(server, odds_app):
    server.route(ODDS_PATH, body=b'[{"id": "x", "commence_time": "2023-08-12T14:00:00Z", "bookmakers": [')
    code, summary = refresh(odds_app, "odds", "--league", "epl")
    assert code == 1 and "not valid JSON" in summary["errors"][0]
    assert count(Match) == 0 and count(CurrentPrice) == 0
