"""The prediction on the match page: the model beside the market, the reasons, and value with its edge."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import cache, db
from app.model import prices
from app.odds.board import build_board
from app.odds.models import CurrentPrice, Market
from app.predictions import fragments, jobs, value
from app.predictions.models import Prediction
from app.storage import cache_keys
from tests.predictions.conftest import PRICES, value_rows

PUSHLESS = ("1x2", "btts")  # and half-goal totals: where edge is exactly p x price - 1


def card_of(client, match_id: int) -> str:
    html = client.get(f"/matches/{match_id}").get_data(as_text=True)
    return html[
        html.index(f'id="prediction-{match_id}"') : html.index("</section>", html.index(f'id="prediction-{match_id}"'))
    ]


def consensus(market_key: str, outcomes: tuple[str, ...]) -> list[float]:
    """Shin per complete book of conftest.PRICES, averaged and renormalised, by hand."""
    books: dict[str, dict[str, float]] = {}
    for key, book, outcome, price in PRICES:
        if key == market_key:
            books.setdefault(book, {})[outcome] = price
    fair = [prices.remove_margin([b[o] for o in outcomes], "shin") for b in books.values() if set(b) == set(outcomes)]
    mean = [sum(col) / len(fair) for col in zip(*fair, strict=True)]
    return [p / sum(mean) for p in mean]


def test_the_match_page_shows_the_prediction_its_reasons_and_value(app, client):
    jobs.refresh_predictions("epl")
    db.session.commit()
    prediction = db.session.scalars(select(Prediction).order_by(Prediction.id)).first()
    # The seeded world holds the season's results so far: each side is known well enough to suggest value.
    assert min(fragments.evidence(prediction)) >= fragments.MIN_TEAM_MATCHES
    card = card_of(client, prediction.match_id)
    assert "Rough:" not in card and "Results only:" in card  # no closing lines were captured before the seed
    assert "Our model" in card and "Market" in card and "Why" in card
    assert f"{prediction.p_home * 100:.0f}%" in card
    assert "Home advantage" in card
    values, boards = fragments.value_bets(prediction, prediction.match_id)
    # Every market of the match the model prices is compared: totals, both teams to score and the handicap too.
    stored = set(
        db.session.scalars(
            select(Market.key)
            .join(CurrentPrice, CurrentPrice.market_id == Market.id)
            .where(CurrentPrice.match_id == prediction.match_id)
        )
    )
    priced = {Market.key_for(*m) for m in value.model_bets(prediction.probabilities, prediction.markets)}
    assert {Market.key_for(*m) for m in boards} == stored & priced
    assert {"1x2", "btts", "ou:2.5"} <= stored & priced and any(k.startswith("ah:") for k in stored & priced)
    assert values == sorted(values, key=lambda v: -v.edge) and all(v.edge > 0 for v in values)
    for v in values:
        board = boards[v.market]
        assert v.consensus == board.consensus[board.outcomes.index(v.outcome)]
        if v.market[0] in PUSHLESS or (v.market[0] == "ou" and v.market[1] % 1 == 0.5):
            assert v.edge == pytest.approx(v.probability * v.price - 1)
    shown = value.best_per_outcome(values)[: fragments.MAX_VALUES]
    rows = value_rows(card, prediction.match_id)
    assert len(rows) == len(shown)
    for cells, v in zip(rows.values(), shown, strict=True):
        assert cells[:5] == [
            v.bookmaker,
            f"{v.price:.2f}",
            f"{v.probability * 100:.1f}%",
            f"{v.consensus * 100:.1f}%" if v.consensus is not None else "–",
            f"{v.edge * 100:.1f}%",
        ]


def test_value_bets_across_markets_best_edge_first_with_the_market_view(client, priced_match):
    card = card_of(client, priced_match.id)
    rows = value_rows(card, priced_match.id)
    home = consensus("1x2", ("home", "draw", "away"))[0]
    over = consensus("ou:2.5", ("over", "under"))[0]
    ah = consensus("ah:-0.25", ("home", "away"))[0]
    assert rows == {
        # 0.5 x 0.95 - 0.35: a draw loses half; the model's 0.5 / (0.5 + 0.35) with the push left out.
        "Home Town −0.25 (Asian handicap)": ["Booka", "1.95", "58.8%", f"{ah * 100:.1f}%", "12.5%"],
        "Home Town": ["Booka", "2.20", "50.0%", f"{home * 100:.1f}%", "10.0%"],
        "Over 2.5": ["Booka", "2.40", "45.0%", f"{over * 100:.1f}%", "8.0%"],
    }
    assert list(rows) == ["Home Town −0.25 (Asian handicap)", "Home Town", "Over 2.5"]
    assert "Where the model sees value" in card and "A model can be wrong: bet responsibly." in card


def test_the_card_compares_over_2_5_and_both_teams_to_score_with_the_market(client, priced_match):
    card = card_of(client, priced_match.id)
    goals = re.search(
        rf'<table class="board model-vs-market goals" id="prediction-goals-{priced_match.id}">(.*?)'
        r"</table>",
        card,
        re.S,
    ).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", goals, re.S)]
    over = consensus("ou:2.5", ("over", "under"))[0]
    assert cells == ["45%", "50%", f"{over * 100:.0f}%", "–"]  # no bookmaker prices BTTS here
    one_x_two = re.search(r'<table class="board model-vs-market">(.*?)</table>', card, re.S).group(1)
    market_row = one_x_two[one_x_two.index("Market") :]
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="num">(.*?)</td>', market_row)] == [
        f"{p * 100:.0f}%" for p in consensus("1x2", ("home", "draw", "away"))
    ]


def test_without_goal_markets_the_card_shows_the_model_alone(client, priced_match):
    ou = select(Market.id).where(Market.key == "ou:2.5").scalar_subquery()
    db.session.execute(
        CurrentPrice.__table__.delete().where(CurrentPrice.match_id == priced_match.id, CurrentPrice.market_id == ou)
    )
    db.session.commit()
    card = card_of(client, priced_match.id)
    goals = re.search(r'<table class="board model-vs-market goals"[^>]*>(.*?)</table>', card, re.S).group(1)
    assert "Model" in goals and "Market" not in goals
    assert "Over 2.5" not in value_rows(card, priced_match.id)


def test_prices_in_the_bettors_format(client, priced_match):
    client.set_cookie("odds_format", "fractional")
    rows = value_rows(card_of(client, priced_match.id), priced_match.id)
    assert rows["Home Town"][1] == "6/5"
    assert rows["Over 2.5"][1] == prices.to_fractional(2.40) == "11/8"


def test_a_kept_card_is_each_viewers_own_and_says_how_old_the_prediction_is(client, clock, priced_match):
    decimal = value_rows(card_of(client, priced_match.id), priced_match.id)  # fills the cache for decimal viewers
    assert decimal["Home Town"][1] == "2.20"
    client.set_cookie("odds_format", "fractional")
    assert value_rows(card_of(client, priced_match.id), priced_match.id)["Home Town"][1] == "6/5"
    client.set_cookie("kelly", "1/4")
    assert "1/4 Kelly" in card_of(client, priced_match.id)
    client.delete_cookie("odds_format")
    client.delete_cookie("kelly")
    assert value_rows(card_of(client, priced_match.id), priced_match.id) == decimal
    clock.advance(minutes=42)  # the body is kept; the heading is not
    assert "updated 42m ago" in card_of(client, priced_match.id)


def test_once_the_match_is_under_way_the_card_suggests_no_value(client, priced_match):
    priced_match.status = "live"
    db.session.commit()
    card = card_of(client, priced_match.id)
    assert "Our model" in card and "Where the model sees value" not in card and not value_rows(card, priced_match.id)


@pytest.mark.parametrize(("home", "away", "rough"), [(4, 12, True), (12, 9, True), (10, 10, False)])
def test_a_side_the_model_hardly_knows_makes_the_prediction_rough_and_suggests_no_value(
    client, priced_match, home, away, rough
):
    prediction = db.session.scalars(select(Prediction).where(Prediction.match_id == priced_match.id)).one()
    prediction.explanation = {**prediction.explanation, "evidence": {"home": home, "away": away}}
    db.session.commit()
    card = card_of(client, priced_match.id)
    assert ("Rough:" in card) is rough
    assert bool(value_rows(card, priced_match.id)) is not rough
    if rough:
        assert f"only {home} matches of Home Town and {away} of Away City" in " ".join(card.split())


def test_a_board_without_value_says_nothing_about_it(client, priced_match):
    db.session.execute(
        CurrentPrice.__table__.update().where(CurrentPrice.match_id == priced_match.id).values(price=1.05)
    )
    db.session.commit()
    card = card_of(client, priced_match.id)
    assert "Where the model sees value" not in card and "stake suggestions" not in card


def test_the_value_shown_follows_the_prices_as_ingest_announces_them(client, priced_match):
    assert value_rows(card_of(client, priced_match.id), priced_match.id)  # worked out, and kept
    db.session.execute(
        CurrentPrice.__table__.update().where(CurrentPrice.match_id == priced_match.id).values(price=1.05)
    )
    db.session.commit()
    cache_keys.changed(matches=[priced_match.id])  # what ingest does after its commit
    assert not value_rows(card_of(client, priced_match.id), priced_match.id)


def test_the_boards_are_the_odds_boards(app, priced_match):
    prediction = db.session.scalars(select(Prediction).where(Prediction.match_id == priced_match.id)).one()
    _, boards = fragments.value_bets(prediction, priced_match.id)
    rows = [(b, b.title(), o, p, None, None, None) for k, b, o, p in PRICES if k == "1x2"]
    expected = build_board("1x2", ("home", "draw", "away"), rows)
    assert boards[("1x2", None)].consensus == pytest.approx(expected.consensus)
    assert set(boards) == {("1x2", None), ("ou", 2.5), ("ah", -0.25)}


def test_a_match_without_a_prediction_has_no_card(app, client):
    from app.football.models import Match

    match = db.session.scalars(select(Match).where(Match.status == "scheduled")).first()
    html = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert 'class="prediction card"' not in html
    # but an empty, hidden place where the first prediction arrives live
    assert re.search(
        rf'<section class="prediction" id="prediction-{match.id}" hidden\s+'
        rf'hx-get="/matches/{match.id}/prediction"',
        html,
    )


def test_the_card_says_when_the_model_last_spoke(client, clock, priced_match):
    assert "updated just now" in card_of(client, priced_match.id)
    clock.advance(minutes=30)
    assert "updated 30m ago" in card_of(client, priced_match.id)


def test_the_card_alone_is_what_a_live_refetch_gets(client, priced_match):
    alone = client.get(f"/matches/{priced_match.id}/prediction", headers={"HX-Request": "true"})
    assert alone.status_code == 200
    html = alone.get_data(as_text=True)
    assert f'<section class="prediction card" id="prediction-{priced_match.id}"' in html
    assert 'hx-trigger="live:refetch, live:resync from:body"' in html and "Our model" in html
    assert client.get(f"/matches/{2**31 - 1}/prediction").status_code == 404
    assert client.get("/matches/0x1/prediction").status_code == 404


def test_a_prediction_from_results_alone_says_so(client, priced_match):
    prediction = db.session.scalars(select(Prediction).where(Prediction.match_id == priced_match.id)).one()
    assert "Results only" not in card_of(client, priced_match.id)  # no word of its fits: nothing claimed
    for fits, said in ((["goals", "market"], False), (["goals"], True)):
        prediction.explanation = {**prediction.explanation, "fits": fits}
        db.session.commit()
        cache_keys.changed(predictions=[priced_match.id])  # as a publish's job does after its commit
        card = card_of(client, priced_match.id)
        assert ("Results only:" in card) is said
        assert value_rows(card, priced_match.id)  # value is still shown, with the caveat


def test_the_page_reads_its_prediction_from_the_cache_until_a_job_says_it_changed(app, client, clock):
    from app.football.models import Match

    match = db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()
    assert 'class="prediction card"' not in client.get(f"/matches/{match.id}").get_data(as_text=True)
    jobs.refresh_predictions(match.competition.key)  # publishes, commits, then drops the cached "none"
    assert 'class="prediction card"' in client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "frozen at kickoff" not in card_of(client, match.id)
    clock.now = match.kickoff_at + timedelta(minutes=1)
    jobs.settle_predictions()
    assert "frozen at kickoff" in card_of(client, match.id)


def test_value_bets_come_with_what_such_bets_returned_in_the_backtest(app, client, priced_match, tmp_path, monkeypatch):
    report = json.loads(Path(app.config["BACKTEST_REPORT"]).read_text(encoding="utf-8"))
    best = next(v for v in report["value_bets"] if v["prices"] == "best" and v["min_edge"] == 0)
    card = card_of(client, priced_match.id)
    assert value_rows(card, priced_match.id)
    note = " ".join(card[card.index('class="small value-record"') :].split())
    assert f"returned {best['roi'] * 100:+.1f}% (± {best['se'] * 100:.1f})" in note
    assert 'href="/model#predictions-value-record"' in note

    older = tmp_path / "older.json"  # a report from before value bets were scored says nothing of them
    older.write_text(
        json.dumps(
            {**{k: v for k, v in report.items() if k != "value_bets"}, "generated_at": "2026-11-01T12:00:00+00:00"}
        ),
        encoding="utf-8",
    )
    monkeypatch.setitem(app.config, "BACKTEST_REPORT", str(older))
    card = card_of(client, priced_match.id)
    assert value_rows(card, priced_match.id) and "value-record" not in card and "bet responsibly" in card


def test_a_cached_match_page_reads_its_parts_in_one_round_trip_card_included(client, priced_match, monkeypatch):
    """Once for its parts, prediction card included; and once before, for its validator (app/web/conditional.py),
    which a revalidation answered 304 stops at."""
    first = card_of(client, priced_match.id)  # fills the cache: match, board, details, prediction, card body
    reads: list[str] = []
    for name in ("get", "get_many", "has"):
        read = getattr(cache, name)
        monkeypatch.setattr(cache, name, lambda *keys, _name=name, _read=read: reads.append(_name) or _read(*keys))
    assert value_rows(card_of(client, priced_match.id), priced_match.id) == value_rows(first, priced_match.id)
    assert reads == ["get_many", "get_many"]
