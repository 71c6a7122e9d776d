"""The matches list, the match page and the league page, as a visitor uses them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.football.models import Competition, Match
from app.odds import history
from app.odds.models import Bookmaker, ClosingPrice, CurrentPrice, Market
from app.odds.services import BestPrice
from tests.conftest import NOW
from tests.factories import make_match


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="matches-row-(\d+)"', html)]


def test_index_lists_todays_matches_with_best_prices(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Today, Sat 21 Nov" in html
    assert row_ids(html), "no match rows on today's page"
    # Every scheduled row shows three best prices, formatted as decimals by default.
    assert re.search(r'<span class="price">\d+\.\d\d</span>', html)


def test_live_matches_come_first_with_minute_and_score(client, app):
    live = db.session.scalars(select(Match).where(Match.status.in_(("live", "half_time")))).all()
    assert live, "the seeded world has matches in play at NOW"
    html = client.get("/").get_data(as_text=True)
    live_section = html.split('id="live-title"', 1)[1].split("</section>", 1)[0]
    first_row = row_ids(html)[0]
    assert first_row in {m.id for m in live}
    for m in live:
        assert f'id="matches-row-{m.id}"' in live_section
        assert escape(m.minute_label) in live_section
        assert f"{m.home_score}–{m.away_score}" in live_section


@pytest.mark.parametrize(
    ("zone", "local_day", "other_day"),
    [("Pacific/Auckland", "2026-11-25", "2026-11-24"), ("America/Los_Angeles", "2026-11-24", "2026-11-25")],
)
def test_a_2330_utc_match_falls_on_the_viewers_local_day(client, zone, local_day, other_day):
    match = make_match(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), home="Late Kickers", away="Night Owls")
    client.set_cookie("tz", zone)
    on_day = client.get(f"/?day={local_day}").get_data(as_text=True)
    off_day = client.get(f"/?day={other_day}").get_data(as_text=True)
    assert match.id in row_ids(on_day)
    assert match.id not in row_ids(off_day)
    expected_time = {"Pacific/Auckland": "12:30", "America/Los_Angeles": "15:30"}[zone]
    row = on_day.split(f'id="matches-row-{match.id}"', 1)[1].split("</li>", 1)[0]
    assert f">{expected_time}</time>" in row
    assert zone in on_day  # the footer says which zone the times are in


def test_unknown_time_zone_cookie_falls_back_to_utc(client):
    client.set_cookie("tz", "../../etc/passwd")
    page = client.get("/")
    assert page.status_code == 200
    assert "Times in <strong>UTC</strong>" in page.get_data(as_text=True)


def test_filter_by_league_shows_only_that_league(client):
    html = client.get("/?league=seriea&day=2026-11-22").get_data(as_text=True)
    ids = row_ids(html)
    assert ids
    comps = set(db.session.scalars(select(Competition.key).join(Match).where(Match.id.in_(ids))))
    assert comps == {"seriea"}


def test_filter_by_day_shows_only_that_local_day(client):
    html = client.get("/?day=2026-11-23").get_data(as_text=True)
    ids = row_ids(html)
    assert ids
    kickoffs = db.session.scalars(select(Match.kickoff_at).where(Match.id.in_(ids), Match.status == "scheduled"))
    assert {k.date().isoformat() for k in kickoffs} == {"2026-11-23"}


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("day=2026-13-40", 400, "&#39;day&#39; must be a date"),
        ("day=yesterday", 400, "&#39;day&#39; must be a date"),
        ("day=" + "9" * 10_000, 400, "&#39;day&#39; must be a date"),
        ("day=9999-12-31", 400, "&#39;day&#39; must be between 1900-01-01 and 2999-12-31, not 9999-12-31"),
        ("day=0001-01-01", 400, "&#39;day&#39; must be between 1900-01-01 and 2999-12-31, not 0001-01-01"),
        ("day=1899-12-31", 400, "&#39;day&#39; must be between"),
        ("day=3000-01-01", 400, "&#39;day&#39; must be between"),
        ("league=%3Cscript%3E", 400, "&#39;league&#39; must be a league key"),
        ("league=" + "a" * 200, 400, "&#39;league&#39; must be a league key"),
        ("league=atlantis", 404, "There is no league &#39;atlantis&#39;"),
    ],
)
def test_malformed_or_unknown_filters_get_a_clear_error(client, query, status, message):
    page = client.get(f"/?{query}")
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert message in html
    assert "Back to today's matches" in html


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12", "Pacific/Kiritimati", "UTC"])
@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_days_a_list_shows_work_in_every_zone(client, htmx, zone, day):
    for visitor in (client, htmx):
        visitor.set_cookie("tz", zone)
        answer = visitor.get(f"/?day={day}")
        assert answer.status_code == 200 and f"day={day}" in answer.get_data(as_text=True)  # the list of that day


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_calendars_ends_are_a_clear_400_in_every_zone(client, htmx, zone, day):
    for visitor in (client, htmx):
        visitor.set_cookie("tz", zone)
        answer = visitor.get(f"/?day={day}")
        assert answer.status_code == 400 and "must be between" in answer.get_data(as_text=True)


def test_htmx_request_gets_only_the_list_fragment(htmx):
    page = htmx.get("/")
    html = page.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="matches-list"')
    assert "<html" not in html
    assert "HX-Request" in page.headers["Vary"]


def test_full_page_also_varies_on_htmx(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_match_page_shows_header_and_both_markets(client):
    match = db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()
    html = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert f'id="matches-header-{match.id}"' in html
    assert match.home_team.name in html and match.away_team.name in html
    assert "Match result" in html and "Over/under 2.5 goals" in html
    assert len(re.findall(rf'id="odds-row-{match.id}-1x2-', html)) >= 12
    assert len(re.findall(rf'id="odds-row-{match.id}-ou-2_5-', html)) >= 12
    assert "<svg" in html and 'class="line best"' in html


def test_live_match_header_shows_score_and_minute(client):
    match = db.session.scalars(select(Match).where(Match.status == "live")).first()
    html = client.get(f"/matches/{match.id}/header").get_data(as_text=True)
    assert f"{match.home_score}<span>–</span>{match.away_score}" in html
    assert escape(match.minute_label) in html


@pytest.mark.parametrize(
    "path",
    [
        "/matches/999999",
        "/matches/99999999999999999",
        "/matches/abc",
        "/matches/-1",
        "/matches/999999/odds",
        "/matches/999999/header",
        "/nowhere",
    ],
)
def test_unknown_match_or_page_is_a_friendly_404(client, path):
    page = client.get(path)
    assert page.status_code == 404
    assert "Back to today's matches" in page.get_data(as_text=True)


def test_league_page_shows_the_table_in_order_and_upcoming_matches(client):
    html = client.get("/leagues/epl").get_data(as_text=True)
    table = html.split('id="standings-epl"', 1)[1].split("</table>", 1)[0]
    positions = [int(p) for p in re.findall(r'<tr><td class="num">(\d+)</td>', table)]
    assert positions == list(range(1, 21))
    assert "Upcoming" in html and row_ids(html)


def test_league_page_names_the_local_day_of_every_upcoming_match(client):
    """Three weeks of upcoming matches: each under the viewer's local date, the days in order, none twice."""
    client.set_cookie("tz", "Pacific/Auckland")  # UTC+13 in November: a 15:45 UTC kickoff is the next local day
    html = client.get("/leagues/epl").get_data(as_text=True)
    upcoming = html.split('id="upcoming-title"', 1)[1].split("</section>", 1)[0]
    days = re.findall(r'<h3 class="day-title">([^<]+)</h3>', upcoming)
    ids = row_ids(upcoming)
    matches = {m.id: m for m in db.session.scalars(select(Match).where(Match.id.in_(ids)))}
    tz = ZoneInfo("Pacific/Auckland")
    expected = sorted({matches[i].kickoff_at.astimezone(tz).date() for i in ids})
    assert len(expected) > 3 and len(days) == len(expected)
    assert all(f"{day.day} {day:%b}" in heading for heading, day in zip(days, expected, strict=True)), days


