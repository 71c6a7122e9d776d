"""Value against the model: each bookmaker's price beside the model's view of the bet and the market's
margin-free view, the bet's expected return, and a capped fractional-Kelly stake."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.odds.board import MarketBoard

# The staking choices a viewer has: off (the default) or a fraction of the full Kelly stake.
KELLY_FRACTIONS: dict[str, float] = {"1/8": 0.125, "1/4": 0.25, "1/2": 0.5}
STAKING_CHOICES = ("off", *KELLY_FRACTIONS)
# No suggestion exceeds this share of the bankroll, whatever the edge: the model's probabilities
# are estimates, and Kelly on an overestimated edge overbets fast.
MAX_STAKE = 0.05
# An edge this small is float rounding of a fair price (0.4 at 2.5 gives 5.6e-17), not value.
MIN_EDGE = 1e-9
# Bisection halves the bracket, so 200 steps exceed double precision (as app/model/prices.py).
_MAX_STEPS = 200

MarketId = tuple[str, float | None]  # (kind, line), as app.odds.models.Market.key_for takes them


@dataclass(frozen=True, slots=True)
class Settlement:
    """One way a bet can settle: its probability and the shares of the stake won and lost."""

    probability: float
    won: float  # 1, 0.5 (a quarter line's half won) or 0
    lost: float  # 1, 0.5 or 0; a push is neither: the stake comes back

    def profit(self, price: float) -> float:
        """Profit per unit staked at a decimal price."""
        return self.won * (price - 1.0) - self.lost


Bet = tuple[Settlement, ...]  # the model's distribution of the bet's return


def _bet(*ways: tuple[float, float, float]) -> Bet:
    """A bet from (probability, won, lost) triples; impossible ways (rounding can make them -0.0001) dropped."""
    return tuple(Settlement(p, won, lost) for p, won, lost in ways if p > 0)


def simple(probability: float) -> Bet:
    """A bet that wins or loses outright."""
    return _bet((probability, 1.0, 0.0), (1.0 - probability, 0.0, 1.0))


def opposite(bet: Bet) -> Bet:
    """The other side of a two-way line: it wins what this side loses."""
    return tuple(Settlement(s.probability, s.lost, s.won) for s in bet)


def _quarter(line: float) -> bool:
    return (line * 4) % 2 == 1


def line_bet(line: float, win: float, push: float, loss: float) -> Bet:
    """The side that wins when (its goals - the other's + line) > 0, from stake-averaged win/push/loss
    as app/model/markets.py stores a handicap: a quarter line stakes half on each neighbouring line."""
    if not _quarter(line):
        return _bet((win, 1.0, 0.0), (push, 0.0, 0.0), (loss, 0.0, 1.0))
    # One neighbour is a whole line, the other a half line. Where the whole half pushes (probability
    # 2 x the averaged push) the other half wins if it is the line above (+0.25: a draw wins the +0.5
    # half) and loses if it is the line below (-0.25: a draw loses the -0.5 half).
    if (line - 0.25).is_integer():
        return _bet((win - push, 1.0, 0.0), (2 * push, 0.5, 0.0), (loss, 0.0, 1.0))
    return _bet((win, 1.0, 0.0), (2 * push, 0.0, 0.5), (loss - push, 0.0, 1.0))


def over_line(over: Mapping[float, float], line: float) -> tuple[float, float, float] | None:
    """Over `line` goals as stake-averaged (win, push, loss), from P(total > half line) per stored line.

    Whole lines are priced exactly: P(total = k) = P(total > k - 0.5) - P(total > k + 0.5), so a whole
    line needs the half lines on both sides, and a quarter line both its neighbours. Lines the stored
    half lines do not settle (4.75 and up when the highest is 4.5) are None: skipped, not guessed.
    """
    if _quarter(line):
        low, high = over_line(over, line - 0.25), over_line(over, line + 0.25)
        if low is None or high is None:
            return None
        return (low[0] + high[0]) / 2, (low[1] + high[1]) / 2, (low[2] + high[2]) / 2
    if line in over:
        return over[line], 0.0, 1.0 - over[line]
    if not line.is_integer() or line < 0:
        return None
    above = over.get(line + 0.5)
    at_least = 1.0 if line == 0 else over.get(line - 0.5)  # P(total >= line)
    if above is None or at_least is None:
        return None
    return above, max(0.0, at_least - above), 1.0 - at_least


def total_lines(over: Mapping[float, float]) -> dict[float, tuple[float, float, float]]:
    """Every half, whole and quarter total line the stored over probabilities settle, with its over_line."""
    top = max(over, default=0.0)
    priced = {q / 4: over_line(over, q / 4) for q in range(1, int(top * 4) + 1)}
    return {line: p for line, p in priced.items() if p is not None}


def model_bets(probabilities: tuple[float, float, float], markets: Mapping[str, Any]) -> dict[MarketId, dict[str, Bet]]:
    """Per market the model prices, each outcome's bet as the model sees it (outcome names as stored odds use)."""
    home, draw, away = probabilities
    bets: dict[MarketId, dict[str, Bet]] = {
        ("1x2", None): {"home": simple(home), "draw": simple(draw), "away": simple(away)}
    }
    if markets.get("btts") is not None:
        bets[("btts", None)] = {"yes": simple(markets["btts"]), "no": simple(1.0 - markets["btts"])}
    over = {float(line): float(p) for line, p in (markets.get("over") or {}).items()}
    for line, priced in total_lines(over).items():
        over_bet = line_bet(-line, *priced)  # over wins when total - line > 0
        bets[("ou", line)] = {"over": over_bet, "under": opposite(over_bet)}
    for h in markets.get("handicaps") or ():
        home_bet = line_bet(float(h["line"]), h["win"], h["push"], h["loss"])
        bets[("ah", float(h["line"]) + 0.0)] = {"home": home_bet, "away": opposite(home_bet)}
    return bets


def expected_profit(bet: Bet, price: float) -> float:
    """The expected profit per unit staked: the edge. For a bet without pushes, p x price - 1."""
    return math.fsum(s.probability * s.profit(price) for s in bet)


def fair_probability(bet: Bet) -> float:
    """The model's chance of the bet with pushes refunded: 1 / its break-even price (p when nothing pushes)."""
    won = math.fsum(s.probability * s.won for s in bet)
    lost = math.fsum(s.probability * s.lost for s in bet)
    return won / (won + lost) if won + lost > 0 else 0.0


def full_kelly(bet: Bet, price: float) -> float:
    """The share of bankroll maximising E[log(1 + f X)] over the bet's returns X; 0 without an edge.

    For a bet that wins or loses it is (p b - q) / b at net odds b; pushes and half results are solved
    for: the slope of the expected log is falling in f, so bisection finds where it crosses zero.
    """
    if expected_profit(bet, price) <= MIN_EDGE:
        return 0.0
    returns = [(s.probability, s.profit(price)) for s in bet]
    worst = min(r for _, r in returns)
    if worst >= 0:
        return math.inf  # nothing can lose: no finite optimum, the cap decides

    def slope(f: float) -> float:
        return math.fsum(p * r / (1.0 + f * r) for p, r in returns)

    low, high = 0.0, -1.0 / worst  # at `high` the worst result takes the whole bankroll
    for _ in range(_MAX_STEPS):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if slope(mid) > 0:
            low = mid
        else:
            high = mid
    return low


def stake(bet: Bet, price: float, fraction: float) -> float:
    """The suggested share of bankroll: `fraction` of full Kelly, at most MAX_STAKE, never negative."""
    if fraction <= 0:
        return 0.0
    return max(0.0, min(MAX_STAKE, fraction * full_kelly(bet, price)))


@dataclass(frozen=True, slots=True)
class PricedBet:
    """One bookmaker's price for one outcome, beside the model and the market."""

    market: MarketId
    outcome: str
    bookmaker: str
    price: float
    probability: float  # the model's, pushes refunded
    consensus: float | None  # the market's margin-free probability (None without a complete book)
    edge: float  # expected profit per unit staked
    stake: float | None  # share of bankroll, when staking is on


def assess(
    bets: Mapping[MarketId, Mapping[str, Bet]], boards: Mapping[MarketId, MarketBoard], fraction: float | None = None
) -> list[PricedBet]:
    """Every bookmaker's price on every market both the model and the boards have."""
    out = []
    for market, board in boards.items():
        sides = bets.get(market, {})
        for i, outcome in enumerate(board.outcomes):
            bet = sides.get(outcome)
            if bet is None:
                continue
            probability = fair_probability(bet)
            consensus = board.consensus[i] if board.consensus is not None else None
            for row in board.rows:
                quote = row.quotes[i]
                if quote is None:
                    continue
                out.append(
                    PricedBet(
                        market,
                        outcome,
                        row.name,
                        quote.price,
                        probability,
                        consensus,
                        expected_profit(bet, quote.price),
                        None if fraction is None else stake(bet, quote.price, fraction),
                    )
                )
    return out


def value_bets(priced: Iterable[PricedBet]) -> list[PricedBet]:
    """The prices with a positive edge, best first."""
    return sorted((p for p in priced if p.edge > MIN_EDGE), key=lambda p: -p.edge)


def best_per_outcome(values: Iterable[PricedBet]) -> list[PricedBet]:
    """The first (best) of each market outcome in an edge-sorted list: one line per bet, not per bookmaker."""
    seen: set[tuple[MarketId, str]] = set()
    out = []
    for v in values:
        if (v.market, v.outcome) not in seen:
            seen.add((v.market, v.outcome))
            out.append(v)
    return out


def _signed(line: float) -> str:
    """A handicap as written: '+0.25', '0', and a true minus sign, which does not break from its number."""
    return "0" if line == 0 else f"+{line:g}" if line > 0 else f"−{-line:g}"


def label(market: MarketId, outcome: str, home: str, away: str) -> str:
    """The bet as a bettor reads it: 'Arsenal', 'Over 2.5', 'Both teams score: no', 'Chelsea +0.25 (Asian handicap)'."""
    kind, line = market
    if kind == "1x2":
        return {"home": home, "draw": "Draw", "away": away}.get(outcome, outcome)
    if kind == "btts":
        return f"Both teams score: {outcome}"
    if kind == "ou" and line is not None:
        return f"{outcome.capitalize()} {line:g}"
    if kind == "ah" and line is not None:
        team, own_line = (home, line) if outcome == "home" else (away, -line)
        return f"{team} {_signed(own_line)} (Asian handicap)"
    return f"{kind} {outcome}"
