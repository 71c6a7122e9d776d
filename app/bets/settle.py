"""Settling a single bet, in plain Python (no Flask, no database): the result of each market from the final score,
quarter lines as two half bets, when a match that was not played voids a bet, and what a result pays.

Lines are the app's own (app/providers/records.py): a total for over/under, and for the Asian handicap the home
side's line for both outcomes, so an away bet on the market 'ah:-0.25' is the away side at +0.25.
Arithmetic is exact (Fraction): a quarter line's profit is exactly the mean of its two halves'.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

# A bet on a match not played within this long of the kickoff it was placed on is void.
PLAY_WITHIN = timedelta(hours=48)
KINDS = ("1x2", "ou", "ah", "btts")
SELECTIONS = {"1x2": ("home", "draw", "away"), "ou": ("over", "under"), "ah": ("home", "away"), "btts": ("yes", "no")}
LINED = ("ou", "ah")


class Result(StrEnum):
    WIN = "win"
    HALF_WIN = "half_win"
    PUSH = "push"
    HALF_LOSS = "half_loss"
    LOSS = "loss"
    VOID = "void"


class Decision(StrEnum):
    """What to do with an open bet now."""

    SETTLE = "settle"  # the match was played: settle on its score
    VOID = "void"  # it was not (cancelled, abandoned, or not within PLAY_WITHIN of the bet's kickoff)
    WAIT = "wait"  # not over yet, or not known yet


def check(kind: str, selection: str, line: float | None) -> None:
    """ValueError unless the market, selection and line make a bet this module can settle."""
    if kind not in SELECTIONS:
        raise ValueError(f"unknown market {kind!r}; one of {', '.join(KINDS)}")
    if selection not in SELECTIONS[kind]:
        raise ValueError(f"{kind} has no selection {selection!r}; one of {', '.join(SELECTIONS[kind])}")
    if kind in LINED:
        if line is None or line != line or (Fraction(line) * 4).denominator != 1:
            raise ValueError(f"{kind} needs a line in quarters (2.5, -0.75), got {line!r}")
    elif line is not None:
        raise ValueError(f"{kind} has no line, got {line!r}")


def _by_margin(margin: Fraction) -> Result:
    return Result.WIN if margin > 0 else Result.PUSH if margin == 0 else Result.LOSS


def _lined(advantage: int, line: Fraction) -> Result:
    """The selection's goals ahead (`advantage`) with its line added; a quarter line is half on each neighbour."""
    if (line * 2).denominator == 1:  # a whole or half line
        return _by_margin(advantage + line)
    halves = {_by_margin(advantage + line - Fraction(1, 4)), _by_margin(advantage + line + Fraction(1, 4))}
    if len(halves) == 1:
        return halves.pop()
    return Result.HALF_WIN if Result.WIN in halves else Result.HALF_LOSS


def settle(kind: str, selection: str, line: float | None, home: int, away: int) -> Result:
    """The result of a bet from the final score (90 minutes and stoppage time)."""
    check(kind, selection, line)
    if home < 0 or away < 0:
        raise ValueError(f"a score cannot be negative, got {home}-{away}")
    if kind == "1x2":
        happened = "home" if home > away else "away" if away > home else "draw"
        return Result.WIN if selection == happened else Result.LOSS
    if kind == "btts":
        both = home > 0 and away > 0
        return Result.WIN if both == (selection == "yes") else Result.LOSS
    quarters = Fraction(line or 0)
    if kind == "ou":
        total = home + away
        return _lined(total, -quarters) if selection == "over" else _lined(-total, quarters)
    # Asian handicap: the market's line is the home side's; the away side has its negation.
    if selection == "home":
        return _lined(home - away, quarters)
    return _lined(away - home, -quarters)


def profit_per_unit(result: Result, price: Fraction) -> Fraction:
    """What one unit staked wins (positive) or loses (negative) at a decimal price."""
    won = price - 1
    return {
        Result.WIN: won,
        Result.HALF_WIN: won / 2,
        Result.PUSH: Fraction(0),
        Result.VOID: Fraction(0),
        Result.HALF_LOSS: Fraction(-1, 2),
        Result.LOSS: Fraction(-1),
    }[result]


def exact_price(price: float) -> Fraction:
    """A decimal price as written (1.95, not its binary neighbour), for exact arithmetic."""
    return Fraction(repr(float(price)))


def profit_cents(result: Result, price: float, stake_cents: int) -> int:
    """The profit in cents (hundredths of the user's unit), halves of a cent to even."""
    return round(stake_cents * profit_per_unit(result, exact_price(price)))


def decide(status: str, placed_kickoff: datetime, kickoff: datetime, now: datetime) -> Decision:
    """Settle, void or wait, after the documented rule (README, Bet tracker):

    finished within PLAY_WITHIN of the kickoff the bet was placed on: settle; finished later: void;
    cancelled or abandoned: void; moved beyond the window, or postponed with the window passed: void;
    anything else (to come, in play, postponed within the window): wait.
    """
    limit = placed_kickoff + PLAY_WITHIN
    if status == "finished":
        return Decision.SETTLE if kickoff <= limit else Decision.VOID
    if status in ("cancelled", "abandoned"):
        return Decision.VOID
    if status in ("live", "half_time"):
        return Decision.WAIT
    if kickoff > limit or (status == "postponed" and now >= limit):
        return Decision.VOID
    return Decision.WAIT


def clv(price: float, fair_closing_price: float) -> float:
    """Closing-line value: the price taken over the margin-free closing price, less one (0.05 is 5% better)."""
    return price / fair_closing_price - 1
