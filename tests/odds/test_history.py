"""Price history: closing lines frozen at kickoff, and old history thinned to opening, close, highs and lows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from app.extensions import cache, db
from app.football.models import Match
from app.odds.history import CaptureResult, capture_closing, downsample
from app.odds.jobs import capture_closing_lines
from app.odds.models import Bookmaker, ClosingPrice, CurrentPrice, OddsSnapshot
from app.storage import cache_keys
from tests.conftest import NOW
from tests.factories import book, make_match, match_result

CUTOFF = NOW - timedelta(days=30)  # 2026-10-22 15:40 UTC: what downsample(NOW) keeps whole


def snap(match: Match, bookmaker: str, outcome: str, price: float, observed_at: datetime) -> OddsSnapshot:
    """A price change as ingest records it, flushed alone so ids follow the order of the calls."""
    row = OddsSnapshot(
        match_id=match.id,
        market_id=match_result().id,
        bookmaker_id=book(bookmaker).id,
        outcome=outcome,
        price=price,
        observed_at=observed_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def closing_of(match: Match) -> set[tuple[str, str, float, datetime, datetime]]:
    """(bookmaker, outcome, price, observed, captured) of a match's closing prices."""
    rows = db.session.execute(
        select(
            Bookmaker.key, ClosingPrice.outcome, ClosingPrice.price, ClosingPrice.observed_at, ClosingPrice.captured_at
        )
        .join(Bookmaker, Bookmaker.id == ClosingPrice.bookmaker_id)
        .where(ClosingPrice.match_id == match.id)
    )
    return {tuple(r) for r in rows}


def history_of(match: Match) -> set[tuple[str, str, datetime, float]]:
    """(bookmaker, outcome, observed, price) of every snapshot a match still has."""
    rows = db.session.execute(
        select(Bookmaker.key, OddsSnapshot.outcome, OddsSnapshot.observed_at, OddsSnapshot.price)
        .join(Bookmaker, Bookmaker.id == OddsSnapshot.bookmaker_id)
        .where(OddsSnapshot.match_id == match.id)
    )
    return {tuple(r) for r in rows}


