"""The odds comparison table agrees with the odds maths; the odds format is chosen and remembered."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import cache, db
from app.football.models import Match
from app.model import prices
from app.odds.models import Bookmaker, CurrentPrice, Market, OddsSnapshot
from app.providers.records import OUTCOMES
from tests.conftest import csrf_token_from


def upcoming_match() -> Match:
    return db.session.scalars(
        select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at, Match.id)
    ).first()


def stored_prices(match_id: int, market_key: str) -> dict[str, dict[str, float]]:
    rows = db.session.execute(
        select(Bookmaker.key, CurrentPrice.outcome, CurrentPrice.price)
        .join(Bookmaker, Bookmaker.id == CurrentPrice.bookmaker_id)
        .join(Market, Market.id == CurrentPrice.market_id)
        .where(CurrentPrice.match_id == match_id, Market.key == market_key)
    )
    books: dict[str, dict[str, float]] = {}
    for book, outcome, price in rows:
        books.setdefault(book, {})[outcome] = price
    return books


def table_rows(html: str, match_id: int, dom_market: str) -> dict[str, list[str]]:
    """bookmaker key -> the row's cells as text (prices..., margin)."""
    rows = {}
    for key, body in re.findall(rf'<tr id="odds-row-{match_id}-{dom_market}-([\w-]+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        # The price alone: the small opening price under it is read by opening_cells; a recently moved one has its
        # arrow and words after it (class "move").
        prices = (OPENING.sub("", c).split('<span class="move">')[0] for c in cells)
        rows[key] = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in prices]
    return rows


OPENING = re.compile(r'<small class="opening"[^>]*>(.*?)</small>', re.S)


def cell_classes(html: str, match_id: int, dom_market: str) -> dict[str, list[str]]:
    """bookmaker key -> the class attribute of each of the row's cells."""
    return {
        key: re.findall(r'<td class="([^"]*)"', body)
        for key, body in re.findall(rf'<tr id="odds-row-{match_id}-{dom_market}-([\w-]+)">(.*?)</tr>', html, re.S)
    }


def stored_markets(match_id: int) -> dict[str, tuple[str, ...]]:
    """Every market key the match has prices for, with its outcomes in display order."""
    kinds = db.session.execute(
        select(Market.key, Market.kind)
        .join(CurrentPrice, CurrentPrice.market_id == Market.id)
        .where(CurrentPrice.match_id == match_id)
    )
    return {key: OUTCOMES[kind] for key, kind in kinds}


def test_the_demo_offers_every_market_family_with_several_lines(client):
    keys = stored_markets(upcoming_match().id)
    assert {"1x2", "btts", "ou:1.5", "ou:2.5", "ou:3.5"} <= set(keys)
    handicaps = [float(k.split(":")[1]) for k in keys if k.startswith("ah:")]
    assert len(handicaps) >= 3 and any(not (h * 2).is_integer() for h in handicaps)  # quarter lines too


def test_board_agrees_with_the_odds_maths_on_every_market(client):
    match = upcoming_match()
    html = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    for market_key, outcomes in stored_markets(match.id).items():
        check_market(html, match.id, market_key, outcomes)


def check_market(html: str, match_id: int, market_key: str, outcomes: tuple[str, ...]) -> None:
    dom = market_key.replace(":", "-").replace(".", "_")
    books = stored_prices(match_id, market_key)
    rows = table_rows(html, match_id, dom)
    assert set(rows) == set(books) and rows, market_key
    for key, cells in rows.items():
        offered = [books[key].get(o) for o in outcomes]
        assert cells[:-1] == ["–" if p is None else f"{p:.2f}" for p in offered], (market_key, key)
        margin = "–" if None in offered else f"{prices.margin(offered) * 100:.1f}%"
        assert cells[-1] == margin, (market_key, key)
    # The best price per outcome is highlighted in exactly the cells that offer it.
    for key, classes in cell_classes(html, match_id, dom).items():
        for i, outcome in enumerate(outcomes):
            best = max(b[outcome] for b in books.values() if outcome in b)
            assert ("best" in classes[i]) == (books[key].get(outcome) == best), (market_key, key, outcome)
    section = html.split(f'id="odds-market-{match_id}-{dom}"', 1)[1].split("</article>", 1)[0]
    # Fair odds: the average of each complete book's Shin margin-free probabilities, renormalised.
    complete = [b for b in books.values() if all(o in b for o in outcomes)]
    fair = [prices.remove_margin([b[o] for o in outcomes], "shin") for b in complete]
    mean = [sum(col) / len(fair) for col in zip(*fair, strict=True)]
    consensus = [p / sum(mean) for p in mean]
    fair_row = section.split('class="fair-row"', 1)[1].split("</tr>", 1)[0]
    shown = re.findall(r'<span class="prob">(\d+)%</span>\s*([\d.]+)', fair_row)
    expected = [(round(p * 100), round(1 / p, 2)) for p in consensus]
    assert [(int(pct), float(odds)) for pct, odds in shown] == expected, market_key


