"""Site-wide routes that belong to no feature: the service worker, the manifest, the offline page (app/web/pwa.py
renders them) and the health checks."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from app.extensions import db, limiter
from app.storage import redis_client
from app.web import pwa

bp = Blueprint("site", __name__)


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
    """Liveness, for the platform's checks: 200 while this process answers, with the database's state in the body.
    A database or Redis outage is not this machine's fault and every machine shares it: failing the check would only
    take the machines out of routing, so visitors would get the platform's error instead of the app's 503 page and
    the pages still cached. /readyz says 503 when a part is down."""
    return jsonify(status="ok", database="ok" if _database_answers() else "unreachable")


@bp.get("/readyz")
@limiter.exempt
def ready():
    """What is up and what is down: the database (pages need it) and Redis (caches, queues, live relay; without it
    the app runs degraded). 503 with Retry-After while anything is down."""
    redis = redis_client.reachable()
    parts = {
        "database": "ok" if _database_answers() else "unreachable",
        "redis": "not configured" if redis is None else "ok" if redis else "unreachable",
    }
    down = [name for name, state in parts.items() if state == "unreachable"]
    if not down:
        return jsonify(status="ready", **parts)
    response = jsonify(status="degraded" if down == ["redis"] else "unavailable", down=down, **parts)
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # the check must answer, whatever the database does
        db.session.rollback()
        return False
