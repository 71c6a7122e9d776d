"""Pages: the matches list, one match, one league."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import groupby

from flask import abort, make_response, render_template, request

from app import clock, viewer
from app.htmx import is_htmx, vary_on_htmx
from app.matches import bp, services
from app.matches.models import Match
from app.odds import services as odds_services

LEAGUE_KEY = re.compile(r"^[a-z0-9_-]{1,32}$")
MAX_ID = 2**31 - 1
DAY_STRIP = range(-3, 8)


def _day_param() -> date | None:
    raw = request.args.get("day")
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, f"'day' must be a date like 2026-11-25, not {raw[:40]!r}.")


def _league_param():  # -> Competition | None
    raw = request.args.get("league")
    if raw is None or raw == "":
        return None
    if not LEAGUE_KEY.match(raw):
        abort(400, "'league' must be a league key such as 'epl'.")
    competition = services.competition_by_key(raw)
    if competition is None:
        abort(404, f"There is no league '{raw}'.")
    return competition


@bp.get("/")
def index():
    day, league = _day_param(), _league_param()
    today = viewer.today()
    selected = day or today
    league_id = league.id if league else None
    start, _ = services.local_day_bounds(selected, viewer.tz())
    days = 1 if day else 3
    _, end = services.local_day_bounds(selected + timedelta(days=days - 1), viewer.tz())
    live = services.live_matches(league_id)
    live_ids = {m.id for m in live}
    listed = [m for m in services.matches_between(start, end, league_id) if m.id not in live_ids]
    context = dict(
        live=live, days=_group_by_day(listed), selected=selected, today=today, league=league,
        leagues=services.competitions(), strip=[today + timedelta(days=d) for d in DAY_STRIP],
        best=odds_services.best_match_prices([m.id for m in live + listed]),
    )
    template = "matches/_list.html" if is_htmx() else "matches/index.html"
    return vary_on_htmx(make_response(render_template(template, **context)))


def _group_by_day(matches: list[Match]) -> list[tuple[date, list[tuple[str, list[Match]]]]]:
    """[(local day, [(league name, matches)])], days in order, leagues in display order."""
    tz = viewer.tz()
    out = []
    for day, day_matches in groupby(matches, key=lambda m: m.kickoff_at.astimezone(tz).date()):
        ordered = sorted(day_matches, key=lambda m: (m.competition.position, m.kickoff_at, m.id))
        leagues = [(name, list(ms)) for name, ms in groupby(ordered, key=lambda m: m.competition.name)]
        out.append((day, leagues))
    return out


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>")
def show(match_id: int):
    match = services.get_match(match_id)
    if match is None:
        abort(404, "That match does not exist, or is no longer listed.")
    odds = odds_services.match_odds(match.id, clock.now())
    return render_template("matches/show.html", match=match, odds=odds)


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/header")
def header(match_id: int):
    match = services.get_match(match_id)
    if match is None:
        abort(404, "That match does not exist, or is no longer listed.")
    return render_template("matches/_header.html", match=match)


@bp.get("/leagues/<key>")
def league(key: str):
    if not LEAGUE_KEY.match(key):
        abort(404, "There is no such league.")
    competition = services.competition_by_key(key)
    if competition is None:
        abort(404, f"There is no league '{key}'.")
    now = clock.now()
    season = services.current_season(competition.id, now.date())
    table = services.standings(season.id) if season else []
    upcoming = services.upcoming(competition.id, now)
    return render_template(
        "matches/league.html", competition=competition, season=season, table=table,
        upcoming=upcoming, live=services.live_matches(competition.id),
        best=odds_services.best_match_prices([m.id for m in upcoming]),
    )
