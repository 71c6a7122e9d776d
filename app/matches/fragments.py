"""The matches list fragment, rendered once per day, league, time zone and odds format."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from flask import render_template
from markupsafe import Markup

from app.extensions import cache
from app.football import details, services
from app.football.models import Match
from app.odds import fragments as odds_fragments
from app.odds import services as odds_services
from app.refresh import freshness
from app.storage import cache_keys
from app.storage.cache import cached
from app.web import viewer

# Dropped at once by any ingest that changes a match or a price (the listing version moves);
# the timeout only bounds how long an unused variant stays in the cache.
LISTING_HTML_SECONDS = 60


DAY_STRIP = range(-3, 8)


def _variant(selected: date, days: int, league: services.Named | None) -> str:
    """Everything a listing's HTML depends on, the viewer's local today included."""
    return f"{selected}:{days}:{league.key if league else ''}:{viewer.tz().key}:{viewer.odds_format()}:{viewer.today()}"


def listing(selected: date, days: int, league: services.Named | None) -> Markup:
    """The list of matches alone: what the page's own htmx poll asks for."""
    key = cache_keys.listing_key("list:" + _variant(selected, days, league))
    return Markup(cached(key, lambda: _render(selected, days, league), LISTING_HTML_SECONDS))


def index_main(selected: date, days: int, league: services.Named | None) -> Markup:
    """The matches page's body: league chips, day strip and the list."""
    today = viewer.today()

    def render() -> str:
        return render_template(
            "matches/_index_main.html",
            selected=selected,
            today=today,
            league=league,
            leagues=services.competitions(),
            strip=[today + timedelta(days=d) for d in DAY_STRIP],
            listing=listing(selected, days, league),
        )

    key = cache_keys.listing_key("main:" + _variant(selected, days, league))
    return Markup(cached(key, render, LISTING_HTML_SECONDS))


def _render(selected: date, days: int, league: services.Named | None) -> str:
    tz = viewer.tz()
    league_id = league.id if league else None
    start, _ = services.local_day_bounds(selected, tz)
    _, end = services.local_day_bounds(selected + timedelta(days=days - 1), tz)
    live = services.live_matches(league_id)
    live_ids = {m.id for m in live}
    listed = [m for m in services.matches_between(start, end, league_id) if m.id not in live_ids]
    return render_template(
        "matches/_list.html",
        live=live,
        days=_group_by_day(listed),
        selected=selected,
        league=league,
        single_day=days == 1,
        best=odds_services.best_match_prices([m.id for m in live + listed]),
        scores_stale_since=freshness.stale_since("refresh_live") if live else None,
    )


def _group_by_day(matches: list[Match]) -> list[tuple[date, list[tuple[str, list[Match]]]]]:
    """[(local day, [(league name, matches)])], days in order, leagues in display order."""
    tz = viewer.tz()
    out = []
    for day, day_matches in groupby(matches, key=lambda m: m.kickoff_at.astimezone(tz).date()):
        ordered = sorted(day_matches, key=lambda m: (m.competition.position, m.kickoff_at, m.id))
        leagues = [(name, list(ms)) for name, ms in groupby(ordered, key=lambda m: m.competition.name)]
        out.append((day, leagues))
    return out


DETAILS_HTML_SECONDS = 300  # dropped at once when the details change; the timeout only bounds memory


def match_page(
    match_id: int,
    also: Sequence[str] = (),
) -> tuple[services.MatchCard | None, Markup, Markup, list[Any]]:
    """A match, its odds board and its details, read from the cache in one round trip when all are there;
    with the cached values of the keys in `also` (None where missing), for other parts of the page."""
    card, board, more, *extra = cache.get_many(
        cache_keys.match_key(match_id),
        cache_keys.board_key(match_id, viewer.odds_format()),
        cache_keys.details_key(match_id),
        *also,
    )
    card = services.match_card(match_id, kept=card)
    if card is None:
        return None, Markup(""), Markup(""), extra
    board = odds_fragments.board(card, kept=board)
    return card, board, Markup(more) if more is not None else match_details(card), extra


def match_details(card: services.MatchCard) -> Markup:
    """Line-ups, events, statistics and past meetings, rendered once per change."""
    html = render_template("matches/_details.html", match=card, details=details.of(card.id))
    cache.set(cache_keys.details_key(card.id), html, timeout=DETAILS_HTML_SECONDS)
    return Markup(html)
