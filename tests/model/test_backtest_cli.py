"""`flask predictions backtest` as a user runs it, on real football-data files and on broken ones."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from app import create_app
from tests.conftest import IN_PROCESS
from tests.model.test_footballdata import SHARED

needs_data = pytest.mark.skipif(
    not (SHARED / "E0" / "2014-15.csv").exists(),
    reason=f"the shared football-data files are not at {SHARED} (set FOOTBALL_DATA_DIR)",
)


@pytest.fixture
def cli(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}", "SCHEDULER": "off", **IN_PROCESS})
    return app.test_cli_runner()


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "fd"
    (root / "E0").mkdir(parents=True)
    for season in ("2012-13", "2013-14", "2014-15"):
        shutil.copy(SHARED / "E0" / f"{season}.csv", root / "E0" / f"{season}.csv")
    return root


@needs_data
def test_a_season_walked_forward_against_the_market(cli, data, tmp_path):
    summary, forecasts = tmp_path / "out.json", tmp_path / "out.csv"
    result = cli.invoke(
        args=[
            "predictions",
            "backtest",
            "--data",
            str(data),
            "--leagues",
            "E0",
            "--seasons",
            "2014-15",
            "--json",
            str(summary),
            "--csv",
            str(forecasts),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "RPS model" in result.output and "all" in result.output
    body = json.loads(summary.read_text())
    overall = body["summary"][-1]
    assert 300 < overall["matches"] <= 380  # every 2014-15 match with enough history before it
    assert 0.15 < overall["model_rps"] < 0.25 and 0.15 < overall["market_rps"] < 0.25
    assert body["model_version"] and body["generated_at"]
    for forecaster in ("model", "market"):
        for outcome in ("home", "draw", "away"):
            diagram = body["calibration"][forecaster][outcome]
            assert sum(b["count"] for b in diagram["bins"]) == overall["matches"]
            assert all(b["low"] <= b["mean_forecast"] <= b["high"] and 0 <= b["observed"] <= 1 for b in diagram["bins"])
    assert body["calibration"]["model"]["draw"]["ece"] == pytest.approx(overall["ece_draw"])
    # The model's value bets staked at the best and at the closing prices: each a real, finite record.
    assert [(v["prices"], v["min_edge"]) for v in body["value_bets"]] == [
        ("best", 0.0),
        ("best", 0.05),
        ("closing", 0.0),
        ("closing", 0.05),
    ]
    for v in body["value_bets"]:
        assert 0 < v["matches"] <= v["bets"] <= 2 * v["matches"] and -1 <= v["roi"] < 1 and 0 < v["se"] < 0.2
        assert f"{v['bets']} on {v['matches']} matches" in result.output
    by = {(v["prices"], v["min_edge"]): v for v in body["value_bets"]}
    assert by["best", 0.05]["bets"] < by["best", 0.0]["bets"]
    with forecasts.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == overall["matches"]
    assert all(abs(sum(float(r[f"model_{o}"]) for o in ("home", "draw", "away")) - 1) < 1e-4 for r in rows)
    assert all(r["season"] == "2014-15" for r in rows)


@needs_data
def test_a_missing_season_and_a_broken_file_are_named(cli, data):
    result = cli.invoke(
        args=["predictions", "backtest", "--data", str(data), "--leagues", "E0", "--seasons", "2015-16"]
    )
    assert result.exit_code != 0 and "2015-16" in result.output
    broken = data / "E0" / "2014-15.csv"
    broken.write_text("this is not,a results file\n1,2\n")
    result = cli.invoke(
        args=["predictions", "backtest", "--data", str(data), "--leagues", "E0", "--seasons", "2014-15"]
    )
    assert result.exit_code != 0 and "2014-15.csv:1" in result.output


@needs_data
def test_a_bad_row_is_reported_and_skipped(cli, data):
    path = data / "E0" / "2014-15.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[1], "31/02/2015", 1)  # no such date
    path.write_text("\n".join(lines) + "\n")
    result = cli.invoke(
        args=["predictions", "backtest", "--data", str(data), "--leagues", "E0", "--seasons", "2014-15"]
    )
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and ":6:" in result.output
