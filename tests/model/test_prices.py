"""Tests for app.model.prices: hand-checked values, ValueError paths and Hypothesis properties."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.model import prices
from app.model.prices import (
    FRACTIONAL_LADDER,
    LADDER_DECIMALS,
    ODDS_FORMATS,
    best_prices,
    fair_odds,
    format_price,
    from_american,
    from_fractional,
    implied_probability,
    margin,
    overround,
    remove_margin,
    remove_margin_basic,
    remove_margin_power,
    remove_margin_shin,
    to_american,
    to_fractional,
)

METHODS = ("basic", "shin", "power")
BAD_PRICES = (1.0, 0.5, 0.0, -2.0, math.nan, math.inf, -math.inf)

# A typical football 1X2 book: 2.10 / 3.40 / 3.60.
# 1/2.10 = 10/21, 1/3.40 = 5/17, 1/3.60 = 5/18; over the common denominator 2142:
# 1020/2142 + 630/2142 + 595/2142 = 2245/2142 = 1.048085901..., a margin of 103/2142.
BOOK = [2.10, 3.40, 3.60]

prices_st = st.floats(min_value=1.01, max_value=200.0, allow_nan=False)
books_st = st.lists(prices_st, min_size=1, max_size=8)
weights_st = st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=2, max_size=8)


@st.composite
def margined_books(draw: st.DrawFn) -> list[float]:
    """A realistic book: true probabilities scaled up by a 0.1 %..30 % overround."""
    weights = draw(weights_st)
    scale = (1 + draw(st.floats(min_value=0.001, max_value=0.3))) / math.fsum(weights)
    implied = [w * scale for w in weights]
    assume(max(implied) < 0.99)
    return [1 / q for q in implied]


any_books_st = books_st | margined_books()


def _fair_book(weights: list[float]) -> list[float]:
    """Prices of a book with no margin, from positive weights."""
    total = math.fsum(weights)
    return [total / weight for weight in weights]


# --- hand-checked values -------------------------------------------------------------------


def test_implied_probability_hand_values() -> None:
    assert implied_probability(2.0) == 0.5
    assert implied_probability(4) == 0.25
    assert implied_probability(1.25) == pytest.approx(0.8)


def test_overround_and_margin_of_a_1x2_book() -> None:
    assert overround(BOOK) == pytest.approx(2245 / 2142, abs=1e-12)
    assert overround(BOOK) == pytest.approx(1.048085901, abs=1e-9)
    assert margin(BOOK) == pytest.approx(103 / 2142, abs=1e-12)


def test_margin_of_a_fair_and_an_arbitrage_book() -> None:
    assert margin([2.0, 2.0]) == 0.0
    # 1/2.2 + 1/2.2 = 10/11, so the book pays out more than it takes: margin -1/11.
    assert margin([2.2, 2.2]) == pytest.approx(-1 / 11)


def test_basic_removal_hand_values() -> None:
    # Each implied probability divided by 2245/2142: 1020/2245, 630/2245, 595/2245.
    expected = [1020 / 2245, 630 / 2245, 595 / 2245]
    assert remove_margin_basic(BOOK) == pytest.approx(expected, abs=1e-12)
    assert expected[0] == pytest.approx(0.454343, abs=1e-6)


def test_shin_matches_published_shin_package_example() -> None:
    # From the `shin` package's README: calculate_implied_probabilities([2.6, 2.4, 4.3]).
    expected = [0.37299406033208965, 0.4047794109200184, 0.2222265287474275]
    assert remove_margin_shin([2.6, 2.4, 4.3]) == pytest.approx(expected, abs=1e-9)


def test_shin_two_way_equals_additive_removal() -> None:
    # For two outcomes Shin coincides with removing the margin equally from each outcome.
    # 1/1.5 = 26/39, 1/2.6 = 15/39; overround 41/39, so each loses 1/39: 25/39 and 14/39.
    assert remove_margin_shin([1.5, 2.6]) == pytest.approx([25 / 39, 14 / 39], abs=1e-12)


def test_power_removal_hand_values() -> None:
    # q = 1/2, 1/2, 1/4. With x = (1/2)^k we need 2x + x^2 = 1, so x = sqrt(2) - 1
    # and the longshot gets x^2 = 3 - 2*sqrt(2).
    x = math.sqrt(2) - 1
    assert remove_margin_power([2.0, 2.0, 4.0]) == pytest.approx([x, x, x * x], abs=1e-12)
    assert x * x == pytest.approx(0.171573, abs=1e-6)


def test_methods_differ_on_a_book_with_a_margin() -> None:
    basic, shin, power = (remove_margin(BOOK, m) for m in METHODS)
    # Shin and power take the margin mostly from longshots, so the favourite gains vs basic.
    assert shin[0] > basic[0] + 1e-4
    assert power[0] > basic[0] + 1e-4
    assert shin != pytest.approx(power, abs=1e-6)


def test_remove_margin_defaults_to_shin() -> None:
    assert remove_margin(BOOK) == remove_margin_shin(BOOK)


@pytest.mark.parametrize("method", METHODS)
def test_no_margin_book_is_normalised_by_every_method(method: str) -> None:
    # Overround exactly 1: 1/2 + 1/4 + 1/4.
    assert remove_margin([2.0, 4.0, 4.0], method) == [0.5, 0.25, 0.25]
    # Arbitrage (overround 10/11 < 1): defined as basic normalisation, i.e. 1/2 each.
    assert remove_margin([2.2, 2.2], method) == pytest.approx([0.5, 0.5])
    assert remove_margin([1.5, 3.3], method) == remove_margin_basic([1.5, 3.3])


@pytest.mark.parametrize("method", METHODS)
def test_single_outcome_book_is_certain(method: str) -> None:
    assert remove_margin([1.5], method) == [1.0]


def test_fair_odds_hand_values() -> None:
    assert fair_odds(0.5) == 2.0
    assert fair_odds(0.25) == 4.0
    assert fair_odds(1) == 1.0


def test_best_prices_keeps_ties_sorted() -> None:
    book = {
        "zebet": {"home": 2.10, "draw": 3.40, "away": 3.50},
        "acme": {"home": 2.05, "draw": 3.40, "away": 3.60},
        "betty": {"home": 2.10, "draw": 3.30},
    }
    assert best_prices(book) == {
        "home": (2.10, ["betty", "zebet"]),
        "draw": (3.40, ["acme", "zebet"]),
        "away": (3.60, ["acme"]),
    }


def test_best_prices_of_no_bookmakers_is_empty() -> None:
    assert best_prices({}) == {}
    assert best_prices({"acme": {}}) == {}


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (2.1, "11/10"),
        (3.5, "5/2"),
        (1.333, "1/3"),
        (1.5, "1/2"),
        (2.0, "1/1"),
        (1.67, "4/6"),  # 4/6 is 1.667; the next rung 8/11 is 1.727
        (1.69, "4/6"),  # 0.023 from 4/6, 0.037 from 8/11
        (1.70, "8/11"),  # 0.033 from 4/6, 0.027 from 8/11
        (2.5, "6/4"),
        (4.333, "100/30"),
        (3.125, "85/40"),
        (6.25, "5/1"),  # exactly between 5/1 and 11/2: the shorter price wins
        (101.0, "100/1"),
        (1.01, "1/100"),
        (251.0, "250/1"),
        (151.4, "150/1"),
        (1.001, "1/1000"),
    ],
)
def test_to_fractional_hand_values(price: float, expected: str) -> None:
    assert to_fractional(price) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/2", 3.5),
        ("11/10", 2.1),
        (" 11 / 10 ", 2.1),
        ("1/2", 1.5),
        ("4/6", 5 / 3),
        ("100/30", 13 / 3),
        ("evens", 2.0),
        ("EVS", 2.0),
        (" Evens ", 2.0),
        ("1/1", 2.0),
    ],
)
def test_from_fractional_hand_values(text: str, expected: float) -> None:
    assert from_fractional(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("price", "american"),
    [(2.5, 150), (1.5, -200), (2.0, 100), (3.0, 200), (1.25, -400), (11.0, 1000)],
)
def test_american_hand_values(price: float, american: int) -> None:
    assert to_american(price) == american
    assert from_american(american) == pytest.approx(price, abs=1e-12)


def test_from_american_accepts_text() -> None:
    assert from_american("+150") == 2.5
    assert from_american("-200") == 1.5
    assert from_american(" 100 ") == 2.0
    assert from_american(-100) == 2.0


def test_format_price_hand_values() -> None:
    assert format_price(2.1, "decimal") == "2.10"
    assert format_price(13, "decimal") == "13.00"
    assert format_price(3.5, "fractional") == "5/2"
    assert format_price(2.5, "american") == "+150"
    assert format_price(1.5, "american") == "-200"
    assert format_price(2.0, "american") == "+100"
    assert ODDS_FORMATS == ("decimal", "fractional", "american")


def test_ladder_is_strictly_ascending_and_holds_trade_spellings() -> None:
    assert all(a < b for a, b in itertools.pairwise(LADDER_DECIMALS))
    assert {(4, 6), (6, 4), (85, 40), (100, 30), (1, 1)} <= set(FRACTIONAL_LADDER)


@pytest.mark.parametrize(("numerator", "denominator"), FRACTIONAL_LADDER)
def test_every_ladder_rung_formats_as_itself(numerator: int, denominator: int) -> None:
    text = f"{numerator}/{denominator}"
    assert to_fractional(1 + numerator / denominator) == text
    assert from_fractional(text) == pytest.approx(1 + numerator / denominator, abs=1e-12)


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize("price", BAD_PRICES)
def test_bad_prices_raise_value_error(price: float) -> None:
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        implied_probability(price)
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        to_fractional(price)
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        to_american(price)
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        format_price(price, "decimal")
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        best_prices({"acme": {"home": price}})


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("price", BAD_PRICES)
def test_bad_price_in_a_book_raises_value_error(method: str, price: float) -> None:
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        remove_margin([2.0, price, 3.0], method)
    with pytest.raises(ValueError, match=r"greater than 1\.0"):
        overround([2.0, price])


@pytest.mark.parametrize(
    "call",
    [overround, margin, remove_margin_basic, remove_margin_shin, remove_margin_power],
)
def test_empty_book_raises_value_error(call: Callable[[list[float]], object]) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        call([])


def test_non_numbers_raise_type_error() -> None:
    with pytest.raises(TypeError):
        implied_probability("2.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        implied_probability(True)
    with pytest.raises(TypeError):
        fair_odds("0.5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_american(150.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_fractional(2.5)  # type: ignore[arg-type]


def test_unknown_method_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unknown margin method 'odds-ratio'"):
        remove_margin(BOOK, "odds-ratio")


@pytest.mark.parametrize("probability", [0.0, -0.1, 1.0000001, 2.0, math.nan, math.inf])
def test_fair_odds_rejects_non_probabilities(probability: float) -> None:
    with pytest.raises(ValueError, match=r"probability must be in \(0, 1\]"):
        fair_odds(probability)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "5/0", "0/1", "5/2/1", "-5/2", "2.5/1", "5-2", "5/", "even money"],
)
def test_from_fractional_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="fractional odds"):
        from_fractional(text)


@pytest.mark.parametrize("value", [0, 99, -99, 1, -1, "+99", "0", "abc", "1.5", "", "++150"])
def test_from_american_rejects_bad_values(value: int | str) -> None:
    with pytest.raises(ValueError, match="American odds"):
        from_american(value)


def test_format_price_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown odds format 'hongkong'"):
        format_price(2.0, "hongkong")


# --- properties ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@given(book=any_books_st)
def test_removal_gives_probabilities_summing_to_one(method: str, book: list[float]) -> None:
    fair = remove_margin(book, method)
    assert len(fair) == len(book)
    assert all(p >= 0.0 for p in fair)
    assert math.fsum(fair) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("method", METHODS)
@given(book=any_books_st)
def test_removal_preserves_order(method: str, book: list[float]) -> None:
    fair = remove_margin(book, method)
    by_price = sorted(range(len(book)), key=lambda i: book[i])
    # Shorter price, higher probability; equal prices, equal probabilities.
    for shorter, longer in itertools.pairwise(by_price):
        assert fair[shorter] >= fair[longer] - 1e-12
        if book[shorter] == book[longer]:
            assert fair[shorter] == fair[longer]


@pytest.mark.parametrize("method", ["shin", "power"])
@given(book=margined_books())
def test_shin_and_power_take_more_from_longshots(method: str, book: list[float]) -> None:
    fair, basic = remove_margin(book, method), remove_margin_basic(book)
    favourite, longshot = book.index(min(book)), book.index(max(book))
    assert fair[favourite] >= basic[favourite] - 1e-12
    assert fair[longshot] <= basic[longshot] + 1e-12


@given(
    truth=weights_st,
    insiders=st.floats(min_value=0.0, max_value=0.2),
)
def test_shin_recovers_probabilities_from_shins_own_price_model(truth: list[float], insiders: float) -> None:
    # Shin (1993): a bookmaker facing insider share z quotes q_i = sqrt(z p_i + (1-z) p_i^2) * B,
    # B = sum_j sqrt(z p_j + (1-z) p_j^2). Removing the margin must give back p.
    p = [w / math.fsum(truth) for w in truth]
    roots = [math.sqrt(insiders * pi + (1 - insiders) * pi * pi) for pi in p]
    quoted = [root * math.fsum(roots) for root in roots]
    assume(max(quoted) < 0.999)
    assert remove_margin_shin([1 / q for q in quoted]) == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize("method", METHODS)
@given(weights=weights_st)
def test_fair_odds_of_a_fair_book_reproduce_the_book(method: str, weights: list[float]) -> None:
    book = _fair_book(weights)
    assume(min(book) > 1.0)
    reproduced = [fair_odds(p) for p in remove_margin(book, method)]
    assert reproduced == pytest.approx(book, rel=1e-9)


@given(price=st.floats(min_value=1.0001, max_value=10_000.0))
def test_decimal_american_decimal_round_trip(price: float) -> None:
    american = to_american(price)
    assert american >= 100 or american <= -100
    # Whole-number American odds are within 0.5 of exact, at most 0.005 in decimal terms.
    assert from_american(american) == pytest.approx(price, abs=0.005 + 1e-12)


@given(american=st.integers(min_value=100, max_value=100_000) | st.integers(-100_000, -101))
def test_american_decimal_american_round_trip(american: int) -> None:
    assert to_american(from_american(american)) == american
    assert from_american(f"{american:+d}") == from_american(american)


@given(price=st.floats(min_value=LADDER_DECIMALS[0], max_value=LADDER_DECIMALS[-1]))
def test_to_fractional_picks_the_nearest_ladder_rung(price: float) -> None:
    text = to_fractional(price)
    numerator, denominator = (int(part) for part in text.split("/"))
    assert (numerator, denominator) in FRACTIONAL_LADDER
    chosen = from_fractional(text)
    assert all(abs(chosen - price) <= abs(rung - price) + 1e-12 for rung in LADDER_DECIMALS)


@given(price=st.floats(min_value=LADDER_DECIMALS[-1], max_value=1e6, exclude_min=True))
def test_to_fractional_beyond_the_ladder_is_whole_odds_against(price: float) -> None:
    numerator, denominator = (int(part) for part in to_fractional(price).split("/"))
    assert denominator == 1
    assert abs(numerator - (price - 1)) <= 0.5


@given(price=prices_st, fmt=st.sampled_from(ODDS_FORMATS))
def test_format_price_reads_back_close_to_the_price(price: float, fmt: str) -> None:
    shown = format_price(price, fmt)
    if fmt == "decimal":
        assert float(shown) == pytest.approx(price, abs=0.005 + 1e-12)
    elif fmt == "american":
        assert shown[0] in "+-"
        assert from_american(shown) == pytest.approx(price, abs=0.005 + 1e-12)
    else:
        assert shown == to_fractional(price)


def test_module_has_no_web_or_database_imports() -> None:
    assert not {"flask", "sqlalchemy"} & set(vars(prices))
