"""Site-wide routes that belong to no feature: the service worker, the manifest, the offline page (app/web/pwa.py
renders them) and the health checks."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from app.extensions import db, limiter
from app.storage import database, redis_client
from app.web import pwa

bp = Blueprint("site", __name__)
log = logging.getLogger("betscore.site")


@bp.app_template_global()
def demo_world() -> bool:
    """True when the simulated demo world feeds this app (no provider key set): every page it feeds says so."""
    return bool(current_app.extensions.get("betscore.demo"))


@bp.get("/sw.js")
@limiter.exempt  # a static file in all but name; browsers ask for it again on navigations to look for updates
def service_worker() -> Response:
    # Served from the root so its scope covers every page; its shell's versioned URLs are written into it.
    response = pwa.send(pwa.built().worker, "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
@limiter.exempt
def manifest() -> Response:
    return pwa.send(pwa.built().manifest, "application/manifest+json")


@bp.get("/offline")
@limiter.exempt  # fetched once by each service worker's install
def offline() -> Response:
    """What a page the device never saved shows without the network (the service worker precaches it)."""
    return pwa.send(pwa.built().offline, "text/html")


@bp.get("/healthz")
@limiter.exempt  # the platform probes often from one address; a limited probe would restart a healthy app
def health():
    """Liveness, for the platform's checks and the image's HEALTHCHECK: 200 while this process answers, asking no
    database or Redis. Their outages are every machine's: failing liveness would only take all machines out of
    routing (visitors would get the platform's error instead of the app's 503 page and the pages still cached), or
    restart healthy ones. /readyz says what is down."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def ready():
    """Readiness: the database answers (pages need it) and is migrated to this code's head, and Redis answers
    (caches, queues, live relay; without it the app runs degraded). 503 with Retry-After while anything is not;
    never cached, since it is a reading of now."""
    redis = redis_client.reachable()
    answers = _database_answers()
    parts = {
        "database": "ok" if answers else "unreachable",
        "migrations": _migrations() if answers else "unknown",
        "redis": "not configured" if redis is None else "ok" if redis else "unreachable",
    }
    down = [name for name, state in parts.items() if state in ("unreachable", "behind")]
    if not down:
        response = jsonify(status="ready", **parts)
    else:
        response = jsonify(status="degraded" if down == ["redis"] else "unavailable", down=down, **parts)
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def _migrations() -> str:
    """Either "current", or "behind" when the code has migrations the database lacks (the release command failed,
    or this machine runs newer code than was migrated): its pages would fail on missing tables or columns."""
    try:
        return "behind" if database.schema_behind() else "current"
    except Exception:  # the check must answer, whatever the database does
        log.warning("readyz: could not read the schema's version", exc_info=True)
        return "unknown"


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # the check must answer, whatever the database does
        db.session.rollback()
        return False
