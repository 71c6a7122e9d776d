"""Settling open bets on matches whose result is final, with each bet's closing line; archiving old settled bets.
No commit here: the receivers in app/bets/jobs.py commit.

Each bet is written by one UPDATE guarded by `settled_at IS NULL`: of two settlers (a second signal, a rerun, the
nightly sweep beside a job), one writes it and the other finds nothing to do, so a bet is settled exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.bets import settle
from app.bets.models import Bet
from app.extensions import db
from app.football.models import Match
from app.odds.board import PriceRow, build_board
from app.odds.models import Bookmaker, ClosingPrice, Market

ARCHIVE_AFTER = timedelta(days=30)  # settled bets leave the default list this long after settling


class Closing:
    """One match's closing lines: each bookmaker's last price, and each market's margin-free consensus."""

    def __init__(self, match_id: int) -> None:
        rows = db.session.execute(
            select(Market.key, Market.kind, ClosingPrice.bookmaker_id, Bookmaker.key, Bookmaker.name)
            .add_columns(ClosingPrice.outcome, ClosingPrice.price, ClosingPrice.observed_at)
            .join(Market, Market.id == ClosingPrice.market_id)
            .join(Bookmaker, Bookmaker.id == ClosingPrice.bookmaker_id)
            .where(ClosingPrice.match_id == match_id)
        ).all()
        self.prices = {(market, book_id, outcome): price for market, _, book_id, _, _, outcome, price, _ in rows}
        per_market: dict[str, list[PriceRow]] = {}
        kinds: dict[str, str] = {}
        for market, kind, _, book_key, book_name, outcome, price, observed in rows:
            per_market.setdefault(market, []).append((book_key, book_name, outcome, price, None, observed, None))
            kinds[market] = kind
        # The consensus as the match page shows it (app/odds/board.py): Shin's method on each bookmaker whose book
        # of the market is complete, the fair probabilities averaged and renormalised.
        self.fair: dict[str, dict[str, float]] = {}
        for market, priced in per_market.items():
            if kinds[market] not in settle.SELECTIONS:
                continue
            board = build_board(market, settle.SELECTIONS[kinds[market]], priced)
            if board.consensus is not None:
                self.fair[market] = dict(zip(board.outcomes, board.consensus, strict=True))

    def of(self, bet: Bet) -> tuple[float | None, float | None]:
        """The same bookmaker's closing price, and the fair closing price (1 / consensus probability)."""
        same_book = self.prices.get((bet.market_key, bet.bookmaker_id, bet.selection))
        probability = self.fair.get(bet.market_key, {}).get(bet.selection)
        return same_book, (1 / probability if probability else None)


def _outcome(bet: Bet, match: Match, now: datetime) -> settle.Result | None:
    decision = settle.decide(match.status, bet.kickoff_at, match.kickoff_at, now)
    if decision is settle.Decision.VOID:
        return settle.Result.VOID
    if decision is settle.Decision.WAIT or match.home_score is None or match.away_score is None:
        return None
    return settle.settle(bet.market_kind, bet.selection, bet.line, match.home_score, match.away_score)


def settle_match(match: Match, now: datetime) -> Counter[int]:
    """Settle this match's open bets that can be settled now. Returns bets settled per user."""
    settled: Counter[int] = Counter()
    open_bets = db.session.scalars(select(Bet).where(Bet.match_id == match.id, Bet.settled_at.is_(None))).all()
    closing: Closing | None = None
    for bet in open_bets:
        result = _outcome(bet, match, now)
        if result is None:
            continue
        values: dict[str, object] = {
            "result": result.value,
            "profit_cents": settle.profit_cents(result, bet.price, bet.stake_cents),
            "settled_at": now,
        }
        if result is not settle.Result.VOID:
            closing = closing or Closing(match.id)
            same_book, fair = closing.of(bet)
            values |= {
                "closing_price": same_book,
                "fair_closing_price": fair,
                "clv": None if fair is None else settle.clv(bet.price, fair),
            }
        written = db.session.execute(
            update(Bet).where(Bet.id == bet.id, Bet.settled_at.is_(None)).values(**values),
            execution_options={"synchronize_session": False},
        )
        if written.rowcount == 1:  # type: ignore[attr-defined]
            settled[bet.user_id] += 1
        db.session.expire(bet)
    return settled


def settle_matches(match_ids: Iterable[int], now: datetime) -> Counter[int]:
    """Settle the open bets of these matches; bets settled per user."""
    settled: Counter[int] = Counter()
    ids = sorted(set(match_ids))
    for start in range(0, len(ids), 500):
        for match in db.session.scalars(select(Match).where(Match.id.in_(ids[start : start + 500]))):
            settled += settle_match(match, now)
    return settled


def matches_with_open_bets() -> list[int]:
    """What the nightly sweep looks at: every match some open bet is on."""
    return list(db.session.scalars(select(Bet.match_id).where(Bet.settled_at.is_(None)).distinct()))


def archive(now: datetime, after: timedelta = ARCHIVE_AFTER) -> Counter[int]:
    """Archive bets settled longer than `after` ago (they still count in every summary); archived per user."""
    due_now = (Bet.archived_at.is_(None), Bet.settled_at <= now - after)
    users = Counter(db.session.scalars(select(Bet.user_id).where(*due_now)))
    if users:
        db.session.execute(
            update(Bet).where(*due_now).values(archived_at=now), execution_options={"synchronize_session": False}
        )
    return users
