"""The record's figures from settled bets, worked out by hand, and the running-profit chart's geometry."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from app.bets.chart import profit_chart
from app.bets.summary import Row, bets_needed, odds_band, summarise

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def row(stake: int, profit: int, price: float, n: int, **extra) -> Row:
    fields = {"clv": None, "closing_price": None, "league": "EPL", "market": "Match result", "bookmaker": "Booka"}
    return Row(stake, profit, price, settled_at=T0 + timedelta(hours=n), **(fields | extra))


def test_the_figures_of_a_small_record():
    rows = [
        row(1000, 1000, 2.0, 1, clv=0.05, closing_price=1.90),  # won 10 at evens, took 2.00 against a 1.90 close
        row(2000, -2000, 2.5, 2, clv=-0.02, closing_price=2.60, league="La Liga", bookmaker="Bookb"),
        row(1000, 0, 1.9, 3, market="Goals"),  # a push
        row(5000, 0, 3.0, 0, void=True),  # void: not counted
    ]
    s = summarise(rows)
    t = s.totals
    assert (t.bets, t.staked, t.profit, s.voided) == (3, 40.0, -10.0, 1)
    assert t.yield_ == pytest.approx(-10 / 40)
    assert t.roi == pytest.approx((1 - 1 + 0) / 3)  # each bet's return counts once: +100%, -100%, 0%
    assert t.se == pytest.approx(math.sqrt((1 + 1 + 0) / 2 / 3))
    assert t.average_clv == pytest.approx(0.015) and t.clv_bets == 2
    assert t.beat_close == 0.5 and t.close_bets == 2
    assert s.running == [10.0, -10.0, -10.0]  # in the order they settled, the void left out
    assert [(g.label, g.bets, g.profit) for g in s.by["league"]] == [("EPL", 2, 10.0), ("La Liga", 1, -20.0)]
    assert [g.label for g in s.by["odds"]] == ["1.50-1.99", "2.00-2.99"]
    assert {g.label: g.staked for g in s.by["bookmaker"]} == {"Booka": 20.0, "Bookb": 20.0}


def test_no_settled_bets_make_an_empty_record():
    s = summarise([])
    assert s.totals.bets == 0 and s.totals.roi is None and s.totals.se is None and s.needed == [] and s.running == []


def test_one_bet_has_no_standard_error():
    assert summarise([row(100, 100, 2.0, 1)]).totals.se is None


def test_how_many_bets_a_precision_takes():
    # At evens a fair bet's return is +1 or -1: variance 1, so a 2% standard error needs 1 / 0.02^2 bets.
    assert bets_needed(2.0, 0.02) == 2500
    assert bets_needed(3.0, 0.05) == 800
    assert summarise([row(100, 100, 2.0, 1), row(100, -100, 2.0, 2)]).needed == [(0.02, 2500), (0.05, 400)]


@pytest.mark.parametrize(
    ("price", "band"), [(1.01, "under 1.50"), (1.5, "1.50-1.99"), (2.99, "2.00-2.99"), (50, "5.00 and up")]
)
def test_odds_bands(price, band):
    assert odds_band(price) == band


def test_the_chart_starts_at_zero_and_keeps_zero_in_view():
    chart = profit_chart([10.0, -10.0, 5.0], width=110, height=60, pad=5)
    assert not chart.empty and chart.last == 5.0
    points = [tuple(map(float, p.split())) for p in chart.path_d[1:].split(" L")]
    assert [x for x, _ in points] == [5, 38.3, 71.7, 105]
    top, bottom = min(y for y, _ in chart.gridlines), max(y for y, _ in chart.gridlines)
    assert (top, bottom) == (5, 55)  # gridlines from -10 to 10 span the box
    assert points[0][1] == chart.zero_y == 30 and points[1][1] == 5 and points[2][1] == 55


def test_an_empty_or_flat_record_still_draws():
    assert profit_chart([]).empty
    flat = profit_chart([0.0, 0.0])
    assert not flat.empty and flat.zero_y > 0
    with pytest.raises(ValueError):
        profit_chart([1.0], width=10, height=10, pad=8)
