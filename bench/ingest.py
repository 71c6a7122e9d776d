"""`make bench` (second half): ingest of one large odds response into PostgreSQL, beside a plain COPY.

What it measures, on a fresh PostgreSQL database (`betscore_bench_ingest`, dropped, created and
migrated with the repository's migrations, dropped again at the end):
  * the response: 20 matches x 20 bookmakers x (h2h home/draw/away + totals 2.5 over/under)
    = 2,000 prices, one `OddsBatch` as a provider client returns it;
  * first ingest: `upsert_odds("bench", batch)` + commit into empty `odds_snapshots` and
    `current_prices` (2,000 history rows, 2,000 board rows);
  * second ingest: the identical response again (no price changed: it must write 0 rows);
  * third ingest: the same response with ~10 % of the prices moved (200 history rows,
    200 board updates);
  * the ceiling: psycopg2 `COPY ... FROM STDIN` (`cursor.copy_expert`, an in-memory CSV) of the
    same 2,000 rows into the same two tables and columns the first ingest writes, + commit.
    Ids are resolved beforehand, as a COPY would get them; the CSV is built inside the timing.

Each repeat starts from empty odds tables (TRUNCATE); bookmakers, markets and matches stay (a real
response finds them known). One unmeasured warm-up ingest runs first (it creates the bookmakers and
markets, and warms SQLAlchemy's statement caches). Reported: the median over repeats of seconds and
prices/s per phase, then first ingest / COPY (target >= 25 %) and second ingest's speed-up over the
first (target >= 5x). Ratios are reported, never asserted: the run exits non-zero only when something
fails to run or a row-count check fails (e.g. the unchanged response wrote rows).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/ingest.py` puts bench/, not the repository, on the path
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
DB_NAME = "betscore_bench_ingest"
DEFAULT_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
PROVIDER = "bench"
COMPETITION = "benchliga"
SEASON = "2026-27"
MATCHES = 20
BOOKMAKERS = 20
TOTALS_LINE = 2.5
MOVED_SHARE = 0.10
TARGET_COPY_SHARE = 0.25
TARGET_SPEEDUP = 5.0
SEED = 2026
OBSERVED_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
POLL = timedelta(minutes=1)
COLUMNS = ("match_id", "market_id", "bookmaker_id", "outcome", "price", "observed_at", "source_updated_at")
BOARD_COLUMNS = (*COLUMNS[:5], "previous_price", *COLUMNS[5:])
BOOKMAKER_NAMES = (
    "Bet365",
    "William Hill",
    "Unibet",
    "Betfair",
    "Pinnacle",
    "Bwin",
    "888sport",
    "Betway",
    "Ladbrokes",
    "Coral",
    "Paddy Power",
    "Sky Bet",
    "Betfred",
    "Marathonbet",
    "Betsson",
    "Nordic Bet",
    "Tipico",
    "Interwetten",
    "1xBet",
    "Betclic",
)
PHASES = (
    ("first", "first ingest (empty tables)"),
    ("second", "second ingest (nothing changed)"),
    ("third", f"third ingest ({MOVED_SHARE:.0%} moved)"),
    ("copy", "COPY ceiling (psycopg2)"),
)


class BenchError(Exception):
    """Something failed to run, or a check failed; the run exits non-zero."""


@dataclass
class Phase:
    key: str
    label: str
    seconds: list[float] = field(default_factory=list)
    written: list[int] = field(default_factory=list)  # history rows + board rows written or updated

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def rate(self, prices: int) -> float:
        return prices / self.median


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ingest one large odds response (20 matches x 20 bookmakers x h2h+totals = 2,000 prices) "
        "into PostgreSQL with upsert_odds: first, unchanged and 10 %-moved ingests, beside a plain "
        "psycopg2 COPY of the same rows; print medians, prices/s and the ratios to the targets.",
        epilog="Results also go to bench/out/ingest.json. The database named in --database-url is DROPPED and "
        "recreated, then dropped at the end.",
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured repeats, median reported (default 5)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"PostgreSQL URL of the bench database; it is dropped and recreated, so its name "
        f"must contain 'bench' (default {DEFAULT_URL})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the measured repeats, cProfile one more first ingest: top functions printed, "
        "stats in bench/out/ingest-first.prof",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("need --repeat >= 1")
    parts = urlsplit(args.database_url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg2"):
        parser.error("--database-url must be a postgresql:// URL")
    name = parts.path.lstrip("/")
    if not name or "bench" not in name:
        parser.error(f"refusing to drop database {name!r}: its name must contain 'bench'")
    return args


def log(message: str) -> None:
    print(f"[bench-ingest {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database -----------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The URL psycopg2 itself takes (no SQLAlchemy driver suffix)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_url(url: str) -> str:
    return urlunsplit(urlsplit(libpq_url(url))._replace(path="/postgres"))


def admin(url: str, *statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url(url))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def recreate_database(url: str) -> None:
    name = db_name(url)
    admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    admin(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


def make_app(url: str) -> Any:
    from app import config, create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": config.database_url(libpq_url(url)),
            "SCHEDULER": "off",
            "SECRET_KEY": "bench-secret",
            # Nothing here touches Redis: keep the cache and limiter in-process.
            "REDIS_URL": None,
            "CACHE_TYPE": "SimpleCache",
            "CACHE_REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
        }
    )


def migrate() -> None:
    import logging

    from flask_migrate import upgrade

    upgrade()
    logging.getLogger("alembic").setLevel(logging.WARNING)


# --- the world and the response ---------------------------------------------------------


def fixtures() -> list[Any]:
    from app.providers.records import FixtureRecord, MatchStatus, TeamRef

    kickoff = OBSERVED_AT.replace(hour=15) + timedelta(days=1)
    records = []
    for i in range(MATCHES):
        home = TeamRef(f"t{i + 1}", f"Bench Town {i + 1:02d}", f"BT{i + 1:02d}", "Benchland")
        away = TeamRef(f"t{i + 1 + MATCHES}", f"Bench City {i + 1:02d}", f"BC{i + 1:02d}", "Benchland")
        records.append(
            FixtureRecord(
                external_id=f"m{i + 1}",
                competition_key=COMPETITION,
                season=SEASON,
                home=home,
                away=away,
                kickoff_at=kickoff + timedelta(hours=2 * (i % 4), days=i // 10),
                status=MatchStatus.SCHEDULED,
                round="Matchday 12",
            )
        )
    return records


def create_world() -> None:
    """One competition and season, 40 teams and 20 matches, through the app's own ingest."""
    from app.extensions import db
    from app.football.ingest import upsert_competitions, upsert_fixtures
    from app.providers.records import CompetitionRecord

    upsert_competitions(
        [
            CompetitionRecord(
                COMPETITION, "bench-1", "Bench Liga", "Benchland", SEASON, date(2026, 8, 1), date(2027, 5, 31)
            )
        ],
        {COMPETITION: 1},
    )
    result = upsert_fixtures(PROVIDER, True, fixtures())
    db.session.commit()
    if result.created != MATCHES or result.unresolved:
        raise BenchError(f"expected {MATCHES} matches created, got {result.created} (unresolved {result.unresolved})")


