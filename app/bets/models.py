"""A user's bets and their bet settings. Money is kept in cents (hundredths of whatever unit the user counts in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.football.models import Match
from app.odds.models import Market
from app.storage.columns import UTCDateTime, utcnow

MAX_BOOKMAKER = 80


class Bet(Model):
    """One single, pre-match. Open until settled (settled_at set, once); archived some days after."""

    __tablename__ = "bets"
    __table_args__ = (
        Index("ix_bets_user_placed", "user_id", "placed_at"),
        Index("ix_bets_match_settled", "match_id", "settled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"))
    market_kind: Mapped[str] = mapped_column(String(8))  # 1x2, ou, ah, btts
    line: Mapped[float | None] = mapped_column(Float)  # the total, or the home side's handicap (as markets key it)
    selection: Mapped[str] = mapped_column(String(8))
    # A bookmaker we know (its closing price is then comparable), or only a name the user typed.
    bookmaker_id: Mapped[int | None] = mapped_column(ForeignKey("bookmakers.id"))
    bookmaker_name: Mapped[str] = mapped_column(String(MAX_BOOKMAKER))
    price: Mapped[float] = mapped_column(Float)
    stake_cents: Mapped[int] = mapped_column(BigInteger)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The kickoff when the bet was placed: a match not played within 48 hours of it voids the bet.
    kickoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Written once, by the settlement's guarded UPDATE.
    result: Mapped[str | None] = mapped_column(String(10))
    profit_cents: Mapped[int | None] = mapped_column(BigInteger)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_price: Mapped[float | None] = mapped_column(Float)  # the same bookmaker's
    fair_closing_price: Mapped[float | None] = mapped_column(Float)  # the margin-free consensus's
    clv: Mapped[float | None] = mapped_column(Float)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    match: Mapped[Match] = relationship()

    @property
    def market_key(self) -> str:
        return Market.key_for(self.market_kind, self.line)

    @property
    def is_open(self) -> bool:
        return self.settled_at is None

    @property
    def stake(self) -> float:
        return self.stake_cents / 100

    @property
    def profit(self) -> float | None:
        return None if self.profit_cents is None else self.profit_cents / 100


class BetSettings(Model):
    """One user's tracker settings: the stake the bet form starts from."""

    __tablename__ = "bet_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    default_stake_cents: Mapped[int] = mapped_column(BigInteger)
