"""Settlement math: every market, every quarter-line case and the pushes, worked out by hand; then properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.bets.settle import (
    PLAY_WITHIN,
    Decision,
    Result,
    check,
    clv,
    decide,
    profit_cents,
    profit_per_unit,
    settle,
)

W, HW, P, HL, L = Result.WIN, Result.HALF_WIN, Result.PUSH, Result.HALF_LOSS, Result.LOSS


@pytest.mark.parametrize(
    ("selection", "home", "away", "expected"),
    [
        ("home", 2, 1, W), ("home", 1, 1, L), ("home", 0, 3, L),
        ("draw", 0, 0, W), ("draw", 2, 2, W), ("draw", 1, 0, L),
        ("away", 0, 1, W), ("away", 3, 3, L), ("away", 2, 0, L),
    ],
)  # fmt: skip
def test_match_result(selection, home, away, expected):
    assert settle("1x2", selection, None, home, away) is expected


@pytest.mark.parametrize(
    ("selection", "home", "away", "expected"),
    [("yes", 1, 1, W), ("yes", 3, 0, L), ("yes", 0, 0, L), ("no", 0, 2, W), ("no", 0, 0, W), ("no", 1, 2, L)],
)
def test_both_teams_to_score(selection, home, away, expected):
    assert settle("btts", selection, None, home, away) is expected


# Totals: (line, goals) -> over's result; under's is the mirror image.
TOTALS = [
    (2.5, 2, L), (2.5, 3, W),                       # half line: no push
    (2.0, 1, L), (2.0, 2, P), (2.0, 3, W),          # whole line: push on the number
    (2.25, 2, HL), (2.25, 3, W), (2.25, 1, L),      # 2.25 = half on 2.0, half on 2.5
    (2.75, 2, L), (2.75, 3, HW), (2.75, 4, W),      # 2.75 = half on 2.5, half on 3.0
    (0.75, 0, L), (0.75, 1, HW), (0.25, 0, HL), (0.25, 1, W),
]  # fmt: skip
MIRROR = {W: L, HW: HL, P: P, HL: HW, L: W}


@pytest.mark.parametrize(("line", "goals", "over"), TOTALS)
def test_totals_over_and_under(line, goals, over):
    for home in range(goals + 1):
        assert settle("ou", "over", line, home, goals - home) is over
        assert settle("ou", "under", line, home, goals - home) is MIRROR[over]


# Asian handicap, the home side's line (as the market key stores it), home goals minus away goals -> home's result.
HANDICAPS = [
    (-0.5, 1, W), (-0.5, 0, L),
    (0.0, 1, W), (0.0, 0, P), (0.0, -1, L),
    (-1.0, 1, P), (-1.0, 2, W), (-1.0, 0, L),
    (-0.25, 0, HL), (-0.25, 1, W), (-0.25, -1, L),   # -0.25 = half on 0, half on -0.5
    (+0.25, 0, HW), (+0.25, -1, L), (+0.25, 1, W),   # +0.25 = half on 0, half on +0.5
    (-0.75, 1, HW), (-0.75, 2, W), (-0.75, 0, L),    # -0.75 = half on -0.5, half on -1
    (+0.75, -1, HL), (+0.75, 0, W), (+0.75, -2, L),  # +0.75 = half on +0.5, half on +1
    (-1.25, 1, HL), (-1.25, 2, W), (-1.75, 2, HW), (+1.5, -1, W), (+1.5, -2, L),
]  # fmt: skip


@pytest.mark.parametrize(("line", "difference", "home"), HANDICAPS)
def test_asian_handicap_home_and_away(line, difference, home):
    score = (difference, 0) if difference >= 0 else (0, -difference)
    assert settle("ah", "home", line, *score) is home
    # The away side of the same market holds the opposite line: its result mirrors home's.
    assert settle("ah", "away", line, *score) is MIRROR[home]


def test_an_away_bet_at_plus_a_quarter_is_the_away_side_getting_the_quarter():
    # Market ah:-0.25 (home -0.25), away selected: away +0.25. A draw: half refunded, half won.
    assert settle("ah", "away", -0.25, 1, 1) is HW
    assert settle("ah", "away", -0.25, 1, 0) is L


@pytest.mark.parametrize(
    ("kind", "selection", "line", "why"),
    [
        ("corners", "home", None, "unknown market"),
        ("1x2", "over", None, "no selection"),
        ("ou", "over", None, "needs a line"),
        ("ou", "over", 2.3, "needs a line"),
        ("ah", "home", float("nan"), "needs a line"),
        ("btts", "yes", 0.5, "has no line"),
    ],
)
def test_what_cannot_be_settled_says_why(kind, selection, line, why):
    with pytest.raises(ValueError, match=why):
        check(kind, selection, line)


def test_a_negative_score_is_refused():
    with pytest.raises(ValueError, match="negative"):
        settle("1x2", "home", None, -1, 0)


@pytest.mark.parametrize(
    ("result", "expected"),
    [(W, 95), (HW, 47.5), (P, 0), (Result.VOID, 0), (HL, -50), (L, -100)],
)
def test_what_each_result_pays_on_a_hundred_at_1_95(result, expected):
    assert profit_per_unit(result, Fraction("1.95")) * 100 == Fraction(expected)


def test_profit_in_cents_rounds_half_a_cent_to_even():
    assert profit_cents(W, 1.95, 1000) == 950
    assert profit_cents(HW, 1.95, 101) == 48  # 47.975
    assert profit_cents(HL, 2.0, 101) == -50  # -50.5 to even
    assert profit_cents(HL, 2.0, 103) == -52  # -51.5 to even


KICKOFF = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "moved", "now_after", "expected"),
    [
        ("finished", timedelta(0), timedelta(hours=2), Decision.SETTLE),
        ("finished", PLAY_WITHIN, PLAY_WITHIN + timedelta(hours=2), Decision.SETTLE),  # on the edge: played in time
        ("finished", PLAY_WITHIN + timedelta(minutes=1), PLAY_WITHIN * 2, Decision.VOID),
        ("cancelled", timedelta(0), timedelta(0), Decision.VOID),
        ("abandoned", timedelta(0), timedelta(hours=1), Decision.VOID),
        ("live", timedelta(0), timedelta(minutes=30), Decision.WAIT),
        ("half_time", timedelta(hours=47), timedelta(hours=49), Decision.WAIT),
        ("scheduled", timedelta(0), -timedelta(hours=1), Decision.WAIT),
        ("scheduled", timedelta(days=7), -timedelta(hours=1), Decision.VOID),  # moved out of the window: known now
        ("postponed", timedelta(0), timedelta(hours=47), Decision.WAIT),
        ("postponed", timedelta(0), PLAY_WITHIN, Decision.VOID),
    ],
)
def test_the_void_rule(status, moved, now_after, expected):
    assert decide(status, KICKOFF, KICKOFF + moved, KICKOFF + now_after) is expected


def test_clv_is_the_price_over_the_fair_close_less_one():
    assert clv(2.10, 2.0) == pytest.approx(0.05)
    assert clv(1.90, 2.0) == pytest.approx(-0.05)


# --- properties ------------------------------------------------------------------------------

goals = st.integers(min_value=0, max_value=12)
quarter_lines = st.integers(min_value=-24, max_value=24).map(lambda q: q / 4)
odd_quarters = st.integers(min_value=-12, max_value=11).map(lambda q: (2 * q + 1) / 4)
prices = st.decimals(min_value="1.01", max_value="1000", places=3).map(float)


@given(line=odd_quarters, home=goals, away=goals, price=prices, selection=st.sampled_from(["home", "away"]))
def test_a_quarter_handicap_pays_the_mean_of_its_two_halves(line, home, away, price, selection):
    exact = Fraction(repr(price))
    whole = profit_per_unit(settle("ah", selection, line, home, away), exact)
    halves = [profit_per_unit(settle("ah", selection, line + d, home, away), exact) for d in (-0.25, 0.25)]
    assert whole == sum(halves) / 2


@given(line=odd_quarters.map(abs), home=goals, away=goals, price=prices, selection=st.sampled_from(["over", "under"]))
def test_a_quarter_total_pays_the_mean_of_its_two_halves(line, home, away, price, selection):
    exact = Fraction(repr(price))
    whole = profit_per_unit(settle("ou", selection, line, home, away), exact)
    halves = [profit_per_unit(settle("ou", selection, line + d, home, away), exact) for d in (-0.25, 0.25)]
    assert whole == sum(halves) / 2


@given(line=quarter_lines, home=goals, away=goals)
def test_the_two_sides_of_a_handicap_mirror_each_other(line, home, away):
    assert settle("ah", "away", line, home, away) is MIRROR[settle("ah", "home", line, home, away)]
    # and home at line L is away at -L with the score turned round
    assert settle("ah", "home", line, home, away) is settle("ah", "away", -line, away, home)


@given(home=goals, away=goals)
def test_exactly_one_match_result_wins(home, away):
    assert [settle("1x2", s, None, home, away) for s in ("home", "draw", "away")].count(W) == 1
