"""The comparison board and movement series, from plain rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.model import prices
from app.odds.board import build_board, movement_series

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def row(book, outcome, price, previous=None, minutes=0):
    return (book, book.upper(), outcome, price, previous, T0 + timedelta(minutes=minutes), None)


def test_best_price_margins_and_consensus():
    rows = [
        row("a", "home", 2.10),
        row("a", "draw", 3.40),
        row("a", "away", 3.60),
        row("b", "home", 2.00),
        row("b", "draw", 3.50),
        row("b", "away", 3.80),
    ]
    board = build_board("1x2", ("home", "draw", "away"), rows)
    assert board.best == (2.10, 3.50, 3.80)
    a, b = board.rows
    assert [q.best for q in a.quotes] == [True, False, False]
    assert [q.best for q in b.quotes] == [False, True, True]
    # 1/2.10 + 1/3.40 + 1/3.60 = 0.47619 + 0.29412 + 0.27778 = 1.04809: a 4.81 % margin.
    assert a.margin == pytest.approx(0.048085, abs=1e-6)
    assert board.best_margin == pytest.approx(1 / 2.10 + 1 / 3.50 + 1 / 3.80 - 1)
    fair_a = prices.remove_margin([2.10, 3.40, 3.60], "shin")
    fair_b = prices.remove_margin([2.00, 3.50, 3.80], "shin")
    assert board.consensus == pytest.approx([(x + y) / 2 for x, y in zip(fair_a, fair_b, strict=True)])
    assert sum(board.consensus) == pytest.approx(1.0)


def test_incomplete_book_has_no_margin_and_is_left_out_of_the_consensus():
    rows = [row("a", "home", 2.0), row("a", "draw", 3.4), row("a", "away", 3.9), row("b", "home", 2.2)]
    board = build_board("1x2", ("home", "draw", "away"), rows)
    by_key = {r.key: r for r in board.rows}
    assert by_key["b"].margin is None and by_key["b"].quotes[1] is None
    assert board.consensus == pytest.approx(prices.remove_margin([2.0, 3.4, 3.9], "shin"))
    assert board.best == (2.2, 3.4, 3.9)


def test_unknown_outcomes_are_ignored_and_empty_board_is_empty():
    assert build_board("1x2", ("home", "draw", "away"), [row("a", "draw_no_bet", 1.5)]).empty
    board = build_board("1x2", ("home", "draw", "away"), [])
    assert board.empty and board.consensus is None and board.best == (None, None, None)


def test_movement_of_a_quote():
    board = build_board(
        "ou:2.5", ("over", "under"), [row("a", "over", 2.0, previous=1.9), row("a", "under", 1.8, previous=1.9)]
    )
    assert [q.movement for q in board.rows[0].quotes] == ["up", "down"]


def test_movement_series_replays_best_and_average():
    history = [
        (T0, "a", "home", 2.0),
        (T0, "b", "home", 2.2),
        (T0 + timedelta(hours=1), "a", "home", 2.4),
        (T0 + timedelta(hours=2), "b", "home", 2.2),  # no change in best or average: no new point
    ]
    series = movement_series(history, ("home", "away"))
    assert series["home"]["best"] == [(T0, 2.2), (T0 + timedelta(hours=1), 2.4)]
    assert series["home"]["average"] == [(T0, 2.1), (T0 + timedelta(hours=1), 2.3)]
    assert series["away"] == {"best": [], "average": []}