def priced(probability: float, margin: float, rng: random.Random) -> float:
    """A decimal price for a fair probability, with the bookmaker's margin and a little noise."""
    price = 1.0 / (probability * (1.0 + margin) * rng.uniform(0.985, 1.015))
    return max(1.01, round(price, 2))


def build_batch(rng: random.Random) -> Any:
    from app.providers.records import BookmakerRef, MarketKind, OddsBatch, PriceRecord

    books = [BookmakerRef(name.lower().replace(" ", "_"), name) for name in BOOKMAKER_NAMES[:BOOKMAKERS]]
    margins = [rng.uniform(0.025, 0.08) for _ in books]
    prices: list[PriceRecord] = []
    for i in range(MATCHES):
        home = rng.uniform(0.22, 0.62)
        draw = rng.uniform(0.22, 0.30)
        fair = {"home": home, "draw": draw, "away": max(0.08, 1.0 - home - draw)}
        total = sum(fair.values())
        over = rng.uniform(0.42, 0.62)
        for book, margin in zip(books, margins, strict=True):
            updated = OBSERVED_AT - timedelta(seconds=rng.randint(5, 600))
            for outcome, p in fair.items():
                prices.append(
                    PriceRecord(
                        f"m{i + 1}",
                        book,
                        MarketKind.MATCH_RESULT,
                        outcome,
                        priced(p / total, margin, rng),
                        None,
                        updated,
                    )
                )
            for outcome, p in (("over", over), ("under", 1.0 - over)):
                prices.append(
                    PriceRecord(
                        f"m{i + 1}", book, MarketKind.TOTALS, outcome, priced(p, margin, rng), TOTALS_LINE, updated
                    )
                )
    return OddsBatch(observed_at=OBSERVED_AT, prices=prices)


