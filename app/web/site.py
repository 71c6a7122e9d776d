"""Site-wide routes that belong to no feature: the service worker and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("site", __name__)


@bp.get("/sw.js")
def service_worker():
    # Served from the root so its scope covers every page.
    response = send_from_directory(current_app.static_folder or "static", "sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/healthz")
def health():
    """Liveness plus a database round trip, for the platform's health checks."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the check must answer, whatever the database does
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")
