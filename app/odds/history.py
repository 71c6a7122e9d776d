"""Price history over time: closing lines captured at kickoff, and old history thinned to what is still read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import Date, and_, case, cast, delete, func, insert, literal, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.football.models import NOT_PLAYED, Match
from app.jobs import signals
from app.odds.board import MarketBoard, PriceRow, build_board
from app.odds.models import Bookmaker, ClosingPrice, Market, OddsSnapshot
from app.providers.records import OUTCOMES
from app.storage.columns import UTCDateTime

KEEP_HISTORY_DAYS = 30  # every price change of the last 30 days is kept; older ones are downsampled
SERIES = (OddsSnapshot.match_id, OddsSnapshot.market_id, OddsSnapshot.bookmaker_id, OddsSnapshot.outcome)


@dataclass
class CaptureResult:
    matches: int = 0
    written: int = 0
    match_ids: set[int] = field(default_factory=set)


def capture_closing(now: datetime, lookback: timedelta = timedelta(hours=6)) -> CaptureResult:
    """Freeze each series' last pre-kickoff price for matches kicked off within the lookback; no commit."""
    # A match is captured once: one with closing prices already is skipped, so reruns write nothing.
    # Postponed and cancelled matches never closed; their kickoff will move.
    captured = select(ClosingPrice.match_id).where(ClosingPrice.match_id == Match.id).exists()
    candidates = list(
        db.session.scalars(
            select(Match.id).where(
                Match.kickoff_at > now - lookback, Match.kickoff_at <= now, Match.status.not_in(NOT_PLAYED), ~captured
            )
        )
    )
    if not candidates:
        return CaptureResult()
    latest_first = func.row_number().over(
        partition_by=SERIES, order_by=(OddsSnapshot.observed_at.desc(), OddsSnapshot.id.desc())
    )
    ranked = (
        select(*SERIES, OddsSnapshot.price, OddsSnapshot.observed_at, latest_first.label("rank"))
        .join(Match, Match.id == OddsSnapshot.match_id)
        .where(OddsSnapshot.match_id.in_(candidates), OddsSnapshot.observed_at <= Match.kickoff_at)
        .subquery()
    )
    db.session.execute(
        insert(ClosingPrice).from_select(
            ["match_id", "market_id", "bookmaker_id", "outcome", "price", "observed_at", "captured_at"],
            select(
                ranked.c.match_id,
                ranked.c.market_id,
                ranked.c.bookmaker_id,
                ranked.c.outcome,
                ranked.c.price,
                ranked.c.observed_at,
                literal(now, UTCDateTime()),
            ).where(ranked.c.rank == 1),
        )
    )
    written: dict[int, int] = dict(
        db.session.execute(
            select(ClosingPrice.match_id, func.count())
            .where(ClosingPrice.match_id.in_(candidates))
            .group_by(ClosingPrice.match_id)
        ).all()
    )
    return CaptureResult(matches=len(written), written=sum(written.values()), match_ids=set(written))


def closing_boards(match_ids: list[int]) -> dict[int, MarketBoard]:
    """Each match's closing 1X2 board: its margin-free consensus (Shin per complete book, averaged, as the match
    page computes it) is the market a prediction is measured against, its best prices what a value bet got."""
    rows = db.session.execute(
        select(
            ClosingPrice.match_id,
            Bookmaker.key,
            Bookmaker.name,
            ClosingPrice.outcome,
            ClosingPrice.price,
            ClosingPrice.observed_at,
        )
        .join(Market, Market.id == ClosingPrice.market_id)
        .join(Bookmaker, Bookmaker.id == ClosingPrice.bookmaker_id)
        .where(Market.key == "1x2", ClosingPrice.match_id.in_(match_ids))
    ).all()
    per_match: dict[int, list[PriceRow]] = {}
    for match_id, key, name, outcome, price, observed in rows:
        per_match.setdefault(match_id, []).append((key, name, outcome, price, None, observed, None))
    return {match_id: build_board("1x2", OUTCOMES["1x2"], prices) for match_id, prices in per_match.items()}


def init_app(app: Flask) -> None:
    signals.nightly.connect(_nightly, sender=app)


def _nightly(app: Flask, now: datetime) -> dict[str, int]:
    return {"snapshots_downsampled": downsample(now, keep_days=KEEP_HISTORY_DAYS)}


def downsample(now: datetime, keep_days: int = KEEP_HISTORY_DAYS) -> int:
    """Thin old matches' history to the rows charts and analysis still read; returns rows deleted, no commit."""
    # Of each series' snapshots observed before the cutoff, kept are its opening, its closing (the last at
    # or before kickoff) and each UTC day's high and low (ties: earliest observed, then lowest id). Kept
    # rows still rank first among what is left, so a rerun deletes nothing.
    cutoff = now - timedelta(days=keep_days)
    day = _observed_day()
    pre_kickoff = OddsSnapshot.observed_at <= Match.kickoff_at
    first = (OddsSnapshot.observed_at, OddsSnapshot.id)
    ranked = (
        select(
            OddsSnapshot.id,
            pre_kickoff.label("pre_kickoff"),
            func.row_number().over(partition_by=SERIES, order_by=first).label("opening"),
            # Pre-kickoff rows sort first, latest first: rank 1 is the closing when the series has one.
            func.row_number()
            .over(
                partition_by=SERIES,
                order_by=(
                    case((pre_kickoff, 0), else_=1),
                    OddsSnapshot.observed_at.desc(),
                    OddsSnapshot.id.desc(),
                ),
            )
            .label("closing"),
            func.row_number()
            .over(partition_by=(*SERIES, day), order_by=(OddsSnapshot.price.desc(), *first))
            .label("high"),
            func.row_number()
            .over(partition_by=(*SERIES, day), order_by=(OddsSnapshot.price.asc(), *first))
            .label("low"),
        )
        .join(Match, Match.id == OddsSnapshot.match_id)
        .where(Match.kickoff_at < cutoff, OddsSnapshot.observed_at < cutoff)
        .subquery()
    )
    keep = or_(
        ranked.c.opening == 1, and_(ranked.c.closing == 1, ranked.c.pre_kickoff), ranked.c.high == 1, ranked.c.low == 1
    )
    result = db.session.execute(
        delete(OddsSnapshot).where(OddsSnapshot.id.in_(select(ranked.c.id).where(not_(keep)))),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount  # type: ignore[attr-defined]


def _observed_day() -> ColumnElement[date]:
    """The UTC calendar date a snapshot was observed on, whatever the database session's time zone."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", OddsSnapshot.observed_at), Date)
    return func.date(OddsSnapshot.observed_at)  # SQLite holds instants as naive UTC text
