"""The odds comparison fragment and the odds-format preference."""

from __future__ import annotations

from flask import abort, make_response, redirect, request

from app import viewer
from app.htmx import is_htmx
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
    return fragments.board(match)


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
