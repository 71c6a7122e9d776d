"""The odds comparison board and movement series: pure data built from price rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.model import prices

MARGIN_METHOD = "shin"


@dataclass(frozen=True, slots=True)
class Quote:
    price: float
    previous: float | None
    updated_at: datetime  # the provider's last-update instant, else when we observed it
    best: bool
    opening: float | None = None  # the first price this bookmaker offered on this outcome, when known

    @property
    def movement(self) -> str:
        """'up', 'down' or '' against the previous price."""
        if self.previous is None or self.previous == self.price:
            return ""
        return "up" if self.price > self.previous else "down"


@dataclass(frozen=True, slots=True)
class BookRow:
    key: str
    name: str
    quotes: tuple[Quote | None, ...]  # one per outcome, None where the bookmaker has no price
    margin: float | None  # None unless every outcome is quoted

    @property
    def updated_at(self) -> datetime:
        return max(q.updated_at for q in self.quotes if q is not None)


@dataclass(frozen=True, slots=True)
class MarketBoard:
    market: str
    outcomes: tuple[str, ...]
    rows: tuple[BookRow, ...]
    best: tuple[float | None, ...]  # the highest price per outcome
    consensus: tuple[float, ...] | None  # margin-free probability per outcome
    best_margin: float | None  # the margin of a book made of the best prices (< 0 is an arbitrage)

    @property
    def fair_odds(self) -> tuple[float, ...] | None:
        return None if self.consensus is None else tuple(prices.fair_odds(p) for p in self.consensus)

    @property
    def empty(self) -> bool:
        return not self.rows


PriceRow = tuple[str, str, str, float, float | None, datetime, datetime | None]


def build_board(
    market: str,
    outcomes: Sequence[str],
    rows: Iterable[PriceRow],
    openings: Mapping[tuple[str, str], float] | None = None,
) -> MarketBoard:
    """Board for one market from (bookmaker key, name, outcome, price, previous, observed, source) rows;
    `openings`: the first price per (bookmaker key, outcome), shown beside the current one."""
    index = {o: i for i, o in enumerate(outcomes)}
    books: dict[str, tuple[str, list[tuple[float, float | None, datetime] | None]]] = {}
    for key, name, outcome, price, previous, observed, source in rows:
        if outcome not in index:
            continue  # an outcome this board does not show is data, not an error
        slots = books.setdefault(key, (name, [None] * len(outcomes)))[1]
        slots[index[outcome]] = (price, previous, source or observed)
    best = _best_per_outcome([slots for _, slots in books.values()], len(outcomes))
    board_rows = tuple(
        _book_row(key, name, slots, best, [(openings or {}).get((key, o)) for o in outcomes])
        for key, (name, slots) in sorted(books.items(), key=lambda kv: kv[1][0].lower())
    )
    complete = [r for r in board_rows if r.margin is not None]
    return MarketBoard(
        market=market,
        outcomes=tuple(outcomes),
        rows=board_rows,
        best=best,
        consensus=_consensus(complete),
        best_margin=_best_margin(best),
    )


Slot = tuple[float, float | None, datetime]  # price, previous price, last update


def _best_per_outcome(books: list[list[Slot | None]], n: int) -> tuple[float | None, ...]:
    best: list[float | None] = []
    for i in range(n):
        offered = [slot[0] for slot in (book[i] for book in books) if slot is not None]
        best.append(max(offered) if offered else None)
    return tuple(best)


def _book_row(
    key: str, name: str, slots: list, best: tuple[float | None, ...], openings: list[float | None]
) -> BookRow:
    quotes = tuple(
        None
        if s is None
        else Quote(price=s[0], previous=s[1], updated_at=s[2], best=s[0] == best[i], opening=openings[i])
        for i, s in enumerate(slots)
    )
    full = all(q is not None for q in quotes)
    margin = prices.margin([q.price for q in quotes if q is not None]) if full else None
    return BookRow(key=key, name=name, quotes=quotes, margin=margin)


def _consensus(rows: Sequence[BookRow]) -> tuple[float, ...] | None:
    """The average of each complete book's margin-free probabilities, renormalised."""
    if not rows:
        return None
    fair = [prices.remove_margin([q.price for q in r.quotes if q is not None], MARGIN_METHOD) for r in rows]
    mean = [sum(col) / len(fair) for col in zip(*fair, strict=True)]
    total = sum(mean)
    return tuple(p / total for p in mean)


def _best_margin(best: tuple[float | None, ...]) -> float | None:
    if any(b is None for b in best):
        return None
    return prices.margin([b for b in best if b is not None])


def movement_series(
    history: Iterable[tuple[datetime, str, str, float]], outcomes: Sequence[str]
) -> dict[str, dict[str, list[tuple[datetime, float]]]]:
    """Per outcome, the best and the average price over time, replayed from price changes."""
    latest: dict[str, dict[str, float]] = {o: {} for o in outcomes}
    series: dict[str, dict[str, list[tuple[datetime, float]]]] = {o: {"best": [], "average": []} for o in outcomes}
    for observed, book, outcome, price in history:
        if outcome not in latest:
            continue
        latest[outcome][book] = price
        offered = latest[outcome].values()
        _append_point(series[outcome]["best"], observed, max(offered))
        _append_point(series[outcome]["average"], observed, round(sum(offered) / len(offered), 3))
    return series


def _append_point(points: list[tuple[datetime, float]], when: datetime, value: float) -> None:
    """Keep a step series minimal: same instant overwrites, an unchanged value adds nothing."""
    if points and points[-1][0] == when:
        points[-1] = (when, value)
        if len(points) > 1 and points[-2][1] == value:
            points.pop()
    elif not points or points[-1][1] != value:
        points.append((when, value))
