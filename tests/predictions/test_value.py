"""Value maths by hand: the return of a bet as the model sees it, its edge, the market's view, the Kelly stake."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from app.model import prices
from app.odds.board import build_board
from app.predictions import value
from app.predictions.value import Settlement

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# Goal difference (home - away) the handicap cases use: a home win by 1+, a draw, an away win.
WIN, DRAW, LOSS = 0.45, 0.25, 0.30
# P(total goals > line): P(T=0)=.08, P(T=1)=.22, P(T=2)=.25, P(T=3)=.20, P(T=4)=.15, P(T>=5)=.10.
OVER = {0.5: 0.92, 1.5: 0.70, 2.5: 0.45, 3.5: 0.25, 4.5: 0.10}


def row(book, outcome, price):
    return (book, book.title(), outcome, price, None, T0, None)


def ways(bet):
    """A bet as {(won, lost): probability}, for comparing with hand-made distributions."""
    return {(s.won, s.lost): pytest.approx(s.probability) for s in bet}


def test_a_bet_that_wins_or_loses_has_edge_p_times_price_minus_one_and_the_closed_form_kelly():
    bet = value.simple(0.5)
    assert value.expected_profit(bet, 2.2) == pytest.approx(0.5 * 2.2 - 1)  # 0.10
    assert value.fair_probability(bet) == 0.5
    b = 2.2 - 1
    assert value.full_kelly(bet, 2.2) == pytest.approx((0.5 * b - 0.5) / b)  # 0.0833
    assert value.stake(bet, 2.2, 0.25) == pytest.approx(0.25 * 0.1 / 1.2)  # 2.08 % of bankroll
    assert value.stake(bet, 2.2, 0.5) == pytest.approx(0.5 * 0.1 / 1.2)


@pytest.mark.parametrize(("p", "price"), [(0.3, 4.0), (0.62, 1.75), (0.1, 12.0), (0.85, 1.2)])
def test_kelly_matches_the_closed_form_across_prices(p, price):
    b = price - 1
    closed = max(0.0, (p * b - (1 - p)) / b)
    assert value.full_kelly(value.simple(p), price) == pytest.approx(closed, abs=1e-12)


def test_no_edge_no_stake_and_never_negative():
    bet = value.simple(0.4)
    assert value.expected_profit(bet, 2.5) == pytest.approx(0.0)  # fair: no edge
    assert value.full_kelly(bet, 2.5) == 0.0 and value.stake(bet, 2.5, 0.5) == 0.0
    assert value.expected_profit(bet, 2.0) == pytest.approx(-0.2)
    assert value.full_kelly(bet, 2.0) == 0.0 and value.stake(bet, 2.0, 0.5) == 0.0


def test_the_stake_is_capped_at_the_maximum_share_of_bankroll():
    bet = value.simple(0.6)  # at 3.0 full Kelly is (0.6 * 2 - 0.4) / 2 = 0.40
    assert value.full_kelly(bet, 3.0) == pytest.approx(0.40)
    assert value.stake(bet, 3.0, 0.25) == value.MAX_STAKE == 0.05  # 1/4 of 40 % is 10 %: capped at 5 %
    assert value.stake(bet, 3.0, 0.5) == 0.05
    assert value.stake(value.simple(0.6), 1.9, 0.125) == pytest.approx(0.125 * (0.6 * 0.9 - 0.4) / 0.9)  # 1.9 %
    # A bet that cannot lose has no finite Kelly stake: the cap is the suggestion.
    assert value.full_kelly(value.simple(1.0), 1.5) == math.inf
    assert value.stake(value.simple(1.0), 1.5, 0.25) == 0.05


def test_a_whole_line_pushes_and_refunds_the_stake():
    home = value.line_bet(0.0, WIN, DRAW, LOSS)  # home 0 (draw no bet): a draw refunds
    assert ways(home) == {(1.0, 0.0): WIN, (0.0, 0.0): DRAW, (0.0, 1.0): LOSS}
    # At 2.0: 0.45 x +1 + 0.25 x 0 + 0.30 x -1 = +0.15 per unit, not 0.45 x 2 - 1 = -0.10.
    assert value.expected_profit(home, 2.0) == pytest.approx(0.15)
    assert value.fair_probability(home) == pytest.approx(0.45 / 0.75)  # 60 %: 1 / the break-even price 1.667
    assert value.expected_profit(home, 0.75 / 0.45) == pytest.approx(0.0)
    # With a push Kelly is the win/lose formula on the bets that settle: (pw b - pl) / (b (pw + pl)).
    assert value.full_kelly(home, 2.0) == pytest.approx((WIN * 1 - LOSS) / (1 * (WIN + LOSS)))  # 0.20
    away = value.opposite(home)
    assert ways(away) == {(1.0, 0.0): LOSS, (0.0, 0.0): DRAW, (0.0, 1.0): WIN}
    assert value.expected_profit(away, 2.0) == pytest.approx(-0.15)
    assert value.stake(away, 2.0, 0.5) == 0.0


def test_a_quarter_line_below_a_whole_line_loses_half_where_it_would_push():
    # Home -0.25 = half on 0, half on -0.5; stored stake-averaged as markets.py does it.
    stored = (WIN, DRAW / 2, LOSS + DRAW / 2)  # win .45, push .125, loss .425
    home = value.line_bet(-0.25, *stored)
    assert ways(home) == {(1.0, 0.0): WIN, (0.0, 0.5): DRAW, (0.0, 1.0): LOSS}
    # At 2.1: 0.45 x 1.1 - 0.25 x 0.5 - 0.30 = +0.07, the same as the averages give: 0.45 x 1.1 - 0.425.
    assert value.expected_profit(home, 2.1) == pytest.approx(0.07)
    assert value.expected_profit(home, 2.1) == pytest.approx(stored[0] * 1.1 - stored[2])
    # d/df E[log] = 0.495/(1+1.1f) - 0.125/(1-0.5f) - 0.3/(1-f) = 0  <=>  0.55 f^2 - 0.935 f + 0.07 = 0.
    root = (0.935 - math.sqrt(0.935**2 - 4 * 0.55 * 0.07)) / (2 * 0.55)  # 0.0785
    assert value.full_kelly(home, 2.1) == pytest.approx(root, rel=1e-9)
    assert value.stake(home, 2.1, 0.25) == pytest.approx(root / 4)


def test_a_quarter_line_above_a_whole_line_wins_half_where_it_would_push_and_the_away_side_mirrors_it():
    stored = (WIN + DRAW / 2, DRAW / 2, LOSS)  # home +0.25 = half on +0.5 (a draw wins), half on 0
    home = value.line_bet(0.25, *stored)
    assert ways(home) == {(1.0, 0.0): WIN, (0.5, 0.0): DRAW, (0.0, 1.0): LOSS}
    # The away side of home -0.25 is away +0.25: it half-wins a draw.
    away = value.opposite(value.line_bet(-0.25, WIN, DRAW / 2, LOSS + DRAW / 2))
    assert ways(away) == {(1.0, 0.0): LOSS, (0.5, 0.0): DRAW, (0.0, 1.0): WIN}
    # At 1.8: 0.30 x 0.8 + 0.25 x 0.4 - 0.45 = -0.11.
    assert value.expected_profit(away, 1.8) == pytest.approx(-0.11)
    assert value.stake(away, 1.8, 0.5) == 0.0
    # At 2.6: 0.30 x 1.6 + 0.25 x 0.8 - 0.45 = +0.23, and Kelly is where E[log] peaks.
    assert value.expected_profit(away, 2.6) == pytest.approx(0.23)
    f = value.full_kelly(away, 2.6)

    def growth(x):
        return 0.30 * math.log(1 + 1.6 * x) + 0.25 * math.log(1 + 0.8 * x) + 0.45 * math.log(1 - x)

    assert 0 < f < 1 and growth(f) > growth(f - 0.01) and growth(f) > growth(f + 0.01)


def test_total_lines_half_whole_and_quarter_from_the_stored_overs():
    assert value.over_line(OVER, 2.5) == pytest.approx((0.45, 0.0, 0.55))
    assert value.over_line(OVER, 2.0) == pytest.approx((0.45, 0.25, 0.30))  # exactly 2 goals pushes
    assert value.over_line(OVER, 0.0) == pytest.approx((0.92, 0.08, 0.0))
    over_225 = value.line_bet(-2.25, *value.over_line(OVER, 2.25))
    assert ways(over_225) == {(1.0, 0.0): 0.45, (0.0, 0.5): 0.25, (0.0, 1.0): 0.30}  # 2 goals: half lost
    under_275 = value.opposite(value.line_bet(-2.75, *value.over_line(OVER, 2.75)))
    assert ways(under_275) == {(1.0, 0.0): 0.55, (0.0, 0.5): 0.20, (0.0, 1.0): 0.25}  # 3 goals: half lost
    over_275 = value.line_bet(-2.75, *value.over_line(OVER, 2.75))
    assert ways(over_275) == {(1.0, 0.0): 0.25, (0.5, 0.0): 0.20, (0.0, 1.0): 0.55}  # 3 goals: half won


def test_total_lines_the_stored_overs_cannot_settle_are_skipped():
    assert value.over_line(OVER, 4.75) is None and value.over_line(OVER, 5.0) is None  # 5 goals pushes: unknown
    gap = {k: v for k, v in OVER.items() if k != 3.5}
    assert value.over_line(gap, 3.0) is None and value.over_line(gap, 3.25) is None
    assert value.over_line(gap, 2.5) is not None and value.over_line(gap, 4.5) is not None
    lines = value.total_lines(OVER)
    assert min(lines) == 0.25 and max(lines) == 4.5 and len(lines) == 18
    assert 3.0 not in value.total_lines(gap) and 4.0 not in value.total_lines(gap) and 4.5 in value.total_lines(gap)


def test_model_bets_cover_every_market_the_model_prices():
    markets = {
        "over": {f"{k:g}": v for k, v in OVER.items()},
        "btts": 0.55,
        "handicaps": [
            {"line": -0.25, "win": WIN, "push": DRAW / 2, "loss": LOSS + DRAW / 2},
            {"line": -0.0, "win": WIN, "push": DRAW, "loss": LOSS},
        ],
    }
    bets = value.model_bets((0.5, 0.3, 0.2), markets)
    assert set(bets) >= {
        ("1x2", None),
        ("btts", None),
        ("ou", 2.5),
        ("ou", 2.25),
        ("ou", 3.0),
        ("ah", -0.25),
        ("ah", 0.0),
    }
    assert ("ou", 4.75) not in bets
    assert value.fair_probability(bets[("1x2", None)]["draw"]) == pytest.approx(0.3)
    assert value.fair_probability(bets[("btts", None)]["no"]) == pytest.approx(0.45)
    assert value.fair_probability(bets[("ou", 3.5)]["under"]) == pytest.approx(0.75)
    assert ways(bets[("ah", 0.0)]["away"]) == {(1.0, 0.0): LOSS, (0.0, 0.0): DRAW, (0.0, 1.0): WIN}


def test_each_price_is_compared_with_the_model_and_the_boards_consensus():
    rows = [
        row("a", "home", 2.10),
        row("a", "away", 1.80),
        row("b", "home", 2.00),
        row("b", "away", 1.90),
        row("c", "home", 2.30),
    ]  # c quotes one side only: not in the consensus
    board = build_board("ah:-0.25", ("home", "away"), rows)
    bets = {("ah", -0.25): {"home": value.line_bet(-0.25, WIN, DRAW / 2, LOSS + DRAW / 2)}}
    priced = value.assess(bets, {("ah", -0.25): board}, fraction=0.25)
    assert [(p.bookmaker, p.price) for p in priced] == [("A", 2.10), ("B", 2.00), ("C", 2.30)]  # no model: no away
    fair = [prices.remove_margin([2.10, 1.80], "shin"), prices.remove_margin([2.00, 1.90], "shin")]
    home_consensus = (fair[0][0] + fair[1][0]) / 2 / sum((x + y) / 2 for x, y in zip(*fair, strict=True))
    assert all(p.consensus == pytest.approx(home_consensus) for p in priced)
    assert all(p.consensus == board.consensus[0] for p in priced)
    a, b, c = priced
    assert a.edge == pytest.approx(0.07) and a.probability == pytest.approx(WIN / (WIN + LOSS + DRAW / 2))
    assert b.edge == pytest.approx(0.45 * 1.0 - 0.425) and c.edge == pytest.approx(0.45 * 1.3 - 0.425)
    assert a.stake == pytest.approx(value.full_kelly(bets[("ah", -0.25)]["home"], 2.10) / 4)
    assert [(v.bookmaker, v.edge) for v in value.value_bets(priced)] == [("C", c.edge), ("A", a.edge), ("B", b.edge)]
    assert value.best_per_outcome(value.value_bets(priced)) == [c]
    assert all(p.stake is None for p in value.assess(bets, {("ah", -0.25): board}))  # staking off


def test_value_bets_keep_only_a_positive_edge():
    board = build_board(
        "1x2", ("home", "draw", "away"), [row("a", "home", 2.0), row("a", "draw", 3.0), row("a", "away", 4.9)]
    )
    btts = build_board("btts", ("yes", "no"), [row("a", "yes", 2.5), row("a", "no", 1.6)])
    bets = value.model_bets((0.5, 0.3, 0.2), {"btts": 0.4})
    priced = value.assess(bets, {("1x2", None): board, ("btts", None): btts})
    assert [p.edge for p in priced] == pytest.approx([0.0, -0.1, -0.02, 0.0, -0.04])
    assert priced[3].edge > 0  # 0.4 x 1.5 - 0.6 rounds to 5.6e-17: a fair price all the same
    assert value.value_bets(priced) == []


@pytest.mark.parametrize(
    ("market", "outcome", "words"),
    [
        (("1x2", None), "home", "Arsenal"),
        (("1x2", None), "draw", "Draw"),
        (("1x2", None), "away", "Chelsea"),
        (("ou", 2.5), "over", "Over 2.5"),
        (("ou", 2.25), "under", "Under 2.25"),
        (("btts", None), "no", "Both teams score: no"),
        (("ah", 0.25), "away", "Chelsea −0.25 (Asian handicap)"),
        (("ah", -1.5), "home", "Arsenal −1.5 (Asian handicap)"),
        (("ah", -0.25), "away", "Chelsea +0.25 (Asian handicap)"),
        (("ah", 0.0), "home", "Arsenal 0 (Asian handicap)"),
    ],
)
def test_bets_read_as_a_bettor_says_them(market, outcome, words):
    assert value.label(market, outcome, "Arsenal", "Chelsea") == words


def test_settlement_profit():
    assert Settlement(1.0, 0.5, 0.0).profit(2.0) == 0.5 and Settlement(1.0, 0.0, 0.5).profit(2.0) == -0.5
