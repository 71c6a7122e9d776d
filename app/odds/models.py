"""Bookmakers, markets, the current price board, the append-only price history and closing prices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, db
from app.storage.columns import UTCDateTime


class Bookmaker(Model):
    __tablename__ = "bookmakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Market(Model):
    """A market family with its line: '1x2', 'ou:2.5', 'ah:-0.5', 'btts'."""

    __tablename__ = "markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unknown markets are kept as data under the provider's own name, which can be long.
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    line: Mapped[float | None] = mapped_column(Float)

    @staticmethod
    def key_for(kind: str, line: float | None) -> str:
        """The canonical key of a market: the kind, and the line when it has one."""
        return kind if line is None else f"{kind}:{line:g}"


class CurrentPrice(Model):
    """The latest price per match x bookmaker x market x outcome: read without scanning history."""

    __tablename__ = "current_prices"

    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), primary_key=True)
    bookmaker_id: Mapped[int] = mapped_column(ForeignKey("bookmakers.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(64), primary_key=True)
    price: Mapped[float] = mapped_column(Float)
    previous_price: Mapped[float | None] = mapped_column(Float)
    # When we first saw this price, and when the provider says it last changed it.
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bookmaker: Mapped[Bookmaker] = relationship()
    market: Mapped[Market] = relationship()


class OddsSnapshot(Model):
    """One observed price change. Append-only: never updated, only downsampled when old."""

    __tablename__ = "odds_snapshots"
    __table_args__ = (Index("ix_odds_snapshots_match_market_time", "match_id", "market_id", "observed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    bookmaker_id: Mapped[int] = mapped_column(ForeignKey("bookmakers.id"))
    outcome: Mapped[str] = mapped_column(String(64))
    price: Mapped[float] = mapped_column(Float)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ClosingPrice(Model):
    """The last price each bookmaker offered before kickoff: what closing-line value is measured against."""

    __tablename__ = "closing_prices"

    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), primary_key=True)
    bookmaker_id: Mapped[int] = mapped_column(ForeignKey("bookmakers.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(64), primary_key=True)
    price: Mapped[float] = mapped_column(Float)
    # When that price was first observed, and when it was copied here as the close.
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime())