def moved_batch(batch: Any, rng: random.Random) -> tuple[Any, int]:
    """The same response one poll later with ~10 % of the prices moved by a tick or two."""
    from dataclasses import replace

    from app.providers.records import OddsBatch

    observed = batch.observed_at + 2 * POLL
    chosen = set(rng.sample(range(len(batch.prices)), round(len(batch.prices) * MOVED_SHARE)))
    prices = []
    for index, rec in enumerate(batch.prices):
        if index in chosen:
            step = rng.choice((-0.1, -0.05, 0.05, 0.1)) if rec.price > 1.2 else rng.choice((0.02, 0.04))
            rec = replace(rec, price=round(rec.price + step, 2), source_updated_at=observed - timedelta(seconds=20))
        prices.append(rec)
    return OddsBatch(observed_at=observed, prices=prices), len(chosen)


# --- phases -----------------------------------------------------------------------------


def counts() -> tuple[int, int]:
    from sqlalchemy import text

    from app.extensions import db

    snapshots = db.session.scalar(text("SELECT count(*) FROM odds_snapshots"))
    board = db.session.scalar(text("SELECT count(*) FROM current_prices"))
    db.session.commit()
    return int(snapshots or 0), int(board or 0)


def truncate() -> None:
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(text("TRUNCATE odds_snapshots, current_prices RESTART IDENTITY"))
    db.session.commit()


def contents() -> list[tuple]:
    """Both tables' rows (without the snapshot id), to compare the ingest's rows with the COPY's."""
    from sqlalchemy import text

    from app.extensions import db

    cols = ", ".join(COLUMNS)
    rows = [("h", *r) for r in db.session.execute(text(f"SELECT {cols} FROM odds_snapshots ORDER BY {cols}"))]
    rows += [
        ("b", *r)
        for r in db.session.execute(text(f"SELECT {', '.join(BOARD_COLUMNS)} FROM current_prices ORDER BY {cols}"))
    ]
    db.session.commit()
    return rows


def timed_ingest(batch: Any) -> tuple[float, Any]:
    from app.extensions import db
    from app.odds.services import upsert_odds

    started = time.perf_counter()
    result = upsert_odds(PROVIDER, batch)
    db.session.commit()
    return time.perf_counter() - started, result


def resolved_rows(batch: Any) -> list[tuple]:
    """The batch as the rows a COPY writes: ids looked up beforehand (not timed), prices as the ingest rounds."""
    from sqlalchemy import select

    from app.extensions import db
    from app.football.ingest import match_ids_by_alias
    from app.odds.models import Bookmaker, Market
    from app.odds.services import PRICE_DECIMALS

    matches = match_ids_by_alias(PROVIDER, (p.fixture_external_id for p in batch.prices))
    books = {key: id_ for key, id_ in db.session.execute(select(Bookmaker.key, Bookmaker.id))}
    markets = {key: id_ for key, id_ in db.session.execute(select(Market.key, Market.id))}
    db.session.commit()
    return [
        (
            matches[p.fixture_external_id],
            markets[Market.key_for(p.market, p.line)],
            books[p.bookmaker.key],
            p.outcome,
            round(float(p.price), PRICE_DECIMALS),
            batch.observed_at,
            p.source_updated_at,
        )
        for p in batch.prices
    ]


