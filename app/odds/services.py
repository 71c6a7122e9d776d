"""Odds: snapshot-on-change ingest, price and history reads, the best prices the lists show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, update

from app.extensions import db
from app.football.ingest import chunked, match_ids_by_alias
from app.football.models import Match, MatchAlias
from app.odds.models import Bookmaker, ClosingPrice, CurrentPrice, Market, OddsSnapshot
from app.providers.records import OUTCOMES, OddsBatch, PriceRecord

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


def prices_for(match_id: int, market_keys: Iterable[str] | None = None) -> list[PriceRow]:
    """(market key, bookmaker key, bookmaker name, outcome, price, previous, observed, source) rows;
    of every market when no keys are named."""
    query = (
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
        .where(CurrentPrice.match_id == match_id)
    )
    if market_keys is not None:
        query = query.where(Market.key.in_(list(market_keys)))
    return [tuple(r) for r in db.session.execute(query)]  # type: ignore[misc]


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


ODDS_CACHE_SECONDS = 60  # how long computed boards and values live, unless a price change drops them first


# --- reads for lists ------------------------------------------------------------------------


SHORT_NAME = 9  # characters of a bookmaker's name a list row has room for
SHORT_NAMES = {  # the usual short forms of names longer than that
    "williamhill": "W. Hill",
    "paddypower": "Paddy P.",
    "marathonbet": "Marathon",
    "betfair_sb": "Betfair",
    "betfair_ex_uk": "Betfair",
    "betfair_ex_eu": "Betfair",
}


@dataclass(frozen=True, slots=True)
class BestPrice:
    price: float
    bookmaker_key: str
    bookmaker: str

    @property
    def short(self) -> str:
        """The bookmaker's name as a list row shows it: its own short form, else cut to fit."""
        if self.bookmaker_key in SHORT_NAMES:
            return SHORT_NAMES[self.bookmaker_key]
        name = self.bookmaker
        return name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class ListPrices:
    """A list row's 1X2: the best price per outcome and whose it is. A finished match's are its closing prices,
    never the last it had in play."""

    prices: tuple[BestPrice | None, ...]
    closing: bool = False


def best_match_prices(match_ids: list[int]) -> dict[int, ListPrices]:
    """The best 1X2 price per outcome with its bookmaker, for the lists; closing prices for finished matches."""
    if not match_ids:
        return {}
    finished = set(db.session.scalars(select(Match.id).where(Match.id.in_(match_ids), Match.status == "finished")))
    playing = [m for m in match_ids if m not in finished]
    out = {m: ListPrices(p) for m, p in _best_1x2(CurrentPrice, playing).items()}
    out |= {m: ListPrices(p, closing=True) for m, p in _best_1x2(ClosingPrice, sorted(finished)).items()}
    return out


def _best_1x2(table: type[CurrentPrice] | type[ClosingPrice], match_ids: list[int]) -> dict[int, tuple]:
    """{match id: best price per 1X2 outcome}; of equal prices, the bookmaker first by name."""
    outcomes = OUTCOMES["1x2"]
    best: dict[int, dict[str, BestPrice]] = defaultdict(dict)
    for chunk in chunked(match_ids):
        rows = db.session.execute(
            select(table.match_id, table.outcome, table.price, Bookmaker.key, Bookmaker.name)
            .join(Market, Market.id == table.market_id)
            .join(Bookmaker, Bookmaker.id == table.bookmaker_id)
            .where(table.match_id.in_(chunk), Market.key == "1x2")
            .order_by(Bookmaker.name, Bookmaker.key)
        )
        for match_id, outcome, price, key, name in rows:
            held = best[match_id].get(outcome)
            if held is None or price > held.price:
                best[match_id][outcome] = BestPrice(price, key, name)
    return {m: tuple(found.get(o) for o in outcomes) for m, found in best.items()}