def test_every_price_says_how_old_it_is(client, clock):
    match = upcoming_match()
    html = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    bodies = "".join(re.findall(r"<tbody>(.*?)</tbody>", html, re.S))
    titles = re.findall(r'<td class="num[^"]*" title="([^"]*)"[^>]*>', bodies)
    odd = [t for t in titles if not re.fullmatch(r"changed (just now|\d+[smhd] ago)(, was [\d.]+)?", t)]
    assert titles and odd == []


def test_best_price_row_and_its_margin(client):
    match = upcoming_match()
    html = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    books = stored_prices(match.id, "1x2")
    best = [max(b[o] for b in books.values()) for o in ("home", "draw", "away")]
    section = html.split(f'id="odds-market-{match.id}-1x2"', 1)[1]
    best_row = section.split('class="best-row"', 1)[1].split("</tr>", 1)[0]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", best_row, re.S)]
    assert cells == [f"{p:.2f}" for p in best] + [f"{prices.margin(best) * 100:.1f}%"]


def test_finished_match_says_it_has_no_prices(client):
    match = db.session.scalars(select(Match).where(Match.status == "finished")).first()
    db.session.execute(CurrentPrice.__table__.delete().where(CurrentPrice.match_id == match.id))
    html = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "No prices for this match any more" in html


def csrf(client) -> str:
    """The token of the odds-format form, as a visitor who opens it gets it."""
    return csrf_token_from(client.get("/settings/odds-format").get_data(as_text=True))


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [("fractional", r'<span class="price">\d+/\d+</span>'), ("american", r'<span class="price">[+-]\d+</span>')],
)
def test_odds_format_is_chosen_and_remembered(client, fmt, pattern):
    answer = client.post(
        "/settings/odds-format", data={"format": fmt, "next": "/?day=2026-11-22", "csrf_token": csrf(client)}
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/?day=2026-11-22"
    html = client.get("/").get_data(as_text=True)
    assert re.search(pattern, html)
    assert f'<span class="sr-only"> ({fmt}): change the odds format</span>' in html
    form = client.get("/settings/odds-format").get_data(as_text=True)
    assert re.search(rf'value="{fmt}"[^>]*checked', form)


def test_format_form_opens_in_place_over_htmx_and_as_a_page_without(client):
    fragment = client.get(
        "/settings/odds-format", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/matches/41?x=1"}
    )
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'name="next" value="/matches/41?x=1"' in html
    assert re.search(r'value="decimal"[^>]*checked', html)
    page = client.get("/settings/odds-format?next=/leagues/epl").get_data(as_text=True)
    assert "<html" in page and 'name="next" value="/leagues/epl"' in page


@pytest.mark.parametrize("current", ["https://evil.example//evil.example/x", "javascript:alert(1)"])
def test_format_form_only_returns_to_this_site(client, current):
    html = client.get("/settings/odds-format", headers={"HX-Request": "true", "HX-Current-URL": current})
    value = re.search(r'name="next" value="([^"]*)"', html.get_data(as_text=True)).group(1)
    assert value.startswith("/") and not value.startswith("//")


def test_anonymous_pages_send_no_cookie_so_any_cache_may_keep_them(client):
    match = upcoming_match()
    for path in ("/", f"/matches/{match.id}", f"/matches/{match.id}/odds", "/leagues/epl"):
        answer = client.get(path)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, path
        assert 'name="csrf-token"' not in answer.get_data(as_text=True)


def test_odds_format_over_htmx_refreshes_the_page(client):
    answer = client.post(
        "/settings/odds-format",
        data={"format": "american"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf(client)},
    )
    assert answer.status_code == 204 and answer.headers["HX-Refresh"] == "true"
    assert "odds_format=american" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil.example", ""])
def test_odds_format_never_redirects_off_site(client, target):
    answer = client.post(
        "/settings/odds-format", data={"format": "decimal", "next": target, "csrf_token": csrf(client)}
    )
    assert answer.headers["Location"] == "/"


def test_unknown_odds_format_is_400_and_changes_nothing(client):
    answer = client.post("/settings/odds-format", data={"format": "roman", "csrf_token": csrf(client)})
    assert answer.status_code == 400
    assert "Odds format must be one of" in answer.get_data(as_text=True)
    assert "odds_format" not in answer.headers.get("Set-Cookie", "")


def test_odds_format_without_csrf_token_is_refused(client):
    answer = client.post("/settings/odds-format", data={"format": "fractional"})
    assert answer.status_code == 400
    assert "form expired or came from another site" in answer.get_data(as_text=True)
    assert "odds_format" not in answer.headers.get("Set-Cookie", "")


def test_garbage_odds_format_cookie_falls_back_to_decimal(client):
    client.set_cookie("odds_format", "<script>")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="price">\d+\.\d\d</span>', html)


def test_a_cached_board_gives_way_to_new_prices_at_once(client, clock):
    from app.odds.jobs import refresh_odds

    # Kicking off in 12-40 h: its bookmakers re-price hourly.
    match = db.session.scalars(
        select(Match).where(Match.kickoff_at.between(clock.now + timedelta(hours=12), clock.now + timedelta(hours=40)))
    ).first()
    before = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)  # now cached
    clock.advance(hours=3)
    refresh_odds(match.competition.key)
    after = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    books = stored_prices(match.id, "1x2")
    rows = table_rows(after, match.id, "1x2")
    assert all(rows[k][:3] == [f"{books[k][o]:.2f}" for o in ("home", "draw", "away")] for k in books)
    assert after != before