def test_list_rows_carry_the_registry_short_name_beside_the_full_one(client):
    html = client.get("/leagues/epl").get_data(as_text=True)
    assert '<span class="long">Manchester United</span><span class="short">Man Utd</span>' in html
    # A name that is short already is written once.
    assert re.search(
        r'<span class="team (home|away)">(<img class="crest"[^>]*>|<span class="crest[^>]*></span>)Arsenal</span>', html
    )


@pytest.mark.parametrize(("path", "status"), [("/leagues/atlantis", 404), ("/leagues/%3Cb%3E", 404)])
def test_unknown_league_page_is_404(client, path, status):
    assert client.get(path).status_code == status


def test_percent_encoded_time_zone_cookie_is_understood(client):
    client.set_cookie("tz", "Pacific%2FAuckland")
    assert "Times in <strong>Pacific/Auckland</strong>" in client.get("/").get_data(as_text=True)


def test_a_cached_list_follows_the_live_minute(client, clock):
    from app.football.jobs import refresh_live

    match = db.session.scalars(select(Match).where(Match.status == "live")).first()
    before = client.get("/").get_data(as_text=True)  # now cached
    assert escape(match.minute_label) in before
    clock.advance(minutes=3)
    refresh_live()
    db.session.refresh(match)
    after = client.get("/").get_data(as_text=True)

    def row(html: str) -> str:
        return html.split(f'id="matches-row-{match.id}"', 1)[1].split("</li>", 1)[0]

    assert escape(match.minute_label) in row(after)
    assert escape(match.minute_label) not in row(before)


