"""Bets: recording, reading a user's own, the choices a form offers, and the privacy hooks (export, delete).
No commit here: views and jobs commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, union
from sqlalchemy.orm import joinedload

from app.bets import summary
from app.bets.forms import Draft
from app.bets.models import Bet, BetSettings
from app.bets.settle import SELECTIONS
from app.extensions import db
from app.football.models import Competition, Match
from app.odds.models import Bookmaker, ClosingPrice, CurrentPrice, Market

DEFAULT_STAKE_CENTS = 1000
STATES = ("current", "open", "settled", "archived")  # "current": open and settled, not archived
MARKET_NAMES = {"1x2": "Match result", "ou": "Goals", "ah": "Asian handicap", "btts": "Both teams to score"}
# Offered by hand on every match, priced here or not.
STANDARD_MARKETS: tuple[tuple[str, float | None], ...] = (("1x2", None), ("ou", 2.5), ("btts", None))


def default_stake_cents(user_id: int) -> int:
    settings = db.session.get(BetSettings, user_id)
    return settings.default_stake_cents if settings else DEFAULT_STAKE_CENTS


def record(user_id: int, draft: Draft, remember_stake: bool = True) -> Bet:
    """A new open bet for this user; with `remember_stake`, its stake becomes the form's default."""
    bet = Bet(user_id=user_id, **draft.__dict__)
    db.session.add(bet)
    if remember_stake:
        settings = db.session.get(BetSettings, user_id)
        if settings is None:
            db.session.add(BetSettings(user_id=user_id, default_stake_cents=draft.stake_cents))
        else:
            settings.default_stake_cents = draft.stake_cents
    db.session.flush()
    return bet


def own_bet(user_id: int, bet_id: int) -> Bet | None:
    """The bet, if it is this user's: another user's bet is as good as missing."""
    return db.session.scalar(select(Bet).where(Bet.id == bet_id, Bet.user_id == user_id))


def bets_of(user_id: int, state: str | None = None) -> list[Bet]:
    """A user's bets, newest first: one of STATES, or every one."""
    query = select(Bet).where(Bet.user_id == user_id).options(joinedload(Bet.match).joinedload(Match.competition))
    if state == "open":
        query = query.where(Bet.settled_at.is_(None))
    elif state == "settled":
        query = query.where(Bet.settled_at.is_not(None), Bet.archived_at.is_(None))
    elif state == "archived":
        query = query.where(Bet.archived_at.is_not(None))
    elif state == "current":
        query = query.where(Bet.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Bet.placed_at.desc(), Bet.id.desc())).unique())


def record_of(user_id: int) -> summary.Summary:
    """The user's record over every settled bet, archived ones included."""
    rows = db.session.execute(
        select(Bet, Competition.name)
        .join(Match, Match.id == Bet.match_id)
        .join(Competition, Competition.id == Match.competition_id)
        .where(Bet.user_id == user_id, Bet.settled_at.is_not(None))
    ).all()
    return summary.summarise(
        summary.Row(
            stake_cents=bet.stake_cents,
            profit_cents=bet.profit_cents or 0,
            price=bet.price,
            clv=bet.clv,
            closing_price=bet.closing_price,
            league=league,
            market=MARKET_NAMES[bet.market_kind],
            bookmaker=bet.bookmaker_name,
            settled_at=bet.settled_at or bet.placed_at,  # always set: only settled bets are read
            void=bet.result == "void",
        )
        for bet, league in rows
    )


@dataclass(frozen=True)
class Choice:
    """One bet the by-hand form offers: market, line and selection, as a value and a label."""

    value: str
    label: str


def selection_label(kind: str, line: float | None, selection: str, home: str, away: str) -> str:
    """'Arsenal', 'Draw', 'Over 2.5', 'Chelsea +0.25', 'Both score: yes'."""
    side = {"home": home, "away": away}
    if kind == "1x2":
        return side.get(selection, "Draw")
    if kind == "ou":
        return f"{selection.title()} {line:g}"
    if kind == "ah":
        own = line if selection == "home" else -(line or 0.0)
        return f"{side[selection]} {own:+g}" if own else f"{side[selection]} 0"
    return f"Both score: {selection}"


def choices(match: Match) -> list[Choice]:
    """Every market this match has prices for (now or at the close), and the standard ones, each selection."""
    priced = union(
        select(CurrentPrice.market_id).where(CurrentPrice.match_id == match.id),
        select(ClosingPrice.market_id).where(ClosingPrice.match_id == match.id),
    ).subquery()
    found = db.session.execute(
        select(Market.kind, Market.line).where(Market.id.in_(select(priced)), Market.kind.in_(list(SELECTIONS)))
    ).all()
    markets = sorted(
        set(STANDARD_MARKETS) | {(kind, line) for kind, line in found},
        key=lambda m: (list(SELECTIONS).index(m[0]), m[1] or 0.0),
    )
    home, away = match.home_team.name, match.away_team.name
    return [
        Choice(f"{kind}|{'' if line is None else f'{line:g}'}|{s}", selection_label(kind, line, s, home, away))
        for kind, line in markets
        for s in SELECTIONS[kind]
    ]


def quoted(match_id: int, market_key: str, bookmaker_key: str, outcome: str) -> tuple[Bookmaker, float] | None:
    """A bookmaker's current price for one outcome: what a tapped odds cell pre-fills."""
    row = db.session.execute(
        select(Bookmaker, CurrentPrice.price)
        .join(CurrentPrice, CurrentPrice.bookmaker_id == Bookmaker.id)
        .join(Market, Market.id == CurrentPrice.market_id)
        .where(
            CurrentPrice.match_id == match_id,
            Market.key == market_key,
            Bookmaker.key == bookmaker_key,
            CurrentPrice.outcome == outcome,
        )
    ).first()
    return (row[0], row[1]) if row else None


def bookmaker_names() -> list[str]:
    return list(db.session.scalars(select(Bookmaker.name).order_by(Bookmaker.name)))


# --- privacy: wired to the accounts feature's export and delete hooks ---------------------------


def export_user(user_id: int) -> dict[str, Any]:
    """Everything the tracker holds about a user, as plain data."""

    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    columns = [c.key for c in Bet.__table__.columns if c.key != "user_id"]
    bets = []
    for bet in db.session.scalars(select(Bet).where(Bet.user_id == user_id).order_by(Bet.id)):
        row = {name: getattr(bet, name) for name in columns}
        bets.append({k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()})
    settings = db.session.get(BetSettings, user_id)
    return {
        "bets": bets,
        "settings": {"default_stake_cents": settings.default_stake_cents} if settings else {},
    }


def delete_user_data(user_id: int) -> None:
    """Delete a user's bets and settings (no commit: the account's deletion commits it all at once)."""
    db.session.execute(delete(Bet).where(Bet.user_id == user_id))
    db.session.execute(delete(BetSettings).where(BetSettings.user_id == user_id))
