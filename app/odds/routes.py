"""The odds comparison fragment and the odds-format preference."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from app.football import services as match_services
from app.model.prices import ODDS_FORMATS
from app.odds import fragments
from app.refresh import watching
from app.storage import replicas
from app.web import viewer
from app.web.conditional import conditional
from app.web.htmx import is_htmx, vary_on_htmx
from app.web.urls import MAX_ID, next_from_request, preference_saved

bp = Blueprint("odds", __name__)
# Its GET views only read (the watch mark is in the cache): with replicas configured, they read from one.
replicas.reads_from_replicas(bp)


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/odds")
def table(match_id: int):
    answer = _board(match_id)  # a match that does not exist is a 404 before anything is marked
    if is_htmx():
        watching.seen(match_id)  # an open page's poll, answered 304 or not: someone is looking at this match now
    return answer


@conditional
def _board(match_id: int):
    return fragments.board(match_services.match_card_or_404(match_id))


@bp.get("/settings/odds-format")
def format_page():
    """The odds-format form: a fragment opened in place over htmx, a page without JavaScript."""
    template = "odds/_format_form.html" if is_htmx() else "odds/format.html"
    return vary_on_htmx(make_response(render_template(template, next=next_from_request())))


@bp.post("/settings/odds-format")
def set_format():
    fmt = request.form.get("format", "")
    if fmt not in ODDS_FORMATS:
        abort(400, f"Odds format must be one of: {', '.join(ODDS_FORMATS)}.")
    return preference_saved(viewer.FORMAT_COOKIE, fmt)