def timed_copy(conn: Any, rows: list[tuple]) -> tuple[float, float]:
    """CSV in memory + COPY into odds_snapshots and current_prices + commit, on an open psycopg2 connection.

    Returns the total seconds and, of those, the seconds spent building the CSV.
    """
    started = time.perf_counter()
    history, board = io.StringIO(), io.StringIO()
    hw, bw = csv.writer(history), csv.writer(board)
    for m, mk, b, o, price, observed, source in rows:
        src = source.isoformat() if source is not None else ""
        obs = observed.isoformat()
        hw.writerow((m, mk, b, o, repr(price), obs, src))
        bw.writerow((m, mk, b, o, repr(price), "", obs, src))
    history.seek(0)
    board.seek(0)
    built = time.perf_counter()
    with conn.cursor() as cur:
        cur.copy_expert(f"COPY odds_snapshots ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", history)
        cur.copy_expert(f"COPY current_prices ({', '.join(BOARD_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", board)
    conn.commit()
    return time.perf_counter() - started, built - started


def expect(checks: list[str], failures: list[str], ok: bool, message: str) -> None:
    (checks if ok else failures).append(message)


def one_repeat(
    n: int,
    batch: Any,
    moved: Any,
    n_moved: int,
    copy_rows: list[tuple],
    copy_conn: Any,
    phases: dict[str, Phase],
    csv_seconds: list[float],
    checks: list[str],
    failures: list[str],
    compare: bool,
) -> None:
    total = len(batch.prices)
    truncate()
    seconds, result = timed_ingest(batch)
    snaps, board = counts()
    phases["first"].seconds.append(seconds)
    phases["first"].written.append(snaps + board)
    if n == 0:
        expect(
            checks,
            failures,
            result.changed == total and (snaps, board) == (total, total),
            f"first ingest: {result.changed} changed, tables {snaps} history / {board} board rows "
            f"(expected {total} / {total})",
        )
    ingested = contents() if compare else None

    seconds, result = timed_ingest(replace_observed(batch, batch.observed_at + POLL))
    after = counts()
    phases["second"].seconds.append(seconds)
    phases["second"].written.append(after[0] - snaps + result.changed)
    if after != (snaps, board) or result.changed or result.unchanged != total:
        failures.append(
            f"repeat {n + 1}: the unchanged response wrote rows: {result.changed} changed, "
            f"{result.unchanged} unchanged, tables {after} (expected {(snaps, board)})"
        )
    elif n == 0:
        checks.append(
            f"second ingest: 0 rows written ({result.unchanged} prices unchanged, tables still {after[0]} / {after[1]})"
        )

    seconds, result = timed_ingest(moved)
    third = counts()
    phases["third"].seconds.append(seconds)
    phases["third"].written.append(2 * result.changed)
    if result.changed != n_moved or third != (snaps + n_moved, board):
        failures.append(
            f"repeat {n + 1}: moved response: {result.changed} changed (expected {n_moved}), "
            f"tables {third} (expected {(snaps + n_moved, board)})"
        )
    elif n == 0:
        checks.append(
            f"third ingest: {result.changed} prices changed -> {n_moved} history rows appended and "
            f"{n_moved} board rows updated"
        )

    truncate()
    seconds, building = timed_copy(copy_conn, copy_rows)
    csv_seconds.append(building)
    copied = counts()
    phases["copy"].seconds.append(seconds)
    phases["copy"].written.append(sum(copied))
    if copied != (total, total):
        failures.append(f"repeat {n + 1}: COPY left {copied} rows (expected {(total, total)})")
    if ingested is not None:
        same = contents() == ingested
        expect(
            checks,
            failures,
            same,
            "COPY wrote the same rows (all columns but the snapshot id) as the first ingest"
            if same
            else "COPY's rows differ from the first ingest's",
        )


