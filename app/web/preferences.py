"""The preferences page: theme, time zone and odds format on one form that works without JavaScript.

With JavaScript the theme applies as it is picked (static/app.js sets `<html data-theme>` and the cookie, no
request); saving the form stores all three, and a page re-renders in the new zone and format."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from app.model.prices import ODDS_FORMATS
from app.web import viewer
from app.web.urls import keep_cookie, next_from_request, preferences_saved

bp = Blueprint("preferences", __name__)

THEME_CHOICES = ("system", *viewer.THEMES)
AUTOMATIC = "auto"


@bp.get("/preferences")
def show():
    return render_template(
        "preferences/show.html",
        next=next_from_request(),
        themes=THEME_CHOICES,
        zones=viewer.zone_names(),
        chosen_zone=AUTOMATIC if viewer.tz_automatic() else viewer.tz().key,
    )


def _field(name: str, allowed: tuple[str, ...] | frozenset[str], what: str) -> str | None:
    """The submitted value, None when the field was not sent; a value outside `allowed` is a 400."""
    value = request.form.get(name)
    if value is not None and value not in allowed:
        abort(400, f"{what} must be one of the choices offered, not {value[:40]!r}.")
    return value


@bp.post("/preferences")
def save():
    theme = _field("theme", THEME_CHOICES, "Theme")
    zone = _field("tz", frozenset((AUTOMATIC, *viewer.zone_names())), "Time zone")
    fmt = _field("format", ODDS_FORMATS, "Odds format")
    response = preferences_saved()
    if theme:
        keep_cookie(response, viewer.THEME_COOKIE, None if theme == "system" else theme, httponly=False)
    if zone:
        keep_cookie(response, viewer.TZ_CHOICE_COOKIE, None if zone == AUTOMATIC else zone)
    if fmt:
        keep_cookie(response, viewer.FORMAT_COOKIE, fmt)
    return response
