"""Odds: snapshot-on-change ingest, the comparison board and movement history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.football.ingest import chunked, match_ids_by_alias
from app.football.models import MatchAlias
from app.odds.board import MarketBoard, build_board, movement_series
from app.odds.chart import Chart, movement_chart
from app.odds.models import Bookmaker, CurrentPrice, Market, OddsSnapshot
from app.providers.records import OUTCOMES, OddsBatch, PriceRecord
from app.storage import cache_keys
from app.storage.cache import cached

MIN_PRICE = 1.01
MAX_NAME, MAX_MARKET_KEY = 64, 96  # the columns' widths
PRICE_DECIMALS = 3


@dataclass
class OddsIngestResult:
    prices: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    unknown_fixtures: set[str] = field(default_factory=set)
    changed_match_ids: set[int] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.changed


def _lookup(model: type[Bookmaker] | type[Market]) -> dict[str, int]:
    return {key: id_ for key, id_ in db.session.execute(select(model.key, model.id))}


def _ensure_refs(prices: Iterable[PriceRecord]) -> tuple[dict[str, int], dict[str, int]]:
    """Ids of the batch's bookmakers and markets, creating the ones never seen (they are data)."""
    books, markets = _lookup(Bookmaker), _lookup(Market)
    for rec in prices:
        if rec.bookmaker.key not in books:
            bm = Bookmaker(key=rec.bookmaker.key, name=rec.bookmaker.name)
            db.session.add(bm)
            db.session.flush()
            books[bm.key] = bm.id
        mkey = Market.key_for(rec.market, rec.line)
        if mkey not in markets:
            market = Market(key=mkey, kind=rec.market, line=rec.line)
            db.session.add(market)
            db.session.flush()
            markets[mkey] = market.id
    return books, markets


def _valid(rec: PriceRecord) -> str | None:
    """Why a price record is unusable, or None."""
    if not isinstance(rec.price, (int, float)) or rec.price != rec.price:
        return f"{rec.fixture_external_id}/{rec.bookmaker.key}: price is not a number"
    if rec.price < MIN_PRICE:
        return f"{rec.fixture_external_id}/{rec.bookmaker.key}: price {rec.price} below {MIN_PRICE}"
    if len(rec.outcome) > MAX_NAME or len(Market.key_for(rec.market, rec.line)) > MAX_MARKET_KEY:
        return f"{rec.fixture_external_id}/{rec.bookmaker.key}: market or outcome name too long"
    return None


def upsert_odds(provider: str, batch: OddsBatch) -> OddsIngestResult:
    """Append a snapshot and update the board only where a price changed; no commit."""
    result = OddsIngestResult()
    match_ids = match_ids_by_alias(provider, (p.fixture_external_id for p in batch.prices))
    usable: list[PriceRecord] = []
    for rec in batch.prices:
        reason = _valid(rec)
        if reason:
            result.rejected.append(reason)
        elif rec.fixture_external_id not in match_ids:
            result.unknown_fixtures.add(rec.fixture_external_id)
        else:
            usable.append(rec)
    if not usable:
        return result
    books, markets = _ensure_refs(usable)
    current = _current_prices(set(match_ids[r.fixture_external_id] for r in usable))
    new_rows, changed_rows, snapshots = [], [], []
    seen: set[tuple[int, int, int, str]] = set()
    for rec in usable:
        key = (
            match_ids[rec.fixture_external_id],
            markets[Market.key_for(rec.market, rec.line)],
            books[rec.bookmaker.key],
            rec.outcome,
        )
        if key in seen:  # a provider repeating itself within one batch
            continue
        seen.add(key)
        price = round(float(rec.price), PRICE_DECIMALS)
        result.prices += 1
        old = current.get(key)
        if old is not None and old == price:
            result.unchanged += 1
            continue
        row = {
            "match_id": key[0],
            "market_id": key[1],
            "bookmaker_id": key[2],
            "outcome": key[3],
            "price": price,
            "observed_at": batch.observed_at,
            "source_updated_at": rec.source_updated_at,
        }
        snapshots.append(dict(row))
        if old is None:
            new_rows.append({**row, "previous_price": None})
        else:
            changed_rows.append({**row, "previous_price": old})
        result.changed += 1
        result.changed_match_ids.add(key[0])
    _write(new_rows, changed_rows, snapshots)
    return result


def priced_fixtures(provider: str) -> set[str]:
    """The provider's fixture ids of matches that already have prices."""
    priced = select(CurrentPrice.match_id).distinct().scalar_subquery()
    return set(
        db.session.scalars(
            select(MatchAlias.external_id).where(MatchAlias.provider == provider, MatchAlias.match_id.in_(priced))
        )
    )


def _current_prices(match_ids: set[int]) -> dict[tuple[int, int, int, str], float]:
    found: dict[tuple[int, int, int, str], float] = {}
    for chunk in chunked(sorted(match_ids)):
        rows = db.session.execute(
            select(
                CurrentPrice.match_id,
                CurrentPrice.market_id,
                CurrentPrice.bookmaker_id,
                CurrentPrice.outcome,
                CurrentPrice.price,
            ).where(CurrentPrice.match_id.in_(chunk))
        )
        found.update({(m, mk, b, o): p for m, mk, b, o, p in rows})
    return found


