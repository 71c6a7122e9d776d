"""Real-user web vitals: POST /vitals takes one measurement a sampled page's browser beacons (static/vitals.js, with
the vendored web-vitals library) and records it in the metrics store as "vitals", by metric and kind of page.

What a visitor's browser sends is a metric's name, its value and the kind of page (<body data-page>): no URL, no
user, no id, and the view keeps nothing else of the request. Anything but exactly that, within sane ranges and a
small body, is a 400; a post from another site's page a 403; and each address has a budget of its own.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask_limiter import ExemptionScope

from app.extensions import csrf, limiter
from app.ops import metrics
from app.web import security

# The kind of page a view draws: figures group by what a page is, never by its URL.
BY_ENDPOINT = {
    "matches.index": "matches",
    "matches.show": "match",
    "matches.league": "league",
    "predictions.show": "model",
    "favourites.index": "my",
}
BY_BLUEPRINT = {"bets": "bets", "account": "account", "accounts": "account", "admin": "admin"}
OTHER = "other"
PAGE_TYPES = frozenset({*BY_ENDPOINT.values(), *BY_BLUEPRINT.values(), OTHER})

# Highest believable value of each metric (LCP and INP in ms, CLS unitless): a browser reports less; more is junk.
LIMITS = {"LCP": 120_000.0, "INP": 60_000.0, "CLS": 10.0}
MAX_BODY = 256  # bytes: {"name": "LCP", "value": 1234.5678, "page": "matches"} is about 60
MEDIA_TYPES = frozenset({"text/plain", "application/json"})  # sendBeacon(url, string) sends text/plain

bp = Blueprint("vitals", __name__)


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    page: str


def page_type() -> str:
    """The kind of page the current view draws, one of PAGE_TYPES."""
    endpoint = request.endpoint or ""
    return BY_ENDPOINT.get(endpoint) or BY_BLUEPRINT.get(endpoint.partition(".")[0]) or OTHER


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")  # json.loads would otherwise accept NaN and Infinity


def parse(body: bytes) -> Measurement | None:
    """The measurement a beacon's body holds, or None for anything but exactly one well-formed, believable one."""
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {"name", "value", "page"}:
        return None
    name, value, page = data["name"], data["value"], data["page"]
    if not (isinstance(name, str) and name in LIMITS and isinstance(page, str) and page in PAGE_TYPES):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value) if abs(value) <= LIMITS[name] else math.inf  # a huge int would not fit a float
    if not (math.isfinite(value) and 0 <= value <= LIMITS[name]):
        return None
    return Measurement(name, value, page)


def _vitals_limit() -> str:
    return str(current_app.config["RATELIMIT_VITALS"])


# A page's beacons (up to three) stay out of the visitor's budget for pages, within a budget of their own.
limiter.exempt(bp, flags=ExemptionScope.APPLICATION)
limiter.limit(_vitals_limit)(bp)


@bp.post("/vitals")
@csrf.exempt  # a beacon carries no token; the same-origin check below keeps other sites' pages out
def record() -> Response:
    if not security.same_origin() or request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        abort(403, "Measurements are accepted only from this site's own pages.")
    if request.mimetype not in MEDIA_TYPES or (request.content_length or 0) > MAX_BODY:
        abort(400, "Expected a small JSON body.")
    measurement = parse(request.get_data(cache=False))
    if measurement is None:
        abort(400, 'Expected {"name": "LCP" | "CLS" | "INP", "value": <number>, "page": <page type>}.')
    # "view" is both together, so the health page can read each metric's percentile per kind of page.
    m = measurement
    metrics.observe("vitals", m.value, metric=m.name, page=m.page, view=f"{m.name}:{m.page}")
    return Response(status=204)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(page_type)
