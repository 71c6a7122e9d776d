"""Hostile input never answers 5xx: every route of the URL map, driven with hostile path parts, query parameters,
cookies, headers, Host and form fields, by a visitor, a signed-in bettor and an administrator, on each backend.

A request is built from slots (a path part, a query parameter, a cookie, a header, the Host, a form field). Each
example makes one slot hostile, or now and then all of them, and fills the others with what the app expects, so the
hostile value gets past the checks before it and reaches the code that reads it. Each route gets its own examples,
so none is left out by chance. Hostile values: NUL, CR/LF, tabs and backslashes in URLs, unicode, huge and negative
numbers, the calendar's ends, 10 KB strings, and Hypothesis' own text. Headers and cookies carry only what a WSGI
server can hand over (latin-1, no CR or LF).

The counts are small for the suite's sake: raise EXAMPLES_PER_ROUTE for a deeper hunt (250 a route, on both
backends, found no 5xx once the fixes that came before this file were in).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule

from app.extensions import db, limiter
from app.football.models import Match, UnresolvedTeam
from app.jobs.schedule import PERIODIC
from tests.conftest import Browser, csrf_token_from

ADMIN = ("hostile-admin@example.com", "a long enough secret")
MEMBER = ("hostile-member@example.com", "another long secret")
EXAMPLES_PER_ROUTE = 25
# One test drives every route, each in its own small Hypothesis run: the per-test rollback (a function-scoped fixture)
# wraps them all, as it should: hostile requests may write (a sign-in, an alias linked).
SETTINGS = settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

GENERIC = [
    "",
    "\x00",
    "a\x00b",
    "\r\n",
    "x\r\nSet-Cookie: a=b",
    "\t",
    "\\",
    "é",
    "\u202e",
    "\uffff",
    "😀",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "%zz",
    "..",
    "x" * 10_000,
    "é" * 5_000,
]
NUMBERS = ["-1", "0", "2147483647", "2147483648", "9" * 40, "-" + "9" * 40, "1" * 5000, "1e308", "nan", "inf", "²", "١"]
DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01", "2026-02-30", "2026-W48-3", "20261125", "+2026-11-25"]
URLS = [
    "/\t/evil.example",
    "/\n/x",
    "/x\r\nLocation: //evil.example",
    "/%09/evil.example",
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "http://[",
    "http://[::1",
    "javascript:alert(1)",
    "null",
    "//",
]


@dataclass(frozen=True)
class Slot:
    """One place a request carries a value: what the app expects there, and what it must survive."""

    kind: str  # path, query, cookie, header, host, form
    name: str
    plausible: tuple[str, ...]
    hostile: tuple[str, ...] = ()  # what this slot's reader might trip on, besides what any reader might (GENERIC)
    optional: bool = True  # when plausible, sent or not


IDS = tuple(NUMBERS)
QUERY = [
    Slot("query", "day", ("2026-11-21", "2026-11-25", "1900-01-01", "2999-12-31"), tuple(DATES)),
    Slot("query", "league", ("epl", "seriea"), ("EPL", "a" * 33)),
    Slot("query", "next", ("/", "/leagues/epl"), tuple(URLS)),
    Slot("query", "since", ("1", "1e9"), IDS),
    Slot("query", "topics", ("match:1,matches:2026-11-21",), ("matches:9999-12-31", "match:0", "user:1")),
    Slot("query", "v", ("1",), ()),
]
COOKIES = [
    Slot(
        "cookie",
        "tz",
        ("Europe/London", "Pacific/Auckland", "Etc/GMT-14", "Etc/GMT+12", "Pacific%2FAuckland"),
        ("../../etc/passwd", "UTC\x00", "/usr/share/zoneinfo/UTC", "Etc/GMT-15", "posixrules", "%"),
    ),
    Slot("cookie", "odds_format", ("decimal", "fractional", "american"), ()),
    Slot("cookie", "kelly", ("off", "1/4"), ("1/0", "0.5")),
    Slot("cookie", "remember_token", ("1|deadbeef",), ("|", "1|", "99999999999999999999|abc", "²|x")),
]
HEADERS = [
    Slot("header", "HX-Request", ("true",), ("TRUE", "1")),
    Slot("header", "HX-Current-URL", ("http://localhost/", "http://localhost/leagues/epl"), tuple(URLS)),
    Slot("header", "Origin", ("http://localhost",), tuple(URLS), optional=False),
    Slot("header", "Referer", ("http://localhost/admin/rq/",), tuple(URLS)),
    Slot("header", "Range", ("bytes=0-10",), ("bytes=-1", "bytes=99999999999999999999-", "bytes=5-1", "items=1-2")),
    Slot(
        "header",
        "If-Modified-Since",
        ("Sat, 21 Nov 2026 15:40:00 GMT",),
        ("Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ),
    Slot("header", "If-None-Match", ('"x"',), ("*", "W/", '"')),
]
HOST = Slot(
    "host",
    "Host",
    ("localhost",),
    (
        "a..b",
        "..",
        "évil.example",
        "x" * 64 + ".example",
        "localhost:0",
        "localhost:99999",
        "[::1",
        "evil.example/x",
        "localhost\x00",
    ),
)
FORM = [  # all sent when plausible: a form ignores the fields it does not read, and fails on one it lacks
    Slot("form", "email", ("fan@example.com", ADMIN[0]), ("fan@example.com\x00", "a@b.c" * 60), optional=False),
    Slot("form", "password", ("correct horse battery", ADMIN[1]), ("x" * 73, "é" * 40), optional=False),
    Slot("form", "format", ("decimal", "fractional", "american"), optional=False),
    Slot("form", "kelly", ("off", "1/8", "1/4", "1/2"), optional=False),
    Slot("form", "next", ("/", "/leagues/epl"), tuple(URLS), optional=False),
    Slot("form", "team_id", ("1", "2"), IDS, optional=False),
]
RAW_BODIES = [
    b"email=%ff%fe&password=%00",
    b"%",
    b"format=%C0%AE&next=%E0%A4%A",
    b"=&=&&format",
    b"team_id=" + b"9" * 5000,
    b"x" * 70_000,  # past MAX_CONTENT_LENGTH
]
RAW_QUERIES = ["day=%ff%fe", "%", "day=%00", "next=%E0%A4%A", "=&=&&", "day", "league=%C0%AE", "day=2026-11-21&day=x"]
# A path part when it is not the hostile slot. What changes the queue or starts a job never names anything real.
PATH_VALUES = {
    "key": ("epl", "seriea", "laliga"),
    "filename": ("app.css", "app.js", "icons/icon.svg"),
    "instance_number": ("0",),
    "queue_name": ("default", "betscore-test-nothing"),
    "registry_name": ("queued", "failed", "finished"),
    "per_page": ("8",),
    "order": ("asc", "dsc"),
    "page": ("1",),
    "job_id": ("no-such-job",),
    "periodic_id": ("no-such-job",),
}
PATH_HOSTILE = {  # an <int:...> part gets NUMBERS (those the converter takes reach the view); any part gets GENERIC
    "filename": ("../app/config.py", "..%2fapp%2fconfig.py", "vendor/../../app/config.py", "app.css\x00"),
    "key": ("EPL", "a" * 33),
    "registry_name": ("bogus", "QUEUED"),
    "per_page": ("0", "-1", "x", "9" * 40),
    "page": ("0", "-1", "x", "9" * 40),
    "order": ("sideways",),
}
REAL_NAMES = {p.id for p in PERIODIC} | {"default", "low", "live"}
PLACEHOLDER = re.compile(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>")


@dataclass
class Visitor:
    """Who sends the hostile requests: the session cookie and CSRF token a real visitor of that kind holds, and ids
    that exist, so that some requests reach the page behind an id."""

    session: str
    token: str
    ids: dict[str, tuple[str, ...]]


def _visitor(
    app: Flask, who: tuple[str, str] | None = None, page: str = "/accounts/login", **ids: tuple[str, ...]
) -> Visitor:
    """A visitor, or `who` signed in; the CSRF token as `page` holds it."""
    client = Browser(app, app.response_class, use_cookies=True)
    if who is not None:
        token = csrf_token_from(client.get("/accounts/login").get_data(as_text=True))
        answer = client.post("/accounts/login", data={"email": who[0], "password": who[1], "csrf_token": token})
        assert answer.status_code == 303
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    matches = tuple(str(i) for i in db.session.scalars(select(Match.id).order_by(Match.id).limit(3)))
    waiting = tuple(str(i) for i in db.session.scalars(select(UnresolvedTeam.id).limit(2)))
    known = {"match_id": matches, "target_id": matches, "unresolved_id": waiting or ("1",), "run_id": ("1",)}
    return Visitor(cookie.value, token, {**known, **ids})


def _path_slots(rule: Rule, visitor: Visitor) -> list[Slot]:
    slots = []
    for converter, name in PLACEHOLDER.findall(rule.rule):
        plausible = visitor.ids.get(name) or PATH_VALUES.get(name) or ("1",)
        bad = IDS if converter == "int" else PATH_HOSTILE.get(name, ())
        slots.append(Slot("path", name, plausible, bad, optional=False))
    return slots


def _session_slots(visitor: Visitor) -> list[Slot]:
    return [
        Slot("cookie", "session", (visitor.session,), (visitor.session[:-1],), optional=False),
        Slot("header", "X-CSRFToken", (visitor.token,), (visitor.token[:-1],), optional=False),
        Slot("form", "csrf_token", (visitor.token,), (visitor.token[:-1],), optional=False),
    ]


def wire(text: str) -> str:
    """What a WSGI server hands the app for these characters in a header: their UTF-8 bytes read as latin-1, and
    never CR or LF (a server refuses a header that carries one)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1").replace("\r", "").replace("\n", "")


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: dict[str, str] | bytes | None

    def send(self, app: Flask) -> int:
        client = Browser(app, app.response_class, use_cookies=False)
        raw = isinstance(self.body, bytes)
        with client.open(
            self.path,
            method=self.method,
            query_string=self.query,
            headers=self.headers,
            data=self.body,
            content_type="application/x-www-form-urlencoded" if raw else None,
        ) as answer:
            return answer.status_code


