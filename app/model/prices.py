"""Odds arithmetic, no Flask and no database: implied probabilities, margins and their removal, fair odds, and the
formats bettors read prices in (decimal, fractional, American)."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

ODDS_FORMATS = ("decimal", "fractional", "american")
MARGIN_METHODS = ("basic", "shin", "power")

# The UK fractional ladder bookmakers quote, shortest first. Kept as (numerator, denominator)
# pairs rather than reduced fractions because the trade writes 4/6, 6/4, 85/40 and 100/30.
FRACTIONAL_LADDER: tuple[tuple[int, int], ...] = (
    (1, 100), (1, 80), (1, 66), (1, 50), (1, 40), (1, 33), (1, 25), (1, 20), (1, 18),
    (1, 16), (1, 14), (1, 12), (1, 11), (1, 10), (1, 8), (2, 15), (1, 7), (1, 6), (2, 11),
    (1, 5), (2, 9), (1, 4), (2, 7), (3, 10), (1, 3), (4, 11), (2, 5), (4, 9), (1, 2),
    (8, 15), (4, 7), (8, 13), (4, 6), (8, 11), (4, 5), (5, 6), (10, 11), (1, 1), (21, 20),
    (11, 10), (6, 5), (5, 4), (11, 8), (6, 4), (8, 5), (13, 8), (7, 4), (15, 8), (2, 1),
    (85, 40), (9, 4), (12, 5), (5, 2), (13, 5), (11, 4), (3, 1), (100, 30), (7, 2), (4, 1),
    (9, 2), (5, 1), (11, 2), (6, 1), (13, 2), (7, 1), (15, 2), (8, 1), (17, 2), (9, 1),
    (10, 1), (11, 1), (12, 1), (14, 1), (16, 1), (18, 1), (20, 1), (25, 1), (33, 1),
    (40, 1), (50, 1), (66, 1), (80, 1), (100, 1),
)  # fmt: skip
# Decimal price of each rung, in the same (ascending) order, for nearest-rung lookup.
LADDER_DECIMALS: tuple[float, ...] = tuple(1.0 + n / d for n, d in FRACTIONAL_LADDER)

_FRACTION_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_AMERICAN_RE = re.compile(r"^\s*([+-]?)\s*(\d+)\s*$")
_EVENS = frozenset({"evens", "evs"})
# Solver stopping rules: bisection halves the bracket, so 200 steps exceed double precision.
_MAX_STEPS = 200


def _check_price(decimal_price: float) -> float:
    """The price as a float; TypeError if not a number, ValueError unless finite and > 1.0."""
    if isinstance(decimal_price, bool) or not isinstance(decimal_price, (int, float)):
        raise TypeError(f"decimal price must be a number, got {decimal_price!r}")
    price = float(decimal_price)
    if not math.isfinite(price) or price <= 1.0:
        raise ValueError(f"decimal price must be a finite number greater than 1.0, got {price!r}")
    return price


def _inverse_prices(prices: Sequence[float]) -> list[float]:
    """Validate a book of prices and return its implied probabilities (1/price each)."""
    if isinstance(prices, (str, bytes)) or len(prices) == 0:
        raise ValueError("prices must be a non-empty sequence of decimal prices")
    return [1.0 / _check_price(price) for price in prices]


def _normalise(weights: Sequence[float]) -> list[float]:
    """Scale non-negative weights so they sum to 1 (guards against solver rounding)."""
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def implied_probability(decimal_price: float) -> float:
    """The probability a decimal price implies (1/price), margin included."""
    return 1.0 / _check_price(decimal_price)


def overround(prices: Sequence[float]) -> float:
    """Sum of a book's implied probabilities: 1.0 is a fair book, above 1 carries a margin."""
    return math.fsum(_inverse_prices(prices))


def margin(prices: Sequence[float]) -> float:
    """The bookmaker's margin as a fraction (0.05 for 5 %); negative for an arbitrage."""
    return overround(prices) - 1.0


def remove_margin_basic(prices: Sequence[float]) -> list[float]:
    """Fair probabilities by proportional normalisation: every outcome loses the same share."""
    return _normalise(_inverse_prices(prices))


def _shin_probabilities(q: Sequence[float], total: float, z: float) -> list[float]:
    """Shin's p_i for insider share z, in the cancellation-free form that also holds at z=1."""
    # (sqrt(z^2 + 4(1-z)q^2/S) - z) / (2(1-z)) rationalised to 2(q^2/S) / (sqrt(...) + z).
    shares = [qi * qi / total for qi in q]
    return [2.0 * s / (math.sqrt(z * z + 4.0 * (1.0 - z) * s) + z) for s in shares]


def remove_margin_shin(prices: Sequence[float]) -> list[float]:
    """Fair probabilities by Shin's (1993) insider model; overround <= 1 is basic-normalised."""
    # Shin has no solution without a margin (arbitrage or fair book), hence the basic fallback.
    q = _inverse_prices(prices)
    total = math.fsum(q)
    if total <= 1.0:
        return _normalise(q)
    # sum p(z) is sqrt(S) > 1 at z=0 and sum(q^2)/S < 1 at z=1, and falls in between.
    low, high = 0.0, 1.0
    for _ in range(_MAX_STEPS):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if math.fsum(_shin_probabilities(q, total, mid)) > 1.0:
            low = mid
        else:
            high = mid
    return _normalise(_shin_probabilities(q, total, (low + high) / 2.0))


def _power_sum(q: Sequence[float], k: float) -> float:
    """Sum of q_i ** k, the quantity the power method drives to 1."""
    return math.fsum(qi**k for qi in q)


