"""A user's record from their settled bets, in plain Python: staked, profit, ROI and yield with its standard error,
closing-line value, breakdowns, and the running profit. Computed on read, archived bets included, void bets left out
(their stake came back untouched: they say nothing about the bettor).

  yield       = total profit / total staked (stake-weighted)
  ROI         = the mean of each bet's return, profit / stake (every bet counts once, whatever its stake)
  SE of ROI   = the sample standard deviation of those returns / sqrt(n)
  average CLV = the mean of price / fair closing price - 1 over bets with a fair close
  beat the close = the share of bets, of those whose bookmaker's closing price is known, taken above it
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

ODDS_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 1.5, "under 1.50"),
    (1.5, 2.0, "1.50-1.99"),
    (2.0, 3.0, "2.00-2.99"),
    (3.0, 5.0, "3.00-4.99"),
    (5.0, math.inf, "5.00 and up"),
)
TARGET_SE = (0.02, 0.05)  # the precisions the summary says how many bets need


@dataclass(frozen=True)
class Row:
    """One settled bet, as the summary reads it."""

    stake_cents: int
    profit_cents: int
    price: float
    clv: float | None
    closing_price: float | None
    league: str
    market: str
    bookmaker: str
    settled_at: datetime
    void: bool = False


@dataclass(frozen=True)
class Totals:
    label: str
    bets: int
    staked: float
    profit: float
    yield_: float | None
    roi: float | None
    se: float | None  # of ROI
    average_price: float | None
    average_clv: float | None
    clv_bets: int
    beat_close: float | None  # share
    close_bets: int


@dataclass(frozen=True)
class Summary:
    totals: Totals
    voided: int
    by: dict[str, list[Totals]]  # "league", "market", "bookmaker", "odds" -> rows, most staked first
    running: list[float]  # cumulative profit after each settled bet, oldest first
    needed: list[tuple[float, int]]  # (standard error, bets needed for it at the average price)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def totals(label: str, rows: Sequence[Row]) -> Totals:
    """The figures of a group of settled, non-void bets."""
    staked = sum(r.stake_cents for r in rows)
    profit = sum(r.profit_cents for r in rows)
    returns = [r.profit_cents / r.stake_cents for r in rows]
    roi = _mean(returns)
    se = None
    if len(returns) >= 2 and roi is not None:
        variance = math.fsum((x - roi) ** 2 for x in returns) / (len(returns) - 1)
        se = math.sqrt(variance / len(returns))
    clvs = [r.clv for r in rows if r.clv is not None]
    closes = [r for r in rows if r.closing_price is not None]
    return Totals(
        label=label,
        bets=len(rows),
        staked=staked / 100,
        profit=profit / 100,
        yield_=profit / staked if staked else None,
        roi=roi,
        se=se,
        average_price=_mean([r.price for r in rows]),
        average_clv=_mean(clvs),
        clv_bets=len(clvs),
        beat_close=(sum(r.price > (r.closing_price or 0) for r in closes) / len(closes)) if closes else None,
        close_bets=len(closes),
    )


def odds_band(price: float) -> str:
    return next(label for low, high, label in ODDS_BANDS if low <= price < high)


def _grouped(rows: Sequence[Row], key: Callable[[Row], str], order: Sequence[str] = ()) -> list[Totals]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    made = [totals(label, members) for label, members in groups.items()]
    if order:
        return sorted(made, key=lambda t: order.index(t.label))
    return sorted(made, key=lambda t: (-t.staked, t.label))


def bets_needed(average_price: float, se: float) -> int:
    """Bets before ROI's standard error falls to `se`, for even-money-fair bets at this price: a bet at decimal price
    P that wins with probability 1/P returns P - 1 or -1, a variance of P - 1, so n = (P - 1) / se**2."""
    return max(1, math.ceil((average_price - 1) / se**2))


def summarise(rows: Iterable[Row]) -> Summary:
    every = sorted(rows, key=lambda r: r.settled_at)
    counted = [r for r in every if not r.void]
    running, total = [], 0
    for row in counted:
        total += row.profit_cents
        running.append(total / 100)
    overall = totals("All bets", counted)
    return Summary(
        totals=overall,
        voided=len(every) - len(counted),
        by={
            "league": _grouped(counted, lambda r: r.league),
            "market": _grouped(counted, lambda r: r.market),
            "bookmaker": _grouped(counted, lambda r: r.bookmaker),
            "odds": _grouped(counted, lambda r: odds_band(r.price), [label for _, _, label in ODDS_BANDS]),
        },
        running=running,
        needed=[(se, bets_needed(overall.average_price, se)) for se in TARGET_SE] if overall.average_price else [],
    )