def _write(new_rows: list[dict], changed_rows: list[dict], snapshots: list[dict]) -> None:
    if snapshots:
        db.session.execute(insert(OddsSnapshot), snapshots)
    if new_rows:
        db.session.execute(insert(CurrentPrice), new_rows)
    if changed_rows:
        # ORM bulk UPDATE by primary key: one executemany, not a query per row.
        db.session.execute(update(CurrentPrice), changed_rows)


def latest_observation(match_id: int) -> datetime | None:
    """When a price of this match last changed, as we observed it."""
    return db.session.scalar(
        select(CurrentPrice.observed_at).filter_by(match_id=match_id).order_by(CurrentPrice.observed_at.desc()).limit(1)
    )


PriceRow = tuple[str, str, str, str, float, float | None, datetime, datetime | None]


def prices_for(match_id: int, market_keys: Iterable[str]) -> list[PriceRow]:
    """(market key, bookmaker key, bookmaker name, outcome, price, previous, observed, source) rows."""
    rows = db.session.execute(
        select(
            Market.key,
            Bookmaker.key,
            Bookmaker.name,
            CurrentPrice.outcome,
            CurrentPrice.price,
            CurrentPrice.previous_price,
            CurrentPrice.observed_at,
            CurrentPrice.source_updated_at,
        )
        .join(Market, Market.id == CurrentPrice.market_id)
        .join(Bookmaker, Bookmaker.id == CurrentPrice.bookmaker_id)
        .where(CurrentPrice.match_id == match_id, Market.key.in_(list(market_keys)))
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def history_for(
    match_id: int, market_key: str, since: datetime | None = None
) -> list[tuple[datetime, str, str, float]]:
    """(observed_at, bookmaker key, outcome, price) for one market, oldest first."""
    query = (
        select(OddsSnapshot.observed_at, Bookmaker.key, OddsSnapshot.outcome, OddsSnapshot.price)
        .join(Bookmaker, Bookmaker.id == OddsSnapshot.bookmaker_id)
        .join(Market, Market.id == OddsSnapshot.market_id)
        .where(OddsSnapshot.match_id == match_id, Market.key == market_key)
        .order_by(OddsSnapshot.observed_at, OddsSnapshot.id)
    )
    if since is not None:
        query = query.where(OddsSnapshot.observed_at >= since)
    return [tuple(r) for r in db.session.execute(query)]  # type: ignore[misc]


# --- reads for pages ------------------------------------------------------------------------

BOARD_MARKETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1x2", "Match result", OUTCOMES["1x2"]),
    ("ou:2.5", "Over/under 2.5 goals", OUTCOMES["ou"]),
)
CHART_WINDOW = timedelta(hours=48)
ODDS_CACHE_SECONDS = 60


@dataclass(frozen=True)
class MarketView:
    key: str
    title: str
    board: MarketBoard
    charts: dict[str, Chart]


@dataclass(frozen=True)
class MatchOdds:
    markets: tuple[MarketView, ...]
    computed_at: datetime

    @property
    def empty(self) -> bool:
        return all(m.board.empty for m in self.markets)


def match_odds(match_id: int, now: datetime) -> MatchOdds:
    """The comparison boards and movement charts of a match; cached until a price changes."""
    return cached(cache_keys.odds_key(match_id), lambda: _compute_match_odds(match_id, now), ODDS_CACHE_SECONDS)


def _compute_match_odds(match_id: int, now: datetime) -> MatchOdds:
    rows = prices_for(match_id, [m[0] for m in BOARD_MARKETS])
    by_market: dict[str, list] = {m[0]: [] for m in BOARD_MARKETS}
    for market_key, *rest in rows:
        by_market[market_key].append(tuple(rest))
    views = []
    for key, title, outcomes in BOARD_MARKETS:
        board = build_board(key, outcomes, by_market[key])
        views.append(MarketView(key, title, board, _charts(match_id, key, outcomes, now)))
    return MatchOdds(markets=tuple(views), computed_at=now)


def _charts(match_id: int, market_key: str, outcomes: tuple[str, ...], now: datetime) -> dict[str, Chart]:
    history = history_for(match_id, market_key)
    if not history:
        return {}
    start = max(history[0][0], now - CHART_WINDOW)
    end = max(now, history[-1][0])
    if end <= start:
        end = start + timedelta(minutes=1)
    series = movement_series(history, outcomes)
    return {o: movement_chart(series[o], start=start, end=end, width=200, height=90) for o in outcomes}


def best_match_prices(match_ids: list[int]) -> dict[int, tuple[float | None, ...]]:
    """The best 1X2 price per outcome for each match, for the lists."""
    if not match_ids:
        return {}
    outcomes = OUTCOMES["1x2"]
    rows = db.session.execute(
        select(CurrentPrice.match_id, CurrentPrice.outcome, func.max(CurrentPrice.price))
        .join(Market, Market.id == CurrentPrice.market_id)
        .where(CurrentPrice.match_id.in_(match_ids), Market.key == "1x2")
        .group_by(CurrentPrice.match_id, CurrentPrice.outcome)
    )
    best: dict[int, dict[str, float]] = {}
    for match_id, outcome, price in rows:
        best.setdefault(match_id, {})[outcome] = price
    return {m: tuple(prices.get(o) for o in outcomes) for m, prices in best.items()}
