"""Pages: the matches list, one match, one league."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, abort, make_response, render_template, request

from app import clock
from app.football import services
from app.live import topics
from app.matches import fragments
from app.odds import services as odds_services
from app.predictions import fragments as prediction_fragments
from app.storage import cache_keys, replicas
from app.web import viewer
from app.web.conditional import conditional
from app.web.htmx import is_htmx, vary_on_htmx
from app.web.urls import MAX_ID

bp = Blueprint("matches", __name__)
# Its GET views only read: with replicas configured, they read from one (app/storage/replicas.py).
replicas.reads_from_replicas(bp)

LEAGUE_KEY = re.compile(r"^[a-z0-9_-]{1,32}$")
# The days a list may show. Far from the calendar's ends, so that any viewer's zone (UTC-12 to UTC+14) can turn the
# day and the days around it into instants: 0001-01-01 in Etc/GMT-14 or 9999-12-31 anywhere overflow `datetime`.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _day_param() -> date | None:
    raw = request.args.get("day")
    if raw is None or raw == "":
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400, f"'day' must be a date like 2026-11-25, not {raw[:40]!r}.")
    if not FIRST_DAY <= day <= LAST_DAY:
        abort(400, f"'day' must be between {FIRST_DAY} and {LAST_DAY}, not {day}.")
    return day


def _league_param() -> services.Named | None:
    raw = request.args.get("league")
    if raw is None or raw == "":
        return None
    if not LEAGUE_KEY.match(raw):
        abort(400, "'league' must be a league key such as 'epl'.")
    return _league_or_404(raw)


def _league_or_404(key: str) -> services.Named:
    competition = next((c for c in services.competitions() if c.key == key), None)
    if competition is None:
        abort(404, f"There is no league '{key}'.")
    return competition


@bp.get("/")
@conditional
def index():
    day, league = _day_param(), _league_param()
    selected = day or viewer.today()
    days = 1 if day else 3  # without a chosen day: today and the next two
    if is_htmx():
        return vary_on_htmx(make_response(fragments.listing(selected, days, league)))
    # Matches in play are published on today's topic: every list shows them.
    shown = {selected + timedelta(days=d) for d in range(days)} | {viewer.today()}
    page = render_template(
        "matches/index.html",
        league=league,
        main=fragments.index_main(selected, days, league),
        live_topics=[topics.matches(d) for d in sorted(shown)],
    )
    return vary_on_htmx(make_response(page))


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>")
@conditional
def show(match_id: int):
    match, board, more, (prediction, card_bodies) = fragments.match_page(
        match_id, also=[cache_keys.prediction_key(match_id), cache_keys.card_key(match_id)]
    )
    if match is None:
        abort(404, "That match does not exist, or is no longer listed.")
    return render_template(
        "matches/show.html",
        match=match,
        board=board,
        details=more,
        live_topics=[topics.match(match.id)],
        **prediction_fragments.card_context(match, cached=prediction, cached_bodies=card_bodies),
    )


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/header")
@conditional
def header(match_id: int):
    return render_template("matches/_header.html", match=services.match_card_or_404(match_id))


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/details")
@conditional
def details_fragment(match_id: int):
    """Line-ups, events, statistics: what a page fetches again after it reconnects."""
    return fragments.match_details(services.match_card_or_404(match_id))


@bp.get("/leagues/<key>")
@conditional
def league(key: str):
    if not LEAGUE_KEY.match(key):
        abort(404, "There is no such league.")
    competition = _league_or_404(key)
    now = clock.now()
    season = services.current_season(competition.id, now.date())
    table = services.standings(season.id) if season else []
    upcoming = services.upcoming(competition.id, now)
    return render_template(
        "matches/league.html",
        competition=competition,
        season=season,
        table=table,
        upcoming=upcoming,
        live=services.live_matches(competition.id),
        best=odds_services.best_match_prices([m.id for m in upcoming]),
        live_topics=[topics.league(competition.key or key)],
    )