def replace_observed(batch: Any, observed: datetime) -> Any:
    from app.providers.records import OddsBatch

    return OddsBatch(observed_at=observed, prices=list(batch.prices))


@contextlib.contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    import psycopg2

    conn = psycopg2.connect(libpq_url(url))
    try:
        yield conn
    finally:
        conn.close()


def profile_first(batch: Any, top: int = 25) -> list[dict[str, Any]]:
    """cProfile one more first ingest into empty tables; print and return the top functions."""
    truncate()
    profiler = cProfile.Profile()
    profiler.enable()
    seconds, _ = timed_ingest(batch)
    profiler.disable()
    path = OUT / "ingest-first.prof"
    profiler.dump_stats(str(path))
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, calls, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = func if filename == "~" else f"{_short(filename)}:{line}({func})"
        rows.append(
            {
                "function": where,
                "calls": calls,
                "tottime_s": tt,
                "cumtime_s": ct,
                "tottime_share": tt / total if total else 0.0,
                "cumtime_share": ct / total if total else 0.0,
            }
        )
    print()
    print(
        f"cProfile of one first ingest: {seconds:.3f} s wall (profiled, so slower), {total:.3f} s profiled; "
        f"stats: {path.relative_to(ROOT)}"
    )
    for title, sort in (("by own time", "tottime_s"), ("by cumulative time", "cumtime_s")):
        print(f"\ntop {top} {title}:")
        print(f"{'own s':>8} {'own %':>6} {'cum s':>8} {'cum %':>6} {'calls':>7}  function")
        for r in sorted(rows, key=lambda r: -r[sort])[:top]:
            print(
                f"{r['tottime_s']:>8.4f} {r['tottime_share'] * 100:>5.1f}% {r['cumtime_s']:>8.4f} "
                f"{r['cumtime_share'] * 100:>5.1f}% {r['calls']:>7}  {r['function']}"
            )
    return sorted(rows, key=lambda r: -r["cumtime_s"])[:60]


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --- report -----------------------------------------------------------------------------


def table(phases: dict[str, Phase], prices: int) -> str:
    header = f"{'phase':<34} {'median s':>9} {'min s':>8} {'max s':>8} {'prices/s':>10} {'rows written':>13}"
    lines = [header, "-" * len(header)]
    for phase in phases.values():
        lines.append(
            f"{phase.label:<34} {phase.median:>9.4f} {min(phase.seconds):>8.4f} {max(phase.seconds):>8.4f} "
            f"{phase.rate(prices):>10,.0f} {statistics.median(phase.written):>13,.0f}"
        )
    return "\n".join(lines)


def verdicts(phases: dict[str, Phase]) -> dict[str, Any]:
    share = phases["copy"].median / phases["first"].median
    speedup = phases["first"].median / phases["second"].median
    return {
        "first_share_of_copy": share,
        "first_share_target": TARGET_COPY_SHARE,
        "first_share_met": share >= TARGET_COPY_SHARE,
        "second_speedup": speedup,
        "second_speedup_target": TARGET_SPEEDUP,
        "second_speedup_met": speedup >= TARGET_SPEEDUP,
        "third_speedup": phases["first"].median / phases["third"].median,
    }


def verdict_lines(v: dict[str, Any]) -> list[str]:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return [
        f"first ingest vs COPY ceiling: {v['first_share_of_copy'] * 100:.1f} % of COPY's prices/s "
        f"(target >= {TARGET_COPY_SHARE * 100:.0f} %): {met(v['first_share_met'])}",
        f"second ingest (nothing changed) vs first: {v['second_speedup']:.1f}x faster "
        f"(target >= {TARGET_SPEEDUP:.0f}x): {met(v['second_speedup_met'])}",
        f"third ingest ({MOVED_SHARE:.0%} moved) vs first: {v['third_speedup']:.1f}x faster (reported only)",
    ]


