"""The match centre's odds: a board for every market the providers price, grouped by family, with opening prices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.odds import markets
from app.odds.board import MarketBoard, PriceRow, build_board, movement_series
from app.odds.chart import Chart, movement_chart
from app.odds.history import SERIES
from app.odds.models import Bookmaker, Market, OddsSnapshot
from app.odds.services import ODDS_CACHE_SECONDS, history_for, prices_for
from app.providers.records import OUTCOMES
from app.storage import cache_keys
from app.storage.cache import cached

CHART_MARKETS = ("1x2", "ou:2.5")  # movement charts cost a history read each: the two most bet markets
CHART_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class MarketView:
    key: str
    kind: str
    line: float | None
    board: MarketBoard
    charts: dict[str, Chart]

    @property
    def title(self) -> str:
        return markets.title(self.kind, self.line)

    @property
    def labels(self) -> tuple[str, ...]:
        return markets.outcome_labels(self.kind, self.line)

    @property
    def line_name(self) -> str:
        return markets.line_name(self.kind, self.line)

    @property
    def dom(self) -> str:
        return markets.dom_key(self.key)


@dataclass(frozen=True)
class Family:
    """One market family: its main line shown open, its other lines grouped."""

    kind: str
    main: MarketView
    others: tuple[MarketView, ...]

    @property
    def title(self) -> str:
        return markets.FAMILY_NAMES[self.kind]


@dataclass(frozen=True)
class MatchOdds:
    markets: tuple[MarketView, ...]  # every shown market, families in display order, lines ascending
    computed_at: datetime

    @property
    def empty(self) -> bool:
        return all(m.board.empty for m in self.markets)

    @property
    def families(self) -> tuple[Family, ...]:
        out = []
        for kind, _ in markets.FAMILIES:
            lines = [m for m in self.markets if m.kind == kind and not m.board.empty]
            if lines:
                main = markets.main_index(kind, [markets.Line(m.line, m.board) for m in lines])
                out.append(Family(kind, lines[main], tuple(m for i, m in enumerate(lines) if i != main)))
        return tuple(out)


def match_odds(match_id: int, now: datetime) -> MatchOdds:
    """The comparison boards and movement charts of a match; cached until a price changes."""
    return cached(cache_keys.odds_key(match_id), lambda: _compute_match_odds(match_id, now), ODDS_CACHE_SECONDS)


def _compute_match_odds(match_id: int, now: datetime) -> MatchOdds:
    rows: dict[str, list[PriceRow]] = defaultdict(list)
    for market_key, *rest in prices_for(match_id):
        rows[market_key].append(tuple(rest))  # type: ignore[arg-type]
    found = db.session.execute(select(Market.key, Market.kind, Market.line).where(Market.key.in_(list(rows))))
    shapes = {key: (kind, line) for key, kind, line in found if markets.shown(kind, line)}
    openings = opening_prices(match_id)
    order = {kind: i for i, (kind, _) in enumerate(markets.FAMILIES)}
    views = []
    for key, (kind, line) in sorted(shapes.items(), key=lambda m: (order[m[1][0]], m[1][1] or 0.0)):
        board = build_board(key, OUTCOMES[kind], rows[key], openings.get(key))
        charts = _charts(match_id, key, OUTCOMES[kind], now) if key in CHART_MARKETS else {}
        views.append(MarketView(key, kind, line, board, charts))
    return MatchOdds(markets=tuple(views), computed_at=now)


def opening_prices(match_id: int) -> dict[str, dict[tuple[str, str], float]]:
    """{market key: {(bookmaker key, outcome): first observed price}} from the price history.

    The first snapshot of each series is its opening; the nightly downsampling keeps it (history.downsample).
    """
    first = func.row_number().over(partition_by=SERIES, order_by=(OddsSnapshot.observed_at, OddsSnapshot.id))
    ranked = (
        select(*SERIES, OddsSnapshot.price, first.label("rank")).where(OddsSnapshot.match_id == match_id).subquery()
    )
    rows = db.session.execute(
        select(Market.key, Bookmaker.key, ranked.c.outcome, ranked.c.price)
        .join(Market, Market.id == ranked.c.market_id)
        .join(Bookmaker, Bookmaker.id == ranked.c.bookmaker_id)
        .where(ranked.c.rank == 1)
    )
    out: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for market_key, book, outcome, price in rows:
        out[market_key][(book, outcome)] = price
    return out


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
