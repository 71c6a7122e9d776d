"""RQ's own dashboard at /admin/rq when jobs run on Redis; a page saying why there is none when embedded.

rq-dashboard has no authentication and its jQuery posts carry no CSRF token, so it gets a guard
of its own: administrators only (403 for everyone else, signed in or not), and unsafe requests
only from this site's own pages (their Origin, or else Referer, names this host; the session
cookie is SameSite=Lax besides). Its pages use inline script and underscore templates, so its
responses, and only those, carry a looser Content-Security-Policy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import rq_dashboard
from flask import Flask, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from app.extensions import csrf
from app.web import security

URL_PREFIX = "/admin/rq"
BLUEPRINT = "rq_dashboard"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Changes Redis although it answers GET too; its own page only ever POSTs to it.
CHANGES_ON_GET = frozenset({"rq_dashboard.requeue_all"})


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        _mount(app)
    else:
        # Registered here, per app, because with Redis the same path belongs to the dashboard.
        app.add_url_rule(f"{URL_PREFIX}/", "admin.no_queue", no_queue)


def _mount(app: Flask) -> None:
    debug = app.config["DEBUG"]
    app.config.from_object(rq_dashboard.default_settings)
    app.config["DEBUG"] = debug  # its defaults switch debug off
    app.config["RQ_DASHBOARD_REDIS_URL"] = app.config["REDIS_URL"]
    rq_dashboard.web.setup_rq_connection(app)  # without it every page is a 500
    csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
    # First of the blueprint's hooks: nobody else reaches even its Redis connection set-up.
    app.before_request_funcs.setdefault(BLUEPRINT, []).insert(0, guard)
    app.after_request_funcs.setdefault(BLUEPRINT, []).append(_dashboard_headers)


def _admins_only() -> None:
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403, "This page is for administrators.")


def same_origin() -> bool:
    """The request comes from a page of this site, by its Origin header or, without one, its Referer."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    return bool(source) and urlsplit(source).netloc.lower() == request.host.lower()


def guard() -> None:
    """Administrators only; and a change only from this site's own pages."""
    _admins_only()
    if (request.method not in SAFE_METHODS or request.endpoint in CHANGES_ON_GET) and not same_origin():
        abort(403, "Changes to the queue are accepted only from the dashboard's own pages.")


def _dashboard_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = security.RQ_DASHBOARD_CSP
    return response


def no_queue() -> str:
    """Embedded mode: there is no queue to inspect; say where the jobs are."""
    _admins_only()
    return render_template("admin/no_queue.html")


def url() -> str:
    """Where the queue's dashboard is: RQ's own with Redis, else the page explaining its absence."""
    return url_for("rq_dashboard.queues_overview" if BLUEPRINT in current_app.blueprints else "admin.no_queue")