def write_json(
    args: argparse.Namespace,
    phases: dict[str, Phase],
    prices: int,
    v: dict[str, Any],
    checks: list[str],
    failures: list[str],
    extra: dict[str, Any],
) -> Path:
    parts = urlsplit(args.database_url)
    data = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "database": {"host": parts.hostname, "port": parts.port, "name": db_name(args.database_url)},
        "response": {
            "matches": MATCHES,
            "bookmakers": BOOKMAKERS,
            "markets": ["1x2", f"ou:{TOTALS_LINE:g}"],
            "prices": prices,
            "moved_in_third": round(prices * MOVED_SHARE),
        },
        "repeat": args.repeat,
        "phases": {
            k: {
                "label": p.label,
                "seconds": p.seconds,
                "median_s": p.median,
                "prices_per_s": p.rate(prices),
                "rows_written": p.written,
            }
            for k, p in phases.items()
        },
        **v,
        "checks": checks,
        "failures": failures,
        **extra,
    }
    path = OUT / "ingest.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


# --- orchestration ------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> bool:
    from app.extensions import db

    log(f"recreating database {db_name(args.database_url)} and migrating it")
    recreate_database(args.database_url)
    app = make_app(args.database_url)
    with app.app_context():
        migrate()
        create_world()
        rng = random.Random(SEED)
        batch = build_batch(rng)
        moved, n_moved = moved_batch(batch, rng)
        prices = len(batch.prices)
        log(
            f"world: 1 competition, {2 * MATCHES} teams, {MATCHES} matches; response: {prices} prices "
            f"({MATCHES} matches x {BOOKMAKERS} bookmakers x 5 outcomes)"
        )
        # Warm-up (unmeasured): creates the bookmakers and markets, compiles and caches the statements.
        timed_ingest(batch)
        timed_ingest(batch)
        timed_ingest(moved)
        copy_rows = resolved_rows(batch)
        phases = {key: Phase(key, label) for key, label in PHASES}
        checks: list[str] = []
        failures: list[str] = []
        csv_seconds: list[float] = []
        with raw_connection(args.database_url) as copy_conn:
            truncate()
            timed_copy(copy_conn, copy_rows)  # warm-up of the COPY path too
            for n in range(args.repeat):
                one_repeat(
                    n,
                    batch,
                    moved,
                    n_moved,
                    copy_rows,
                    copy_conn,
                    phases,
                    csv_seconds,
                    checks,
                    failures,
                    compare=n == 0,
                )
                log(
                    f"repeat {n + 1}/{args.repeat}: "
                    + ", ".join(f"{key} {p.seconds[-1] * 1000:.1f} ms" for key, p in phases.items())
                )
        extra: dict[str, Any] = {
            "copy_csv_build_seconds": csv_seconds,
            "copy_csv_build_median_s": statistics.median(csv_seconds),
        }
        if args.profile:
            extra["profile_first_ingest_top"] = profile_first(batch)
        truncate()
        db.session.remove()
        db.engine.dispose()

    v = verdicts(phases)
    print()
    print(
        f"BetScore ingest bench: {os.cpu_count()} CPUs shared by Python and PostgreSQL; one response of "
        f"{prices} prices; median of {args.repeat} repeats (fresh odds tables each)"
    )
    print()
    print(table(phases, prices))
    print()
    for line in verdict_lines(v):
        print(line)
    print("rows written: history + board rows inserted or updated (COPY: both tables, so 2 per price)")
    print(
        f"COPY ceiling: ids resolved beforehand; its time includes building the two in-memory CSVs "
        f"(median {extra['copy_csv_build_median_s'] * 1000:.1f} ms), both COPYs and the commit"
    )
    for line in checks:
        print(f"check ok: {line}")
    path = write_json(args, phases, prices, v, checks, failures, extra)
    print(f"results: {path.relative_to(ROOT)}")
    for line in failures:
        print(f"FAILED check: {line}")
    return not failures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        ok = bench(args)
    except BenchError as exc:
        print(f"\nbench-ingest FAILED: {exc}", file=sys.stderr)
    finally:
        if not args.keep_database:
            with contextlib.suppress(Exception):
                drop_database(args.database_url)
                log(f"dropped database {db_name(args.database_url)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
