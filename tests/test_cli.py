"""`flask refresh` and `flask providers status`, as an operator runs them."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.extensions import db
from app.odds.models import OddsSnapshot
from app.providers.registry import CAPABILITIES


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    return result, [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_refresh_prints_one_json_summary_and_writes_like_the_scheduler(app, clock):
    clock.advance(hours=2)
    before = db.session.scalar(select(func.count()).select_from(OddsSnapshot))
    result, lines = run(app, "refresh", "odds", "--league", "epl")
    assert result.exit_code == 0 and len(lines) == 1
    summary = lines[0]
    assert summary["provider"] == "demo" and summary["records"] > 0 and summary["errors"] == []
    assert db.session.scalar(select(func.count()).select_from(OddsSnapshot)) == before + summary["written"]
    again = run(app, "refresh", "odds", "--league", "epl")[1][0]
    assert again["written"] == 0  # the same refresh twice writes nothing new


def test_refresh_of_every_league_and_of_live(app):
    summary = run(app, "refresh", "standings")[1][0]
    assert summary["records"] == 20 + 20 + 20 + 18 + 18
    assert run(app, "refresh", "live")[1][0]["provider"] == "demo"


def test_refresh_with_a_provider_that_is_not_configured_fails_clearly(app):
    result, lines = run(app, "refresh", "fixtures", "--provider", "api-football")
    assert result.exit_code == 1
    assert lines[0]["errors"] == ["api-football.fixtures: not configured for this capability"]


def test_refresh_refuses_unknown_capabilities_and_leagues(app):
    assert run(app, "refresh", "weather")[0].exit_code == 2
    assert run(app, "refresh", "odds", "--league", "mls")[0].exit_code == 2


def test_providers_status(app):
    result, lines = run(app, "providers", "status")
    assert result.exit_code == 0
    assert lines == [
        {
            "provider": "demo",
            "capabilities": sorted(CAPABILITIES),
            "authoritative": True,
            "circuit": "none",
            "quota": None,
        }
    ]
