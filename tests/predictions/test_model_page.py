"""The model page: the record of published predictions against the closing market, and the backtest."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.model import scoring
from app.model.scoring import Bin
from app.predictions import record, services
from app.predictions.charts import reliability_chart
from tests.factories import make_match
from tests.predictions.test_freezing import close, forecast

SVG = "{http://www.w3.org/2000/svg}"


def played(
    clock,
    home_goals: int,
    away_goals: int,
    p: tuple[float, float, float],
    league: str = "testleague",
    closing: dict[str, float] | None = None,
):
    """A match predicted, frozen at kickoff, finished and scored."""
    match = make_match(clock() + timedelta(hours=1), competition_key=league)
    services.publish(forecast(match.id, clock(), p), clock())
    db.session.commit()
    clock.advance(hours=3)
    services.freeze_due(clock())
    if closing:
        close(match, "sharp", closing, clock())
    match.status, match.home_score, match.away_score = "finished", home_goals, away_goals
    db.session.commit()
    services.score_finished(clock())
    db.session.commit()
    return match


def svgs(html: str) -> list[ET.Element]:
    out, start = [], 0
    while (start := html.find("<svg", start)) != -1:
        end = html.index("</svg>", start) + len("</svg>")
        out.append(ET.fromstring(html[start:end].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)))
        start = end
    return out


def test_before_anything_is_scored_the_page_says_so(app, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKTEST_REPORT", str(tmp_path / "none.json"))
    html = client.get("/model").get_data(as_text=True)
    assert "No published prediction has been scored yet" in html
    assert "No backtest report is installed" in html
    assert 'href="/model"' in html  # in the main navigation


def test_the_record_is_the_mean_of_the_scores_and_is_set_against_the_market(app, client, clock):
    prices = {"home": 2.0, "draw": 3.4, "away": 4.2}
    played(clock, 2, 0, (0.6, 0.25, 0.15), closing=prices)
    played(clock, 1, 1, (0.5, 0.3, 0.2), closing=prices)
    played(clock, 0, 1, (0.3, 0.3, 0.4), league="otherleague")  # no closing line captured
    track = record.track_record()
    overall = track.lines[0]
    assert overall.label == "All leagues" and overall.model.matches == 3
    expected = [scoring.rps((0.6, 0.25, 0.15), 0), scoring.rps((0.5, 0.3, 0.2), 1), scoring.rps((0.3, 0.3, 0.4), 2)]
    assert overall.model.rps == pytest.approx(sum(expected) / 3)
    assert overall.versus is not None and overall.versus["matches"] == 2
    market = [s.market for s in record.scored_predictions() if s.market]
    assert overall.versus["market_rps"] == pytest.approx((scoring.rps(market[0], 1) + scoring.rps(market[1], 0)) / 2)
    assert overall.versus["diff_rps"] == pytest.approx(overall.versus["model_rps"] - overall.versus["market_rps"])
    assert sorted(line.model.matches for line in track.lines[1:]) == [1, 2]
    assert [line.versus is None for line in track.lines[1:]].count(True) == 1
    assert [s.home_score for s in track.recent] == [0, 1, 2]  # newest first
    # Value at the best closing prices: the home win at 0.6 x 2.0 and the draw at 0.3 x 3.4 both won;
    # 0.5 x 2.0 is no edge, and the match without a closing line stakes nothing.
    assert overall.value is not None and (overall.value.bets, overall.value.matches) == (2, 2)
    assert overall.value.profit == pytest.approx((2.0 - 1) + (3.4 - 1))

    html = client.get("/model").get_data(as_text=True)
    table = html[html.index('class="board record"') : html.index("</table>", html.index('class="board record"'))]
    assert f"{overall.model.rps:.4f}" in table and f"{overall.versus['market_rps']:.4f}" in table
    assert "fewer than" in html  # a sample this small is called luck
    value = " ".join(html[html.index('id="record-value-bets"') :].split())
    assert "made 2 bets on 2 of the 3 matches, returning" in value and "+170.0%" in value and "mostly luck" in value
    diagrams = svgs(html[html.index('id="predictions-record"') : html.index('id="predictions-backtest"')])
    assert len(diagrams) == 3  # home, draw, away
    dots = diagrams[0].findall(f"{SVG}circle")
    model_bins, _ = scoring.calibration([s.model for s in track.recent], [s.outcome for s in track.recent])["home"]
    market_bins, _ = scoring.calibration(market, [1, 0])["home"]
    assert len(dots) == len(model_bins) + len(market_bins)


def test_scored_predictions_link_to_their_matches_as_soon_as_they_are_scored(app, client, clock):
    assert "No published prediction has been scored yet" in client.get("/model").get_data(as_text=True)
    match = played(clock, 3, 2, (0.45, 0.3, 0.25))
    html = client.get("/model").get_data(as_text=True)  # the record cached a moment ago is not this one
    assert f'href="/matches/{match.id}"' in html and "3–2" in html


def test_the_backtest_shown_is_the_one_the_cli_wrote(app, client):
    body = json.loads(Path(app.config["BACKTEST_REPORT"]).read_text(encoding="utf-8"))
    html = client.get("/model").get_data(as_text=True)
    section = html[html.index('id="predictions-backtest"') :]
    overall = body["summary"][-1]
    assert f"{overall['model_rps']:.4f}" in section and f"{overall['reference_rps']:.4f}" in section
    assert f"{overall['market_rps']:.4f}" in section and f"{int(overall['matches'])} matches" in section
    for row in body["summary"][:-1]:
        assert f'<th scope="row">{row["league"]}</th>' in section
    assert len(svgs(section)) == 3
    value_record = section[section.index('id="predictions-value-record"') :]
    for v in body["value_bets"]:
        assert f'<td class="num">{v["bets"]}</td>' in value_record
        assert f"{v['roi'] * 100:+.1f}%</span><small> ± {v['se'] * 100:.1f}</small>" in value_record


@pytest.mark.parametrize(
    ("roi", "se", "verdict"),
    [
        (-0.05, 0.01, "lost money, by more than luck explains"),
        (-0.027, 0.014, "lost money, though luck could explain it"),
        (0.01, 0.014, "made a little money, within what luck explains"),
        (0.05, 0.01, "made money, by more than luck explains"),
    ],
)
def test_the_value_bets_verdict_says_whether_luck_explains_it(app, client, tmp_path, monkeypatch, roi, se, verdict):
    body = json.loads(Path(app.config["BACKTEST_REPORT"]).read_text(encoding="utf-8"))
    body["value_bets"] = [{"prices": "best", "min_edge": 0.0, "bets": 900, "matches": 700, "roi": roi, "se": se}]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    monkeypatch.setitem(app.config, "BACKTEST_REPORT", str(path))
    html = " ".join(client.get("/model").get_data(as_text=True).split())
    assert verdict in html and "Would its value bets have paid?" in html

    del body["value_bets"]  # a report from before value bets were scored
    path.write_text(json.dumps(body), encoding="utf-8")
    html = client.get("/model").get_data(as_text=True)
    assert "predictions-backtest" in html and "predictions-value-record" not in html


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        '{"summary": []}',
        json.dumps({"summary": [{"league": "all"}]}),
        "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
    ],
)
def test_a_broken_backtest_report_is_not_a_broken_page(app, client, tmp_path, caplog, monkeypatch, content):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="latin-1")
    monkeypatch.setitem(app.config, "BACKTEST_REPORT", str(path))
    response = client.get("/model")
    assert response.status_code == 200
    assert "No backtest report is installed" in response.get_data(as_text=True)
    assert "unreadable" in caplog.text


def test_a_reliability_chart_puts_each_band_where_it_belongs():
    bins = [Bin(0.1, 0.2, 10, 0.15, 0.2), Bin(0.4, 0.5, 40, 0.45, 0.4)]
    chart = reliability_chart({"model": bins}, size=240, pad=30)
    assert chart.top == 0.5  # at least half-way, so a draw's chart is not a blown-up corner
    first, second = chart.series[0].points
    assert (first.x, first.y) == (30 + 0.15 / 0.5 * 180, 240 - 30 - 0.2 / 0.5 * 180)
    assert second.r > first.r and second.r == pytest.approx(7.0)
    assert chart.series[0].path_d == f"M{first.x},{first.y} L{second.x},{second.y}"
    wide = reliability_chart({"model": [Bin(0.7, 0.8, 5, 0.74, 0.81)]})
    assert wide.top == 0.9 and wide.ticks[-1][1] == "80%"
    assert reliability_chart({"model": []}).empty
    lonely = reliability_chart({"market": [Bin(0.2, 0.3, 999, 0.26, 0.27), Bin(0.4, 0.5, 1, 0.41, 1.0)]})
    assert len(lonely.series[0].points) == 2 and "L" not in lonely.series[0].path_d  # one match makes no line
    with pytest.raises(ValueError):
        reliability_chart({"model": bins}, size=50, pad=30)


def test_probabilities_on_the_page_are_finite(app, client, clock):
    played(clock, 0, 0, (0.2, 0.5, 0.3))
    html = client.get("/model").get_data(as_text=True)
    assert "nan" not in html.lower().replace("nanos", "") and "inf%" not in html
    assert not math.isnan(record.track_record().lines[0].model.log_loss)


@pytest.mark.parametrize(
    "value_bets",
    [
        [{"prices": "best", "min_edge": 0, "bets": 10, "matches": 8, "roi": "lots", "se": 0.1}],
        [{"prices": "best"}],
        "not a list of bets",
    ],
)
def test_a_report_with_broken_value_bets_is_not_a_broken_page(app, client, tmp_path, caplog, monkeypatch, value_bets):
    body = json.loads(Path(app.config["BACKTEST_REPORT"]).read_text(encoding="utf-8"))
    path = tmp_path / "report.json"
    path.write_text(json.dumps({**body, "value_bets": value_bets}), encoding="utf-8")
    monkeypatch.setitem(app.config, "BACKTEST_REPORT", str(path))
    response = client.get("/model")
    assert response.status_code == 200
    assert "No backtest report is installed" in response.get_data(as_text=True)
    assert "unreadable" in caplog.text