def remove_margin_power(prices: Sequence[float]) -> list[float]:
    """Fair probabilities q_i ** k summing to 1 (longshots lose more); overround <= 1 is normalised."""
    # Without a margin k would be <= 1 (inflating longshots), so such books are basic-normalised.
    q = _inverse_prices(prices)
    if math.fsum(q) <= 1.0:
        return _normalise(q)
    # sum q^k decreases in k (every q < 1); it is > 1 at k=1, so double k until it is <= 1.
    low, high = 1.0, 2.0
    while _power_sum(q, high) > 1.0:
        low, high = high, high * 2.0
    for _ in range(_MAX_STEPS):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if _power_sum(q, mid) > 1.0:
            low = mid
        else:
            high = mid
    k = (low + high) / 2.0
    return _normalise([qi**k for qi in q])


_MARGIN_REMOVERS: dict[str, Callable[[Sequence[float]], list[float]]] = {
    "basic": remove_margin_basic,
    "shin": remove_margin_shin,
    "power": remove_margin_power,
}


def remove_margin(prices: Sequence[float], method: str = "shin") -> list[float]:
    """Fair probabilities by "basic", "shin" or "power"; every method normalises overround <= 1."""
    remover = _MARGIN_REMOVERS.get(method)
    if remover is None:
        raise ValueError(f"unknown margin method {method!r}; expected one of {MARGIN_METHODS}")
    return remover(prices)


def fair_odds(probability: float) -> float:
    """The decimal price with no margin for a probability (1/p)."""
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise TypeError(f"probability must be a number, got {probability!r}")
    if math.isnan(probability) or not 0.0 < probability <= 1.0:
        raise ValueError(f"probability must be in (0, 1], got {probability!r}")
    return 1.0 / probability


def best_prices(
    prices_by_bookmaker: Mapping[str, Mapping[str, float]],
) -> dict[str, tuple[float, list[str]]]:
    """Per outcome, the highest price and every bookmaker offering it (keys sorted)."""
    # No bookmakers is normal (a market not priced yet), so it gives {} rather than raising.
    best: dict[str, tuple[float, list[str]]] = {}
    for bookmaker, prices in prices_by_bookmaker.items():
        for outcome, raw_price in prices.items():
            price = _check_price(raw_price)
            current = best.get(outcome)
            if current is None or price > current[0]:
                best[outcome] = (price, [bookmaker])
            elif price == current[0]:
                current[1].append(bookmaker)
    return {outcome: (price, sorted(books)) for outcome, (price, books) in best.items()}


def _nearest_rung(price: float) -> int:
    """Index of the ladder rung nearest in decimal terms; a tie goes to the shorter price."""
    above = bisect.bisect_left(LADDER_DECIMALS, price)
    if above == 0:
        return 0
    if above == len(LADDER_DECIMALS):
        return above - 1
    below = above - 1
    if LADDER_DECIMALS[above] - price < price - LADDER_DECIMALS[below]:
        return above
    return below


def to_fractional(decimal_price: float) -> str:
    """The bookmaker fraction for a price: nearest ladder rung, or N/1 and 1/N off its ends."""
    price = _check_price(decimal_price)
    if price > LADDER_DECIMALS[-1]:
        # Beyond 100/1 bookmakers quote whole-number odds against.
        return f"{math.floor(price - 1.0 + 0.5)}/1"
    if price < LADDER_DECIMALS[0]:
        # Shorter than 1/100: whole-number odds on, e.g. 1.001 -> 1/1000.
        return f"1/{math.floor(1.0 / (price - 1.0) + 0.5)}"
    numerator, denominator = FRACTIONAL_LADDER[_nearest_rung(price)]
    return f"{numerator}/{denominator}"


def from_fractional(text: str) -> float:
    """The decimal price of a fraction such as "5/2", "5 / 2" or "evens" / "EVS"."""
    if not isinstance(text, str):
        raise TypeError(f"fractional odds must be text, got {text!r}")
    if text.strip().lower() in _EVENS:
        return 2.0
    match = _FRACTION_RE.match(text)
    if match is None:
        raise ValueError(f"fractional odds must look like '5/2' or 'evens', got {text!r}")
    numerator, denominator = int(match.group(1)), int(match.group(2))
    if numerator == 0 or denominator == 0:
        raise ValueError(f"fractional odds need positive numbers on both sides, got {text!r}")
    return float(1 + Fraction(numerator, denominator))


def to_american(decimal_price: float) -> int:
    """American (moneyline) odds: +profit on 100 staked, or -stake needed to win 100."""
    price = _check_price(decimal_price)
    # Round half away from zero; Python's round() would send 0.5 to the even neighbour.
    if price >= 2.0:
        return math.floor((price - 1.0) * 100.0 + 0.5)
    return -math.floor(100.0 / (price - 1.0) + 0.5)


def from_american(value: int | str) -> float:
    """The decimal price of American odds given as an int or text such as "+150" / "-200"."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"American odds must be an int or text, got {value!r}")
    if isinstance(value, str):
        match = _AMERICAN_RE.match(value)
        if match is None:
            raise ValueError(f"American odds must look like '+150' or '-200', got {value!r}")
        number = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
    else:
        number = value
    if -100 < number < 100:
        raise ValueError(f"American odds must be <= -100 or >= +100, got {value!r}")
    if number > 0:
        return 1.0 + number / 100.0
    return 1.0 + 100.0 / -number


def format_price(decimal_price: float, fmt: str) -> str:
    """A price as shown to users in one of ODDS_FORMATS: "2.10", "11/10" or "+110"."""
    price = _check_price(decimal_price)
    if fmt == "decimal":
        return f"{price:.2f}"
    if fmt == "fractional":
        return to_fractional(price)
    if fmt == "american":
        return f"{to_american(price):+d}"
    raise ValueError(f"unknown odds format {fmt!r}; expected one of {ODDS_FORMATS}")
