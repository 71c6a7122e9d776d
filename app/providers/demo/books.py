"""Demo bookmakers at work: re-pricing cadence, coverage, margins, fractional ladder, quotes."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
from functools import lru_cache

from app.providers.demo.calendar import HOUR, MatchSpec, _instant, rng
from app.providers.demo.match import draw_match, true_probs
from app.providers.demo.world import BOOKMAKERS, FRACTIONAL_LADDER, Bookmaker
from app.providers.records import OUTCOMES, BookmakerRef, PriceRecord

MIN_PRICE, MAX_PRICE = 1.01, 1001.0
P_FLOOR = 0.001  # keeps decided in-play outcomes priced instead of dividing by zero
MIN_BOOK = 1.003  # smallest overround any quoted book may show
TWO_WAY_SHARE = 0.85  # two-way books carry a little less margin than 1X2
# (seconds to kickoff above which the phase applies, base re-pricing interval)
CADENCES = ((48 * HOUR, 6 * HOUR), (6 * HOUR, HOUR), (0, 10 * 60))
IN_PLAY_CADENCE = 90
LADDER_STRETCH = 1.05  # furthest a ladder book rounds above its own price
REACTION_SECONDS = 60  # how long a book takes to re-price after news or a goal


@lru_cache(maxsize=64)
def _phase(book_key: str) -> float:
    """Fixed fraction of an interval by which a bookmaker's grid is shifted."""
    digest = hashlib.blake2b(book_key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def bucket_start(book: Bookmaker, kickoff: int, ts: int, events: tuple[int, ...] = ()) -> int:
    """Start of the bookmaker's current re-pricing bucket; buckets never straddle phases.

    `events` (team news, goals) open a new bucket once the book has had time to react,
    so a stale price survives minutes, not the hours of an early-week bucket.
    """
    to_go, floor = kickoff - ts, None
    for threshold, base in CADENCES:
        if to_go > threshold:
            length = round(base * book.cadence)
            break
        floor = kickoff - threshold
    else:
        length, floor = max(60, min(120, round(IN_PLAY_CADENCE * book.cadence))), kickoff
    offset = int(_phase(book.key) * length)
    start = (ts - offset) // length * length + offset
    delay = round(REACTION_SECONDS * book.cadence)
    seen = bisect.bisect_right(events, ts - delay)
    if seen:
        start = max(start, events[seen - 1] + delay)
    return start if floor is None else max(start, floor)


@lru_cache(maxsize=4_096)
def _events(seed: int, spec: MatchSpec) -> tuple[int, ...]:
    """Instants that make bookmakers re-price at once: team news, kickoff, goals."""
    d = draw_match(seed, spec)
    goals = (spec.kickoff + math.ceil(minute * 60) for minute in (*d.home_goals, *d.away_goals))
    return tuple(sorted({*(when for when, _, _ in d.news), spec.kickoff, *goals}))


@lru_cache(maxsize=4_096)
def _covering(seed: int, fixture_id: str) -> tuple[str, ...]:
    """Bookmakers that price this match at all (minor books skip a few)."""
    r = rng(seed, fixture_id, "coverage")
    return tuple(key for key, book in BOOKMAKERS.items() if r.random() < book.coverage)


def _quotes(book: Bookmaker, market: str, line: float | None) -> bool:
    """Whether the bookmaker offers this market line at all."""
    if market == "btts":
        return book.btts
    if market == "ah":
        # Books without alternative lines offer no quarter lines (half the stake on each neighbour).
        return book.handicap and (book.alt_totals or (line is not None and (line * 2).is_integer()))
    return market != "ou" or line == 2.5 or book.alt_totals


def _ladder(raw: list[float], target: float) -> list[float]:
    """Snap to neighbouring ladder rungs, choosing the combination nearest the target book."""
    options: list[tuple[float, ...]] = []
    for price in raw:
        i = bisect.bisect_left(FRACTIONAL_LADDER, price)
        lo = FRACTIONAL_LADDER[max(i - 1, 0)]
        hi = FRACTIONAL_LADDER[min(i, len(FRACTIONAL_LADDER) - 1)]
        # Rounding far up would hand out a price well beyond the book's own view.
        if hi == price:
            options.append((hi,))
        else:
            options.append((lo, hi) if hi <= price * LADDER_STRETCH else (lo,))
    best = min(itertools.product(*options), key=lambda combo: abs(sum(1 / x for x in combo) - target))
    return list(best)


def _cap_favourite(implied: list[float]) -> list[float]:
    """Hold a (nearly) decided outcome at MIN_PRICE yet keep the book above 100 %.

    Without this, clamping the favourite to 1.01 would leave an underround book that
    the app would read as an arbitrage.
    """
    cap = 1 / MIN_PRICE
    top = max(range(len(implied)), key=implied.__getitem__)
    if implied[top] <= cap:
        return implied
    rest = sum(x for i, x in enumerate(implied) if i != top)
    stretch = max(1.0, (MIN_BOOK - cap) / rest)
    return [cap if i == top else x * stretch for i, x in enumerate(implied)]


def _price(book: Bookmaker, probs: tuple[float, ...], margin: float, noise: list[float]) -> list[float]:
    """Turn true probabilities into the bookmaker's rounded decimal prices."""
    p = [min(max(x, P_FLOOR), 1 - P_FLOOR) for x in probs]
    # A longshot tilt loads more of the margin onto unlikely outcomes, as books do.
    weights = [x * (1 + book.longshot_tilt * (1 - x)) for x in p]
    total = sum(weights)
    implied = [(x + margin * w / total) * n for x, w, n in zip(p, weights, noise, strict=True)]
    scale = (1 + margin) / sum(implied)
    implied = _cap_favourite([x * scale for x in implied])
    raw = [min(MAX_PRICE, max(MIN_PRICE, 1 / x)) for x in implied]
    if book.fractional:
        raw = _ladder(raw, 1 + margin)
    return [max(MIN_PRICE, round(x, 2)) for x in raw]


@lru_cache(maxsize=8_192)
def quote(seed: int, spec: MatchSpec, book_key: str, start: int) -> tuple[PriceRecord, ...]:
    """One bookmaker's prices for one match in one bucket; identical for the whole bucket."""
    markets = true_probs(seed, spec, start)
    if markets is None:
        return ()
    book = BOOKMAKERS[book_key]
    bias = rng(seed, spec.fixture_id, book_key, "bias")  # the book's lasting opinion
    jitter = rng(seed, spec.fixture_id, book_key, start)  # this bucket's wobble
    margin = book.margin * jitter.uniform(0.94, 1.06)
    ref, when = BookmakerRef(book.key, book.name), _instant(start)
    out = []
    for market, line, probs in markets:
        # Draw for every market so a skipped market never shifts another's noise.
        noise = [math.exp(bias.gauss(0, book.noise) + jitter.gauss(0, book.noise / 3)) for _ in probs]
        if not _quotes(book, market, line):
            continue
        m = margin if len(probs) == 3 else margin * TWO_WAY_SHARE
        for outcome, price in zip(OUTCOMES[market], _price(book, probs, m, noise), strict=True):
            out.append(PriceRecord(spec.fixture_id, ref, market, outcome, price, line, when))
    return tuple(out)
