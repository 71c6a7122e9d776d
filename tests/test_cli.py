"""`flask seed`, `refresh`, `providers status` and `jobs`, as an operator runs them, and each command alone."""

from __future__ import annotations

import contextvars
import json
import re

import click
import pytest
from click.testing import Result
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.accounts.cli import users
from app.cli import jobs, providers, refresh, seed
from app.extensions import db
from app.jobs.runs import JobRun
from app.jobs.schedule import LEAGUES, PERIODIC
from app.odds.models import OddsSnapshot
from app.predictions.cli import predictions
from app.providers.registry import CAPABILITIES
from tests.conftest import IN_PROCESS, NOW

# One line of `flask jobs schedule`: id, cadence, queue, timeout, next run and where that time comes from.
SCHEDULE_LINE = re.compile(
    r"^(?P<id>\S+)\s+(?P<cadence>.+?)\s+(?P<queue>live|default|low)\s+(?P<timeout>\d+)s"
    r"\s+(?P<next>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \((?P<source>\w+)\)$"
)


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


def row_counts() -> dict[str, int]:
    """Rows in every table the app declares."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_seed_twice_writes_nothing_new_the_second_time(app, clock):
    clock.advance(hours=2)  # two hours on, the world has new prices and results to load
    result, lines = run(app, "seed", "--history-hours", "0")
    assert result.exit_code == 0 and len(lines) == 1
    first, loaded = lines[0], row_counts()
    # Competitions, four refreshes per league and live, then the details of any match due.
    assert first["written"] > 0 and first["jobs"] >= 1 + 4 * len(LEAGUES) + 1
    result, lines = run(app, "seed", "--history-hours", "0")
    assert result.exit_code == 0
    assert lines == [{"written": 0, "jobs": first["jobs"]}]
    assert row_counts() == loaded


def test_seed_replays_the_configured_hours_of_prices_by_default(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEED_HISTORY_HOURS", 1)
    without_history = run(app, "seed", "--history-hours", "0")[1][0]
    by_default = run(app, "seed")[1][0]
    assert by_default["jobs"] == without_history["jobs"] + len(LEAGUES)  # one price replay per league


def test_jobs_schedule_lists_every_declared_job_with_its_cadence(app):
    result = app.test_cli_runner().invoke(args=["jobs", "schedule"])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.split()[:4] == ["job", "cadence", "queue", "timeout"]
    parsed = [SCHEDULE_LINE.match(row) for row in rows]
    assert all(parsed), rows
    listed = {m["id"]: (m["cadence"], m["queue"], int(m["timeout"])) for m in parsed if m}
    assert listed == {p.id: (p.cadence, p.queue, int(p.timeout.total_seconds())) for p in PERIODIC}
    sources = {m["source"] for m in parsed if m}
    assert sources <= ({"scheduler", "estimated"} if app.config["REDIS_URL"] else {"embedded"})
    assert all(m["next"] >= f"{NOW:%Y-%m-%d %H:%M:%S}" for m in parsed if m)


def test_jobs_run_runs_a_declared_job_and_prints_its_summary(app):
    result, lines = run(app, "jobs", "run", "standings:epl")
    assert result.exit_code == 0 and len(lines) == 1
    summary = lines[0]
    assert summary["provider"] == "demo" and summary["records"] == 20
    logged = db.session.scalars(select(JobRun).filter_by(name="standings:epl")).all()
    assert [(r.trigger, r.state) for r in logged] == [("schedule", "ok")]
    assert json.loads(logged[0].detail) == summary


def test_jobs_run_refuses_an_undeclared_job(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "weather"])
    assert result.exit_code == 2 and "'weather' is not one of" in result.output
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0


def test_every_command_is_registered_by_app_cli(app):
    registered = {name: app.cli.commands[name] for name in ("seed", "refresh", "providers", "jobs")}
    assert registered == {"seed": seed, "refresh": refresh, "providers": providers, "jobs": jobs}
    assert app.cli.commands["predictions"] is predictions and app.cli.commands["users"] is users
    assert "accounts" not in app.cli.commands  # the accounts blueprint adds no group of its own


def test_a_command_imported_alone_runs_like_the_registered_one(app):
    runner = app.test_cli_runner()

    def alone(command: click.Command, *args: str) -> Result:
        """Invoked outside any app context (a fresh context, not the test's): the command must push its own."""
        return contextvars.Context().run(runner.invoke, command, list(args))

    status = alone(providers, "status")
    assert status.exit_code == 0 and status.output == runner.invoke(args=["providers", "status"]).output
    seeded = alone(seed, "--history-hours", "0")
    assert seeded.exit_code == 0, seeded.output
    assert json.loads(seeded.output)["written"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["seed", "--history-hours", "0"],
        ["refresh", "live"],
        ["jobs", "schedule"],
        ["jobs", "run", "live"],
        ["users", "create-admin", "new@example.com", "--password", "long enough pw"],
    ],
)
def test_on_an_unmigrated_database_a_command_says_to_migrate_in_one_line(tmp_path, args):
    fresh = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
            "SCHEDULER": "off",
            "SECRET_KEY": "t",
            **IN_PROCESS,
        }
    )
    result = fresh.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "The database is not migrated to this version: run `flask db upgrade` first."
    ]
    with fresh.app_context():
        upgrade()
    assert fresh.test_cli_runner().invoke(args=["jobs", "schedule"]).exit_code == 0
    with fresh.app_context():
        db.engine.dispose()