def october(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


def record(
    match: Match, bookmaker: str, outcome: str, series: list[tuple[datetime, float, bool]]
) -> set[tuple[str, str, datetime, float]]:
    """Write a series of (observed, price, kept?) and return the rows that should survive downsampling."""
    for observed_at, price, _ in series:
        snap(match, bookmaker, outcome, price, observed_at)
    return {(bookmaker, outcome, observed_at, price) for observed_at, price, kept in series if kept}


def board_and_closing_lines() -> tuple[set[tuple], set[tuple]]:
    """Every current price and every closing price, as plain values."""
    board = db.session.execute(
        select(
            CurrentPrice.match_id,
            CurrentPrice.bookmaker_id,
            CurrentPrice.outcome,
            CurrentPrice.price,
            CurrentPrice.observed_at,
        )
    )
    closes = db.session.execute(
        select(
            ClosingPrice.match_id,
            ClosingPrice.bookmaker_id,
            ClosingPrice.outcome,
            ClosingPrice.price,
            ClosingPrice.observed_at,
        )
    )
    return {tuple(r) for r in board}, {tuple(r) for r in closes}


def a_session_far_from_utc() -> None:
    """On PostgreSQL, a session in Tokyo: days must still be cut at UTC midnight (SQLite has no zone)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))


# --- closing lines --------------------------------------------------------------------------


def test_the_closing_line_is_each_bookmakers_last_price_before_kickoff(app, clock):
    kickoff = clock.now - timedelta(hours=1)
    match = make_match(kickoff)
    snap(match, "close_a", "home", 2.10, kickoff - timedelta(days=2))
    snap(match, "close_a", "home", 2.05, kickoff - timedelta(hours=3))
    snap(match, "close_a", "home", 2.00, kickoff - timedelta(minutes=10))
    snap(match, "close_a", "home", 1.80, kickoff + timedelta(minutes=5))  # in play: not the close
    snap(match, "close_a", "away", 3.50, kickoff - timedelta(days=2))
    snap(match, "close_a", "away", 3.60, kickoff)  # at the whistle still counts
    snap(match, "close_b", "home", 2.20, kickoff - timedelta(days=1))
    snap(match, "close_b", "home", 1.50, kickoff + timedelta(minutes=20))
    snap(match, "close_b", "away", 4.00, kickoff + timedelta(minutes=1))  # only ever priced in play

    result = capture_closing(clock.now)

    assert match.id in result.match_ids
    assert closing_of(match) == {
        ("close_a", "home", 2.00, kickoff - timedelta(minutes=10), clock.now),
        ("close_a", "away", 3.60, kickoff, clock.now),
        ("close_b", "home", 2.20, kickoff - timedelta(days=1), clock.now),
    }


def test_capturing_again_writes_nothing(app, clock):
    kickoff = clock.now - timedelta(hours=1)
    match = make_match(kickoff)
    snap(match, "close_a", "home", 2.00, kickoff - timedelta(hours=2))
    capture_closing(clock.now)
    before = closing_of(match)

    assert capture_closing(clock.now) == CaptureResult(matches=0, written=0, match_ids=set())
    clock.advance(hours=1)  # still within the lookback: other matches kick off meanwhile, not this one again
    assert match.id not in capture_closing(clock.now).match_ids
    assert closing_of(match) == before


def test_a_match_without_prices_gets_no_closing_line_until_one_is_recorded(app, clock):
    kickoff = clock.now - timedelta(minutes=30)
    match = make_match(kickoff)

    assert match.id not in capture_closing(clock.now).match_ids
    assert closing_of(match) == set()

    snap(match, "close_a", "draw", 3.30, kickoff - timedelta(hours=1))  # a late backfill of the past
    clock.advance(minutes=5)
    result = capture_closing(clock.now)

    assert match.id in result.match_ids
    assert closing_of(match) == {("close_a", "draw", 3.30, kickoff - timedelta(hours=1), clock.now)}


def test_only_matches_kicked_off_within_the_lookback_are_captured(app, clock):
    kickoffs = {
        "long ago": clock.now - timedelta(hours=7),
        "at the edge": clock.now - timedelta(hours=6),
        "just now": clock.now,
        "soon": clock.now + timedelta(hours=1),
    }
    matches = {}
    for name, kickoff in kickoffs.items():
        matches[name] = make_match(kickoff, home=f"{name} home", away=f"{name} away")
        snap(matches[name], "close_a", "home", 2.50, kickoff - timedelta(hours=2))

    result = capture_closing(clock.now, lookback=timedelta(hours=6))

    captured = {name for name, match in matches.items() if closing_of(match)}
    assert captured == {"just now"}
    assert {m.id for m in matches.values()} & result.match_ids == {matches["just now"].id}


def test_a_postponed_match_has_no_closing_line(app, clock):
    kickoff = clock.now - timedelta(hours=1)
    match = make_match(kickoff, status="postponed")
    snap(match, "close_a", "home", 2.00, kickoff - timedelta(hours=2))

    assert match.id not in capture_closing(clock.now).match_ids
    assert closing_of(match) == set()


def test_the_job_captures_closing_lines_once_and_drops_the_cached_odds(app, clock):
    kickoff = clock.now - timedelta(hours=1)
    match = make_match(kickoff)
    snap(match, "close_a", "home", 2.00, kickoff - timedelta(hours=2))
    snap(match, "close_a", "away", 3.75, kickoff - timedelta(hours=2))
    cache.set(cache_keys.odds_key(match.id), "stale board")

    first = capture_closing_lines()
    again = capture_closing_lines()

    assert first["matches"] >= 1 and first["written"] >= 2
    assert "changed_matches" not in first  # handed to cache invalidation
    assert cache.get(cache_keys.odds_key(match.id)) is None
    assert closing_of(match) == {
        ("close_a", "home", 2.00, kickoff - timedelta(hours=2), clock.now),
        ("close_a", "away", 3.75, kickoff - timedelta(hours=2), clock.now),
    }
    assert (again["matches"], again["written"]) == (0, 0)


# --- downsampling ---------------------------------------------------------------------------


def test_old_history_keeps_the_opening_the_close_and_each_days_high_and_low(app, clock):
    match = make_match(october(12, 15, 40))  # forty days before NOW
    a_session_far_from_utc()
    kept = record(
        match,
        "ds_a",
        "home",
        [
            (october(10, 9), 2.50, True),  # opening
            (october(10, 12), 2.60, True),  # the 10th's high
            (october(10, 18), 2.40, True),  # the 10th's low
            (october(10, 21), 2.45, False),  # the 11th in Tokyo, where it would be that day's high
            (october(11, 8), 2.30, False),
            (october(11, 11), 2.20, False),
            (october(11, 14), 2.35, True),  # the 11th's high
            (october(11, 17), 2.10, True),  # the 11th's low
            (october(11, 20), 2.25, False),
            (october(12, 9), 2.15, False),
            (october(12, 12), 2.05, False),
            (october(12, 15), 2.12, True),  # closing: the last before kickoff
            (october(12, 15, 50), 1.60, True),  # in play: the 12th's low
            (october(12, 16, 30), 3.00, True),  # in play: the 12th's high
            (october(12, 17), 2.80, False),
        ],
    )
    kept |= record(
        match,
        "ds_b",
        "home",
        [  # another bookmaker is a series of its own
            (october(11, 10), 2.40, True),  # opening, and the 11th's low
            (october(11, 12), 2.50, True),  # the 11th's high
            (october(11, 13), 2.45, False),
            (october(12, 10), 2.30, True),  # closing, the 12th's high and low
        ],
    )
    kept |= record(
        match,
        "ds_b",
        "away",
        [  # priced only in play: no close to keep
            (october(12, 15, 50), 4.00, True),  # opening
            (october(12, 16), 4.20, True),  # high
            (october(12, 16, 10), 3.90, True),  # low
            (october(12, 16, 20), 4.10, False),  # the last price, but not a closing one
        ],
    )

    assert downsample(clock.now) == 9
    assert history_of(match) == kept
    assert downsample(clock.now) == 0
    assert history_of(match) == kept


def test_ties_keep_the_earliest_then_the_first_recorded(app, clock):
    match = make_match(october(12, 15, 40))
    kept = record(
        match,
        "ds_a",
        "draw",
        [
            (october(11, 8), 3.30, True),  # opening
            (october(11, 9), 3.40, True),  # the 11th's high, first of two
            (october(11, 10), 3.20, True),  # the 11th's low, first of two
            (october(11, 11), 3.40, False),
            (october(11, 12), 3.20, False),
            (october(11, 13), 3.25, False),
        ],
    )
    # The same price twice at one instant: the row recorded first stands for both.
    lows = [snap(match, "ds_a", "draw", 3.10, october(12, 9)).id for _ in range(2)]
    highs = [snap(match, "ds_a", "draw", 3.15, october(12, 10)).id for _ in range(2)]
    kept |= record(match, "ds_a", "draw", [(october(12, 11), 3.12, True)])  # closing
    kept |= {("ds_a", "draw", october(12, 9), 3.10), ("ds_a", "draw", october(12, 10), 3.15)}

    assert downsample(clock.now) == 5
    assert history_of(match) == kept
    survivors = set(db.session.scalars(select(OddsSnapshot.id).where(OddsSnapshot.id.in_(lows + highs))))
    assert survivors == {min(lows), min(highs)}


def test_recent_history_and_matches_after_the_cutoff_are_kept_whole(app, clock):
    later = make_match(CUTOFF, home="Later Home", away="Later Away")  # kicks off at the cutoff itself
    whole = record(
        later, "ds_a", "home", [(CUTOFF - timedelta(days=3, hours=hours), 2.0 + hours / 10, True) for hours in range(6)]
    )
    straddling = make_match(october(22, 14, 40))  # an hour before the cutoff
    kept = record(
        straddling,
        "ds_a",
        "home",
        [
            (october(22, 12), 2.00, True),  # opening
            (october(22, 13), 2.10, True),  # high of the day before the cutoff
            (october(22, 13, 30), 2.05, False),
            (october(22, 14), 1.95, True),  # low of the day before the cutoff
            (october(22, 14, 30), 2.02, True),  # closing
            (october(22, 15), 1.99, False),  # in play, before the cutoff
            (october(22, 15, 40), 1.50, True),  # at the cutoff and after: untouched
            (october(22, 16), 3.50, True),
            (october(22, 16, 30), 3.40, True),
        ],
    )

    assert downsample(clock.now) == 2
    assert history_of(later) == whole
    assert history_of(straddling) == kept


def test_downsampling_leaves_the_board_and_the_closing_lines_alone(app, clock):
    match = make_match(october(12, 15, 40))
    for hour in range(8, 15):
        snap(match, "ds_a", "home", 2.0 + (hour % 3) / 10, october(12, hour))
    market, bookmaker = match_result(), book("ds_a")
    db.session.add(
        CurrentPrice(
            match_id=match.id,
            market_id=market.id,
            bookmaker_id=bookmaker.id,
            outcome="home",
            price=2.20,
            previous_price=2.10,
            observed_at=october(12, 14),
        )
    )
    db.session.add(
        ClosingPrice(
            match_id=match.id,
            market_id=market.id,
            bookmaker_id=bookmaker.id,
            outcome="home",
            price=2.20,
            observed_at=october(12, 14),
            captured_at=october(12, 16),
        )
    )
    db.session.flush()
    before = board_and_closing_lines()

    assert downsample(clock.now) > 0
    assert board_and_closing_lines() == before
