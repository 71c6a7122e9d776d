"""URL helpers shared by features."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from app.web.htmx import is_htmx

ONE_YEAR = 365 * 24 * 3600
MAX_ID = 2**31 - 1  # the largest id a URL may name (PostgreSQL's integer): a larger one is a 404, not a 500


def safe_next(target: str | None) -> str:
    """Only a path on this site, else the home page: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("matches.index")


def next_from_request() -> str:
    """Where a settings form returns to: the page that asked (htmx says which), else the `next` parameter."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return safe_next(request.args.get("next"))


def preference_saved(cookie: str, value: str) -> Response:
    """The answer to a saved display preference, kept a year in a cookie: over htmx the page reloads in place;
    a plain form goes back to the page it came from (`next`, on this site only)."""
    response: Response = make_response("", 204) if is_htmx() else redirect(safe_next(request.form.get("next")), 303)
    if is_htmx():
        response.headers["HX-Refresh"] = "true"
    response.set_cookie(cookie, value, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure, httponly=True)
    return response
