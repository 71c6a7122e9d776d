"""The viewer's display preferences (theme, time zone, odds format), kept in cookies, and the Jinja filters using
them. Each cookie is read here only: a hostile value is ignored (the default applies), never an error."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import cache
from itertools import groupby
from typing import Protocol, TypeVar
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, request

from app import clock
from app.model.prices import ODDS_FORMATS, format_price

TZ_COOKIE = "tz"  # the zone the browser detected (written by static/app.js)
TZ_CHOICE_COOKIE = "tz_choice"  # a zone chosen by hand on the preferences page: wins over the detected one
FORMAT_COOKIE = "odds_format"
THEME_COOKIE = "theme"  # light or dark; absent: follow the system (written by the page's script or the form)
THEMES = ("light", "dark")
# The zone list people pick from: places (Area/City), not the legacy aliases (US/Eastern, Etc/GMT+5, EST5EDT).
ZONE_AREAS = frozenset(
    ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
)
UTC_ZONE = ZoneInfo("UTC")
T = TypeVar("T")
_KEY = "betscore."  # this module's per-request values, kept in the WSGI environ


def parse_zone(name: str | None) -> ZoneInfo | None:
    """A ZoneInfo for a valid IANA name, else None (never raises on hostile input)."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


def _per_request(name: str, compute: Callable[[], T]) -> T:
    """Compute once per request (on the request, not `g`: an app context may outlive a request)."""
    key = _KEY + name
    if key not in request.environ:
        request.environ[key] = compute()
    return request.environ[key]


@contextmanager
def odds_format_as(fmt: str) -> Iterator[None]:
    """Render inside the block as a viewer who reads prices in `fmt` (a push renders once per odds format, for
    everyone who reads it), then as the request's own viewer again."""
    if fmt not in ODDS_FORMATS:
        raise ValueError(f"unknown odds format {fmt!r}")
    key = _KEY + "odds_format"
    missing = object()
    before = request.environ.get(key, missing)
    request.environ[key] = fmt
    try:
        yield
    finally:
        if before is missing:
            request.environ.pop(key, None)
        else:
            request.environ[key] = before


def _zone_cookie(name: str) -> ZoneInfo | None:
    return parse_zone(unquote(request.cookies.get(name, "")))


def tz() -> ZoneInfo:
    """The viewer's zone: chosen by hand, else as the browser detected it; UTC until it is known."""
    return _per_request("tz", lambda: _zone_cookie(TZ_CHOICE_COOKIE) or _zone_cookie(TZ_COOKIE) or UTC_ZONE)


def tz_automatic() -> bool:
    """Whether the zone follows the browser (no valid choice by hand): the page's script then keeps it current."""
    return _per_request("tz_automatic", lambda: _zone_cookie(TZ_CHOICE_COOKIE) is None)


@cache
def zone_names() -> tuple[str, ...]:
    """Every zone a viewer may choose by hand, sorted: UTC, then the places."""
    return ("UTC", *sorted(z for z in available_timezones() if z.partition("/")[0] in ZONE_AREAS))


def theme() -> str | None:
    """'light' or 'dark' as chosen; None follows the system (and ignores anything else a cookie says)."""
    value = request.cookies.get(THEME_COOKIE)
    return value if value in THEMES else None


def odds_format() -> str:
    def read() -> str:
        value = request.cookies.get(FORMAT_COOKIE, "decimal")
        return value if value in ODDS_FORMATS else "decimal"

    return _per_request("odds_format", read)


def today() -> date:
    return clock.now().astimezone(tz()).date()


def local(instant: datetime | None, pattern: str = "%H:%M") -> str:
    return "" if instant is None else instant.astimezone(tz()).strftime(pattern)


def age(instant: datetime | None) -> str:
    """How long ago, as a bettor scans it: 'now', '45s', '12m', '3h', '2d'."""
    if instant is None:
        return ""
    seconds = max(0, int((clock.now() - instant).total_seconds()))
    if seconds < 10:
        return "now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def ago(instant: datetime | None) -> str:
    """'changed 12m ago', 'changed just now'."""
    label = age(instant)
    return "" if not label else "changed just now" if label == "now" else f"changed {label} ago"


def recent(instant: datetime | None, minutes: int = 60) -> bool:
    """Changed within the last hour: worth an up/down marker."""
    return instant is not None and clock.now() - instant <= timedelta(minutes=minutes)


def stat(value: float | int | None) -> str:
    """A statistic as people write it: 12, 1.17, 54 (never 12.0)."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def price(value: float | None) -> str:
    return "–" if value is None else format_price(value, odds_format())


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


class KicksOff(Protocol):
    @property
    def kickoff_at(self) -> datetime: ...


M = TypeVar("M", bound=KicksOff)


def by_day(matches: Iterable[M]) -> list[tuple[date, list[M]]]:
    """Matches in kickoff order, grouped by the viewer's local date: a list spanning days shows its dates."""
    zone = tz()
    return [(day, list(ms)) for day, ms in groupby(matches, key=lambda m: m.kickoff_at.astimezone(zone).date())]


def day_label(day: date) -> str:
    offset = (day - today()).days
    named = {0: "Today", -1: "Yesterday", 1: "Tomorrow"}.get(offset)
    return f"{named}, {day:%a %-d %b}" if named else f"{day:%A %-d %B}"


def init_app(app: Flask) -> None:
    app.add_template_filter(local)
    app.add_template_filter(by_day)
    app.add_template_filter(age)
    app.add_template_filter(recent)
    app.add_template_filter(ago)
    app.add_template_filter(price)
    app.add_template_filter(percent)
    app.add_template_filter(stat)
    app.add_template_filter(day_label)
    app.add_template_global(odds_format)
    app.add_template_global(tz, "viewer_tz")
    app.add_template_global(tz_automatic)
    app.add_template_global(theme, "viewer_theme")
    app.add_template_global(timedelta)
