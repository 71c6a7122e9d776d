"""The odds comparison fragment and the odds-format preference."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, make_response, redirect, render_template, request

from app import viewer, watching
from app.htmx import is_htmx, vary_on_htmx
from app.matches import services as match_services
from app.odds import bp, fragments
from app.odds.maths import ODDS_FORMATS
from app.urls import safe_next

MAX_ID = 2**31 - 1
ONE_YEAR = 365 * 24 * 3600


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/odds")
def table(match_id: int):
    match = match_services.match_card(match_id)
    if match is None:
        abort(404, "That match does not exist, or is no longer listed.")
    if is_htmx():
        watching.seen(match.id)  # an open page's poll: someone is looking at this match now
    return fragments.board(match)


def _next_from_request() -> str:
    """Where to go back to: the page that asked (htmx says which), else the `next` parameter."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return safe_next(request.args.get("next"))


@bp.get("/settings/odds-format")
def format_page():
    """The odds-format form: a fragment opened in place over htmx, a page without JavaScript."""
    template = "odds/_format_form.html" if is_htmx() else "odds/format.html"
    return vary_on_htmx(make_response(render_template(template, next=_next_from_request())))


@bp.post("/settings/odds-format")
def set_format():
    fmt = request.form.get("format", "")
    if fmt not in ODDS_FORMATS:
        abort(400, f"Odds format must be one of: {', '.join(ODDS_FORMATS)}.")
    target = safe_next(request.form.get("next"))
    response = make_response("", 204) if is_htmx() else redirect(target, 303)
    if is_htmx():
        response.headers["HX-Refresh"] = "true"
    response.set_cookie(viewer.FORMAT_COOKIE, fmt, max_age=ONE_YEAR, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response