def first_prices(match_id: int) -> dict[tuple[str, str, str], float]:
    """(market key, bookmaker key, outcome) -> the first price the history holds for it."""
    rows = db.session.execute(
        select(Market.key, Bookmaker.key, OddsSnapshot.outcome, OddsSnapshot.price)
        .join(Market, Market.id == OddsSnapshot.market_id)
        .join(Bookmaker, Bookmaker.id == OddsSnapshot.bookmaker_id)
        .where(OddsSnapshot.match_id == match_id)
        .order_by(OddsSnapshot.observed_at.desc(), OddsSnapshot.id.desc())
    )
    return {(m, b, o): p for m, b, o, p in rows}  # the oldest written last, so it stays


def test_each_price_shows_the_price_it_opened_at(client):
    match = upcoming_match()
    html = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    opened = first_prices(match.id)
    moved = 0
    for market_key, outcomes in stored_markets(match.id).items():
        dom = market_key.replace(":", "-").replace(".", "_")
        books = stored_prices(match.id, market_key)
        for key, body in re.findall(rf'<tr id="odds-row-{match.id}-{dom}-([\w-]+)">(.*?)</tr>', html, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)[:-1]
            for outcome, cell in zip(outcomes, cells, strict=True):
                if outcome not in books[key]:
                    continue
                shown = OPENING.search(cell)
                assert shown, (market_key, key, outcome)
                assert (
                    unescape(re.sub(r"<[^>]+>", "", shown[1])) == f"opened at {opened[(market_key, key, outcome)]:.2f}"
                )
                moved += opened[(market_key, key, outcome)] != books[key][outcome]
    assert moved, "some price moved since it opened, so the opening price is not just the current one"


def test_demo_prices_say_they_are_simulated_on_every_table(client, app, monkeypatch):
    match = upcoming_match()
    html = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    tables = html.count('<table class="board">')
    assert tables == len(stored_markets(match.id))
    assert html.count('<caption class="simulated">Simulated prices') == tables
    assert html.count("simulated · ") == html.count('<th scope="row" class="book"')
    monkeypatch.setitem(app.extensions, "betscore.demo", False)
    cache.clear()
    real = client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    assert real.count('<table class="board">') == tables and "imulated" not in real