def best_cells(html: str, match_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    """A row's prices part: its whole text, and (heading, price, bookmaker) per outcome."""
    part = html.split(f'id="matches-best-{match_id}"', 1)[1].split("</a>", 1)[0]
    cells = re.findall(
        r'<span class="o">(.*?)</span> <span class="price">(.*?)</span>(?:<small class="bk" [^>]*>(.*?)</small>)?',
        part,
        re.S,
    )
    return re.sub(r"<[^>]+>", " ", part), [(re.sub(r"<[^>]+>", "", o), p, b) for o, p, b in cells]


def best_of(table, match_id: int) -> list[tuple[float, set[str]]]:
    """Per 1X2 outcome: the best price in the table and the short names of the bookmakers offering it."""
    rows = db.session.execute(
        select(table.outcome, table.price, Bookmaker.key, Bookmaker.name)
        .join(Market, Market.id == table.market_id)
        .join(Bookmaker, Bookmaker.id == table.bookmaker_id)
        .where(table.match_id == match_id, Market.key == "1x2")
    ).all()
    out = []
    for outcome in ("home", "draw", "away"):
        top = max(p for o, p, _, _ in rows if o == outcome)
        out.append((top, {BestPrice(p, k, n).short for o, p, k, n in rows if o == outcome and p == top}))
    return out


def test_list_rows_head_each_price_1_x_2_and_name_its_bookmaker(client):
    match = db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()
    html = client.get(f"/?day={match.kickoff_at.date()}").get_data(as_text=True)
    text, cells = best_cells(html, match.id)
    assert [c[0] for c in cells] == ["1", "X", "2"] and "Closing" not in text
    for (heading, price, book), (top, names) in zip(cells, best_of(CurrentPrice, match.id), strict=True):
        assert price == f"{top:.2f}", heading
        assert book.endswith('<span class="sim">·sim</span>') and book.split("<", 1)[0] in names, (book, names)


def test_a_finished_match_in_a_list_shows_its_result_and_closing_prices(client):
    history.capture_closing(NOW, lookback=timedelta(hours=6))
    finished = db.session.scalars(
        select(Match).where(Match.status == "finished", Match.kickoff_at >= NOW - timedelta(hours=6))
    ).all()
    closed = [m for m in finished if db.session.scalar(select(ClosingPrice.price).filter_by(match_id=m.id).limit(1))]
    assert closed, "matches finished today with prices captured at kickoff"
    html = client.get("/").get_data(as_text=True)
    differs = 0
    for match in closed:
        text, cells = best_cells(html, match.id)
        assert "Closing prices" in text
        closing = best_of(ClosingPrice, match.id)
        assert [p for _, p, _ in cells] == [f"{top:.2f}" for top, _ in closing]
        winner = 0 if match.home_score > match.away_score else 2 if match.home_score < match.away_score else 1
        assert [("won" in h) for h, _, _ in cells] == [i == winner for i in range(3)]
        assert (
            f"{match.home_score}–{match.away_score}"
            in html.split(f'id="matches-row-{match.id}"', 1)[1].split("</li>")[0]
        )
        differs += closing != best_of(CurrentPrice, match.id)
    assert differs, "the last in-play prices differ from the closing ones, so the row could show the wrong ones"


def test_a_finished_match_without_closing_prices_shows_none(client):
    match = db.session.scalars(
        select(Match).where(Match.status == "finished").order_by(Match.kickoff_at.desc())
    ).first()
    assert best_of(CurrentPrice, match.id), "it kept its last in-play prices, which the row must not show"
    html = client.get(f"/?day={match.kickoff_at.date()}").get_data(as_text=True)
    text, cells = best_cells(html, match.id)
    assert [p for _, p, _ in cells] == ["–", "–", "–"] and "Closing" not in text
