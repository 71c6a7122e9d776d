"""Odds ingest: snapshot-on-change, idempotent, bad prices rejected without losing the rest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.cli import seed_all
from app.extensions import db
from app.football.models import Match, MatchAlias
from app.odds import centre, services
from app.odds.jobs import refresh_odds
from app.odds.models import Bookmaker, CurrentPrice, Market, OddsSnapshot
from app.providers.api_football_parse import odds_entry
from app.providers.records import BookmakerRef, OddsBatch, PriceRecord
from app.providers.the_odds_api_parse import Event, market_prices
from tests.conftest import SEED_HISTORY_HOURS

SAMPLES = Path(__file__).parents[1] / "providers" / "samples"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> tuple[int, ...]:
    return tuple(count(m) for m in (Match, CurrentPrice, OddsSnapshot, Bookmaker, Market))


def a_fixture() -> tuple[int, str]:
    match_id, external = db.session.execute(
        select(Match.id, MatchAlias.external_id)
        .join(MatchAlias, MatchAlias.match_id == Match.id)
        .where(Match.status == "scheduled")
        .order_by(Match.kickoff_at)
        .limit(1)
    ).one()
    return match_id, external


def price(
    external: str,
    value: float,
    book: str = "bet365",
    outcome: str = "home",
    market: str = "1x2",
    line: float | None = None,
) -> PriceRecord:
    return PriceRecord(
        fixture_external_id=external,
        bookmaker=BookmakerRef(book, book.title()),
        market=market,
        outcome=outcome,
        price=value,
        line=line,
    )


def test_running_the_same_refresh_twice_writes_nothing_new(app, clock):
    before = counts()
    first = refresh_odds("epl")
    again = refresh_odds("epl")
    assert first["written"] == 0 and again["written"] == 0  # the seed already saw these prices
    assert again["unchanged"] == again["records"] > 0
    assert counts() == before


def test_seeding_twice_writes_nothing_new(app):
    before = counts()
    assert seed_all(SEED_HISTORY_HOURS)["written"] == 0
    assert counts() == before


def test_prices_that_move_append_history_and_update_the_board(app, clock):
    snapshots = count(OddsSnapshot)
    clock.advance(hours=2)
    result = refresh_odds("epl")
    assert result["written"] > 0
    assert count(OddsSnapshot) == snapshots + result["written"]
    moved = db.session.scalars(select(CurrentPrice).where(CurrentPrice.observed_at == clock.now)).all()
    assert len(moved) == result["written"]
    assert all(
        row.previous_price is not None and row.previous_price != row.price
        for row in moved
        if row.previous_price is not None
    )


def test_one_price_change_is_one_snapshot(app, clock):
    match_id, external = a_fixture()
    when = clock.advance(minutes=1)
    current = db.session.scalar(
        select(CurrentPrice)
        .join(Bookmaker)
        .join(Market)
        .where(
            CurrentPrice.match_id == match_id,
            Bookmaker.key == "bet365",
            Market.key == "1x2",
            CurrentPrice.outcome == "home",
        )
    )
    old = current.price
    result = services.upsert_odds("demo", OddsBatch(when, [price(external, old + 0.25)]))
    db.session.commit()
    assert (result.changed, result.unchanged) == (1, 0)
    db.session.refresh(current)
    assert (current.price, current.previous_price, current.observed_at) == (round(old + 0.25, 3), old, when)
    latest = db.session.scalars(
        select(OddsSnapshot).where(OddsSnapshot.match_id == match_id).order_by(OddsSnapshot.id.desc())
    ).first()
    assert (latest.price, latest.observed_at) == (round(old + 0.25, 3), when)


def test_bad_prices_are_rejected_and_the_good_ones_kept(app, clock):
    _, external = a_fixture()
    before = count(OddsSnapshot)
    batch = OddsBatch(
        clock.advance(minutes=1),
        [
            price(external, 1.0, book="newbook_a"),
            price(external, 0.5, book="newbook_b"),
            price(external, float("nan"), book="newbook_c"),
            price(external, 7.5, book="newbook_d"),
        ],
    )
    result = services.upsert_odds("demo", batch)
    db.session.commit()
    assert len(result.rejected) == 3 and all("newbook" in r for r in result.rejected)
    assert result.changed == 1
    assert count(OddsSnapshot) == before + 1
    assert db.session.scalar(select(func.count()).select_from(Bookmaker).where(Bookmaker.key.like("newbook%"))) == 1


def test_unknown_fixtures_are_counted_not_written(app, clock):
    before = counts()
    result = services.upsert_odds("demo", OddsBatch(clock.now, [price("no-such-fixture", 2.0)]))
    assert result.unknown_fixtures == {"no-such-fixture"} and result.changed == 0
    assert counts() == before


def test_unknown_bookmakers_and_markets_are_kept_as_data(app, clock):
    _, external = a_fixture()
    result = services.upsert_odds(
        "demo",
        OddsBatch(
            clock.now,
            [
                price(external, 1.9, book="brand_new_book", market="ah", outcome="home", line=-0.25),
            ],
        ),
    )
    db.session.commit()
    assert result.changed == 1
    assert db.session.scalar(select(Market.line).where(Market.key == "ah:-0.25")) == -0.25
    assert db.session.scalar(select(Bookmaker.name).where(Bookmaker.key == "brand_new_book")) == "Brand_New_Book"


def test_a_price_repeated_within_one_batch_is_written_once(app, clock):
    _, external = a_fixture()
    before = count(OddsSnapshot)
    result = services.upsert_odds(
        "demo",
        OddsBatch(
            clock.now + timedelta(seconds=1),
            [
                price(external, 9.9, book="dupe_book"),
                price(external, 9.9, book="dupe_book"),
            ],
        ),
    )
    assert result.changed == 1 and count(OddsSnapshot) == before + 1


def test_the_planned_refresh_prices_every_league_when_prices_are_free(app, clock):
    from app.odds.jobs import refresh_planned_odds

    clock.advance(hours=2)
    outcome = refresh_planned_odds()
    assert set(outcome) == {"epl", "laliga", "seriea", "bundesliga", "ligue1"}
    assert all(o["provider"] == "demo" and o["written"] > 0 for o in outcome.values())


def test_names_longer_than_the_columns_are_rejected_with_a_reason(app, clock):
    _, external = a_fixture()
    result = services.upsert_odds(
        "demo",
        OddsBatch(
            clock.now,
            [
                price(external, 2.0, book="longname", outcome="x" * 65),
                price(external, 2.0, book="longname", market="m" * 97),
                price(external, 2.0, book="longname", market="goals_over_under_first_half", outcome="Home/Over 3.5"),
            ],
        ),
    )
    db.session.commit()
    assert len(result.rejected) == 2 and all("too long" in r for r in result.rejected)
    assert result.changed == 1


def test_every_line_a_provider_sends_is_kept_and_shown(app, clock):
    """API-Football's recorded odds (every totals line 0.5-6.5, BTTS) and The Odds API's quarter-line spread."""
    match_id, external = a_fixture()
    sample = json.loads((SAMPLES / "api-football" / "odds_fixture_bookmaker__fsearch.json").read_text())
    problems: list[str] = []
    records = [replace(r, fixture_external_id=external) for r in odds_entry(sample["response"][0], problems)]
    spreads = json.loads((SAMPLES / "the-odds-api" / "odds_soccer_epl_spreads_uk__adarshs02.json").read_text())[0]
    event = Event(spreads["id"], spreads["home_team"], spreads["away_team"], clock.now, spreads)
    prices: list[PriceRecord] = []
    for book in spreads["bookmakers"]:
        ref = BookmakerRef(book["key"], book["title"])
        for market in book["markets"]:
            market_prices(event, ref, market, None, prices, problems)
    records += [replace(r, fixture_external_id=external) for r in prices]
    services.upsert_odds("demo", OddsBatch(clock.now, records))
    db.session.commit()
    totals = {r.line for r in records if r.market == "ou"}
    handicaps = {r.line for r in records if r.market == "ah"}
    assert {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5} <= totals and any(not (h * 2).is_integer() for h in handicaps)
    shown = {m.key for m in centre.match_odds(match_id, clock.now).markets}
    assert {f"ou:{t:g}" for t in totals} | {f"ah:{h:g}" for h in handicaps} | {"btts", "1x2"} <= shown