# Aimed at a slot in place of a listed value: one of GENERIC, or a text Hypothesis makes up.
ANY_GENERIC, TEXT = "<one of GENERIC>", "<Hypothesis' own text>"
# How often a request aims at a slot of each kind. A route's own path parts, and its form (POST) or query (GET), are
# read by that route alone: aimed at three times as often as cookies, headers and Host, which every route reads alike
# (and so are hit on every route anyway).
AIM = {
    "GET": {"path": 3, "query": 3, "cookie": 1, "header": 1, "host": 1},
    "POST": {"path": 3, "form": 3, "query": 1, "cookie": 1, "header": 1, "host": 1},
}
PER_SLOT = 24  # entries each slot has in the list of aims, whatever the number of its values


def _aims(method: str, slots: list[Slot]) -> list[tuple[Slot, str]]:
    """Every (slot, hostile value) a request may aim at, in one flat list so that one draw picks evenly: each slot as
    often as the others of its kind, and for each, its own values (twice as often), what any reader might trip on,
    Hypothesis' text."""
    aims = []
    for slot in slots:
        values = itertools.islice(itertools.cycle([*slot.hostile, *slot.hostile, ANY_GENERIC, TEXT]), PER_SLOT)
        aims += [(slot, value) for value in values] * AIM[method][slot.kind]
    return aims


