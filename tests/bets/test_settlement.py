"""Bets settle after a job commits a final result, exactly once, with their closing line; the nightly sweep catches
what was missed and archives old settled bets; the owner's pages, and no one else's, are told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.bets import jobs, services, settlement
from app.bets.models import Bet
from app.extensions import db
from app.jobs import signals
from app.jobs.job import job
from app.live import topics
from app.model.prices import remove_margin
from tests.bets.conftest import ONE_HOME, PASSWORD, close_at
from tests.conftest import controls

CLOSING = [
    ("1x2", "booka", "home", 2.00),
    ("1x2", "booka", "draw", 3.40),
    ("1x2", "booka", "away", 4.00),
    ("1x2", "bookb", "home", 1.95),
    ("1x2", "bookb", "draw", 3.50),
    ("1x2", "bookb", "away", 4.20),
    ("ah:-0.25", "booka", "home", 1.90),
    ("ah:-0.25", "booka", "away", 1.98),
]


@job
def result_in(match_id: int, status: str, home: int | None, away: int | None) -> dict:
    """A fixtures refresh as far as bets care: a match's status and score committed, the match announced."""
    from app.football.models import Match

    match = db.session.get(Match, match_id)
    match.status, match.home_score, match.away_score = status, home, away
    return {"written": 1, "changed_matches": {match_id}}


def reload(bet: Bet) -> Bet:
    db.session.expire_all()
    return db.session.get(Bet, bet.id)


@pytest.fixture
def placed(bets, bettor, priced_match):
    """Three open bets on the priced match: home 1X2 at 2.20 (Booka), away -0.25 handicap (i.e. away +0.25) at 1.93
    (Booka), and home at 2.30 with a bookmaker the app does not know."""
    bets.record(priced_match.id, **ONE_HOME)
    bets.record(priced_match.id, **(ONE_HOME | {"market": "ah", "line": "-0.25", "selection": "away", "price": "1.93"}))
    bets.record(priced_match.id, **(ONE_HOME | {"bookmaker": "Uncle Sid", "price": "2.30"}))
    return bets.mine(bettor.id)


def test_a_final_result_settles_every_open_bet_with_its_closing_line(placed, priced_match, clock):
    close_at(priced_match, CLOSING, clock)
    clock.advance(hours=4)
    result_in(priced_match.id, "finished", 1, 1)
    home, away_plus, elsewhere = (reload(b) for b in placed)

    assert (home.result, home.profit_cents) == ("loss", -1000)
    assert (away_plus.result, away_plus.profit_cents) == ("half_win", 465)  # 1,000 x 0.93 / 2
    assert home.settled_at == clock()
    # Closing: Booka's own home price, and the fair price of the margin-free consensus (Shin per book, averaged).
    fair = [remove_margin([2.00, 3.40, 4.00]), remove_margin([1.95, 3.50, 4.20])]
    fair_home = 1 / ((fair[0][0] + fair[1][0]) / 2 / sum((a + b) / 2 for a, b in zip(*fair, strict=True)))
    assert home.closing_price == 2.00
    assert home.fair_closing_price == pytest.approx(fair_home)
    assert home.clv == pytest.approx(2.20 / fair_home - 1)
    assert away_plus.closing_price == 1.98
    assert away_plus.clv == pytest.approx(1.93 * remove_margin([1.90, 1.98])[1] - 1)
    # A bookmaker the app does not know has no closing price of its own, but the market's fair close still counts.
    assert elsewhere.closing_price is None and elsewhere.clv == pytest.approx(2.30 / fair_home - 1)


def test_settling_happens_once_however_often_it_is_told(placed, priced_match, clock):
    result_in(priced_match.id, "finished", 2, 0)
    first = [(b.result, b.profit_cents, b.settled_at) for b in map(reload, placed)]
    clock.advance(hours=1)
    result_in(priced_match.id, "finished", 2, 0)  # a second signal
    assert jobs.settle([priced_match.id], clock()) == {}  # a rerun
    assert jobs.sweep(clock())["bets_settled"] == 0  # the nightly
    assert [(b.result, b.profit_cents, b.settled_at) for b in map(reload, placed)] == first


