"""URL helpers shared by features."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask import make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from app.web.htmx import is_htmx

ONE_YEAR = 365 * 24 * 3600
UNREADABLE = frozenset({"Cc", "Cs"})  # control characters (tab, CR, LF, NUL...) and lone surrogates
MAX_ID = 2**31 - 1  # the largest id a URL may name (PostgreSQL's integer): a larger one is a 404, not a 500
ID = re.compile(r"[1-9][0-9]{0,9}")


def parse_id(text: str | None) -> int | None:
    """The id a form field names: ASCII digits up to MAX_ID, else None. Never raises: str.isdigit() also takes '²',
    which int() refuses, and int() refuses more than 4,300 digits."""
    if text is None or not ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def safe_next(target: str | None) -> str:
    """Only a path on this site, else the home page: never an open redirect, never a header it cannot carry."""
    return target if target and _local_path(target) else url_for("matches.index")


def _local_path(target: str) -> bool:
    r"""One slash, then anything but a slash, and nothing a browser reads leniently. Browsers drop tabs and newlines
    from a URL and read a backslash as a slash, so `/\t/evil.example` and `/\evil.example` are both `//evil.example`,
    another site: such a target is refused whole, never cleaned into something else."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(unicodedata.category(c) in UNREADABLE for c in target)
    )


def next_from_request() -> str:
    """Where a settings form returns to: the page that asked (htmx says which), else the `next` parameter."""
    current = request.headers.get("HX-Current-URL")
    if current:
        try:
            parts = urlsplit(current)
        except ValueError:  # an unclosed IPv6 bracket, `http://[`
            return safe_next(None)
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return safe_next(request.args.get("next"))


def preference_saved(cookie: str, value: str) -> Response:
    """The answer to a saved display preference, kept a year in a cookie: over htmx the page reloads in place;
    a plain form goes back to the page it came from (`next`, on this site only)."""
    return keep_cookie(preferences_saved(), cookie, value)


def preferences_saved() -> Response:
    """The answer to saved display preferences (the caller adds the cookies): over htmx the page is drawn again in
    place; a plain form goes back to the page it came from (`next`, on this site only)."""
    if is_htmx():
        response: Response = make_response("", 204)
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(safe_next(request.form.get("next")), 303)


def keep_cookie(response: Response, cookie: str, value: str | None, httponly: bool = True) -> Response:
    """Keep a preference a year (None forgets it). Not `httponly` when the page's script switches it too: a
    script may not overwrite an HttpOnly cookie."""
    if value is None:
        response.delete_cookie(cookie, samesite="Lax", secure=request.is_secure, httponly=httponly)
    else:
        response.set_cookie(
            cookie, value, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure, httponly=httponly
        )
    return response