@st.composite
def requests(draw: Callable, method: str, rule: Rule, visitor: Visitor) -> Request:
    """One request to the rule: one slot hostile (one time in ten, others too), every other slot plausible."""
    slots = [*_path_slots(rule, visitor), *_session_slots(visitor), *QUERY, *COOKIES, *HEADERS, HOST]
    slots = [s for s in slots if method == "POST" or s.kind != "form"] + (FORM if method == "POST" else [])
    target, aimed = draw(st.sampled_from(_aims(method, slots)))
    made_up = {ANY_GENERIC: st.sampled_from(GENERIC), TEXT: st.text(max_size=30)}
    values: dict[Slot, str] = {target: draw(made_up[aimed]) if aimed in made_up else aimed}
    everything = draw(st.sampled_from([False] * 9 + [True]))
    for slot in slots:
        if slot == target:
            continue
        if everything and draw(st.booleans()):
            values[slot] = draw(st.sampled_from([*slot.hostile, *GENERIC]))
        elif slot.kind != "host" and (not slot.optional or draw(st.booleans())):
            values[slot] = draw(st.sampled_from(slot.plausible))
    raw = draw(st.sampled_from([False] * 9 + [True]))  # now and then a query or body no encoder would make
    return Request(
        method,
        _fill(rule, {s.name: v for s, v in values.items() if s.kind == "path"}),
        draw(st.sampled_from(RAW_QUERIES)) if raw else _query(values),
        _headers(values),
        None if method != "POST" else draw(st.sampled_from(RAW_BODIES)) if raw else _form(values),
    )


