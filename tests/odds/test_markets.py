"""Every market family on a board: names, outcome labels with the line's sign, main lines, DOM keys."""

from __future__ import annotations

import pytest

from app.odds import markets
from app.odds.board import build_board
from app.providers.demo.match import _handicap
from app.providers.records import OUTCOMES
from tests.odds.test_board import row


@pytest.mark.parametrize(
    ("kind", "line", "labels", "title"),
    [
        ("1x2", None, ("1", "X", "2"), "Match result"),
        ("ou", 3.5, ("Over 3.5", "Under 3.5"), "Over/under 3.5 goals"),
        ("ah", -0.25, ("Home -0.25", "Away +0.25"), "Handicap: home -0.25, away +0.25"),
        ("ah", 0.75, ("Home +0.75", "Away -0.75"), "Handicap: home +0.75, away -0.75"),
        ("ah", 0.0, ("Home 0", "Away 0"), "Handicap: home 0, away 0"),
        ("ah", -1.0, ("Home -1", "Away +1"), "Handicap: home -1, away +1"),
        ("btts", None, ("Yes", "No"), "Both teams to score"),
    ],
)
def test_labels_carry_the_line_and_its_sign(kind, line, labels, title):
    assert markets.outcome_labels(kind, line) == labels
    assert markets.title(kind, line) == title
    assert markets.shown(kind, line)


@pytest.mark.parametrize(("kind", "line"), [("ou", None), ("ah", None), ("1x2", 2.5), ("draw_no_bet", None)])
def test_a_market_without_the_shape_of_its_family_is_not_shown(kind, line):
    assert not markets.shown(kind, line)


def test_dom_keys_are_distinct_per_line_and_sign():
    keys = ["ah:-0.25", "ah:0.25", "ah:-0.5", "ah:0", "ou:2.5", "ou:25", "1x2", "btts"]
    doms = [markets.dom_key(k) for k in keys]
    assert len(set(doms)) == len(doms)
    assert all(d.replace("-", "").replace("_", "").isalnum() for d in doms)


def quarter_board(line: float, home: float, away: float):
    return build_board(f"ah:{line:g}", OUTCOMES["ah"], [row("a", "home", home), row("a", "away", away)])


def test_a_quarter_line_handicap_builds_its_board():
    board = build_board(
        "ah:-0.25",
        OUTCOMES["ah"],
        [row("a", "home", 1.95), row("a", "away", 1.90), row("b", "home", 2.0), row("b", "away", 1.85)],
        openings={("a", "home"): 2.05},
    )
    assert board.outcomes == ("home", "away") and board.best == (2.0, 1.90)
    assert board.consensus is not None and sum(board.consensus) == pytest.approx(1.0)
    a = next(r for r in board.rows if r.key == "a")
    assert a.margin == pytest.approx(1 / 1.95 + 1 / 1.90 - 1)
    assert [q.opening for q in a.quotes] == [2.05, None]


def test_btts_builds_its_board():
    board = build_board("btts", OUTCOMES["btts"], [row("a", "yes", 1.8), row("a", "no", 2.0), row("b", "yes", 1.85)])
    assert board.best == (1.85, 2.0)
    assert [r.margin is None for r in board.rows] == [False, True]  # b quotes one side only
    assert board.fair_odds is not None and len(board.fair_odds) == 2


def test_the_main_line_is_2_5_goals_and_the_most_even_handicap():
    totals = [markets.Line(x, quarter_board(x, 1.9, 1.9)) for x in (1.5, 2.5, 3.5)]
    assert markets.main_index("ou", totals) == 1
    handicaps = [
        markets.Line(-0.75, quarter_board(-0.75, 2.4, 1.55)),
        markets.Line(-0.25, quarter_board(-0.25, 1.95, 1.9)),
    ]
    assert markets.main_index("ah", handicaps) == 1


def test_a_quarter_handicap_is_priced_between_its_neighbours():
    """-0.25 is half on 0 and half on -0.5: home's fair chance lies between theirs; a draw half-refunds."""
    diff = {-1: 0.3, 0: 0.3, 1: 0.4}  # goal difference -> probability
    level, half, quarter = _handicap(diff, 0.0)[0], _handicap(diff, -0.5)[0], _handicap(diff, -0.25)[0]
    assert half < quarter < level
    # Fair price of home -0.25: a win pays it, a draw returns half the stake: 0.4 * o + 0.3 * 0.5 = 1.
    assert 1 / quarter == pytest.approx((1 - 0.15) / 0.4)
    assert sum(_handicap(diff, -0.25)) == pytest.approx(1.0)