def test_the_guarded_update_writes_a_bet_already_settled_by_someone_else_not_again(placed, priced_match, clock):
    result_in(priced_match.id, "live", 0, 0)
    db.session.execute(Bet.__table__.update().where(Bet.id == placed[0].id).values(result="void", settled_at=clock()))
    priced_match.status, priced_match.home_score, priced_match.away_score = "finished", 3, 0
    db.session.commit()
    assert sum(settlement.settle_match(priced_match, clock()).values()) == 2
    assert reload(placed[0]).result == "void"


def test_nothing_settles_while_the_match_is_on(placed, priced_match):
    result_in(priced_match.id, "half_time", 1, 0)
    assert all(reload(b).is_open for b in placed)


@pytest.mark.parametrize("status", ["cancelled", "abandoned"])
def test_a_match_called_off_voids_the_bets(placed, priced_match, status):
    result_in(priced_match.id, status, None, None)
    for bet in map(reload, placed):
        assert (bet.result, bet.profit_cents, bet.clv) == ("void", 0, None)


def test_a_postponed_match_voids_its_bets_once_48_hours_have_passed(placed, priced_match, clock):
    result_in(priced_match.id, "postponed", None, None)
    assert all(reload(b).is_open for b in placed)
    clock.now = priced_match.kickoff_at + timedelta(hours=48)
    assert jobs.sweep(clock())["bets_settled"] == 3  # no job touched the match: the nightly sweep voids them
    assert {reload(b).result for b in placed} == {"void"}


def test_a_match_played_a_day_late_settles_normally(placed, priced_match, clock):
    priced_match.kickoff_at += timedelta(hours=24)
    db.session.commit()
    clock.now = priced_match.kickoff_at + timedelta(hours=2)
    result_in(priced_match.id, "finished", 0, 1)
    assert [reload(b).result for b in placed] == ["loss", "win", "loss"]


def test_the_owner_is_told_and_no_one_else(app, listen, placed, priced_match, bettor, make_user):
    other = make_user("nosy@example.com", PASSWORD)
    mine, theirs = listen([topics.user(bettor.id)]), listen([topics.user(other.id)])
    result_in(priced_match.id, "finished", 1, 0)
    assert controls(mine.drain()) == [{"event": jobs.EVENT}]
    assert theirs.drain() == []


def test_a_signal_about_other_matches_touches_no_bet(placed, priced_match, app):
    signals.send(signals.committed, app, changes=signals.Changes(matches=frozenset({priced_match.id + 1})))
    priced_match.status, priced_match.home_score, priced_match.away_score = "finished", 1, 0
    db.session.commit()
    signals.send(signals.committed, app, changes=signals.Changes(leagues=frozenset({"epl"})))
    assert all(reload(b).is_open for b in placed)


def test_old_settled_bets_are_archived_nightly_and_still_count(client, placed, priced_match, bettor, clock):
    result_in(priced_match.id, "finished", 2, 1)
    before = services.record_of(bettor.id)
    clock.advance(days=settlement.ARCHIVE_AFTER.days - 1)
    assert jobs.sweep(clock())["bets_archived"] == 0
    clock.advance(days=1)
    assert jobs.sweep(clock())["bets_archived"] == 3
    assert jobs.sweep(clock())["bets_archived"] == 0
    assert services.bets_of(bettor.id, "settled") == [] and len(services.bets_of(bettor.id, "archived")) == 3
    assert services.record_of(bettor.id) == before
    assert before.totals.bets == 3 and before.totals.profit == pytest.approx(
        12.0 - 10.0 + 13.0
    )  # away +0.25 loses by one
    page = client.get("/bets?state=archived").get_data(as_text=True)
    assert all(f"bets-row-{b.id}" in page for b in placed)