def _fill(rule: Rule, parts: dict[str, str]) -> str:
    changes = rule.endpoint.startswith("rq_dashboard.") and "POST" in (rule.methods or ())

    def value(match: re.Match) -> str:
        text = parts[match.group(2)]
        if (changes or match.group(2) == "periodic_id") and text in REAL_NAMES:
            text = "no-such-name"
        return quote(text, safe="")

    return PLACEHOLDER.sub(value, rule.rule)


def _query(values: dict[Slot, str]) -> str:
    pairs = [(s.name, v) for s, v in values.items() if s.kind == "query"]
    return urlencode([(name.encode(), value.encode("utf-8", "surrogatepass")) for name, value in pairs])


def _headers(values: dict[Slot, str]) -> dict[str, str]:
    cookies = "; ".join(f"{s.name}={v}" for s, v in values.items() if s.kind == "cookie")
    sent = {s.name: wire(v) for s, v in values.items() if s.kind in ("header", "host")}
    return {**sent, "Cookie": wire(cookies)}


def _form(values: dict[Slot, str]) -> dict[str, str]:
    return {s.name: v for s, v in values.items() if s.kind == "form"}


def routes(app: Flask, method: str, admin: bool) -> list[Rule]:
    """The URL map's rules for the method: the admin area's, or everyone else's."""
    rules = (r for r in app.url_map.iter_rules() if method in (r.methods or ()))
    return sorted((r for r in rules if r.rule.startswith("/admin") == admin), key=lambda r: r.rule)


def assert_no_5xx(app: Flask, method: str, rule: Rule, visitor: Visitor) -> None:
    @SETTINGS
    @given(request=requests(method, rule, visitor))
    def send(request: Request) -> None:
        limiter.reset()  # else the limits, not the routes, answer after the first few hundred requests
        assert request.send(app) < 500, request

    send()


@pytest.fixture
def admin_visitor(app, make_user) -> Visitor:
    make_user(*ADMIN, admin=True)
    db.session.add(UnresolvedTeam(provider="api-football", external_id="af-hostile", name="Hostile FC"))
    db.session.commit()
    return _visitor(app, ADMIN, "/admin/jobs")


@pytest.fixture
def member(app, make_user) -> Callable[[], Visitor]:
    """A signed-in bettor with a bet of their own, so the pages behind sign-in (bets, account, follows) get driven
    too; signed in afresh for each route, since a route may sign them out (sign-out, sign out everywhere)."""
    from tests.bets.owned import a_bet

    bet = a_bet(app, make_user(*MEMBER).id)
    return lambda: _visitor(app, MEMBER, "/account", bet_id=(str(bet),))


@pytest.fixture
def visitor(app) -> Visitor:
    return _visitor(app)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_route_answers_5xx_to_a_hostile_visitor(app, visitor, method):
    for rule in routes(app, method, admin=False):
        assert_no_5xx(app, method, rule, visitor)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_route_answers_5xx_to_a_hostile_signed_in_bettor(app, member, method):
    for rule in routes(app, method, admin=False):
        assert_no_5xx(app, method, rule, member())


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_admin_route_answers_5xx_to_a_hostile_administrator(app, admin_visitor, method):
    for rule in routes(app, method, admin=True):
        assert_no_5xx(app, method, rule, admin_visitor)
