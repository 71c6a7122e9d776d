"""RQ's own dashboard at /admin/rq when jobs run on Redis; a page saying why there is none when embedded.

rq-dashboard has no authentication and its jQuery posts carry no CSRF token, so it gets a guard
of its own: administrators only (403 for everyone else, signed in or not), and unsafe requests
only from this site's own pages (their Origin, or else Referer, names this host; the session
cookie is SameSite=Lax besides). Its pages use inline script and underscore templates, so its
responses, and only those, carry a looser Content-Security-Policy.

Its views trust their URLs: an unknown job, Redis instance or registry, a page that is no number, or
compacting a queue with no jobs raised, a 500. The guard checks what a URL names before they run: 404
for what does not exist (a queue only for actions: viewing one nobody used shows it empty), 400 for
what is malformed.
"""

from __future__ import annotations

import rq_dashboard
from flask import Flask, Response, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from rq import Queue
from rq.job import Job

from app.extensions import csrf
from app.jobs.queues import connection
from app.web import security

URL_PREFIX = "/admin/rq"
BLUEPRINT = "rq_dashboard"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Changes Redis although it answers GET too; its own page only ever POSTs to it.
CHANGES_ON_GET = frozenset({"rq_dashboard.requeue_all"})
# What the dashboard does to a whole queue (its views of a queue show one nobody used as empty).
QUEUE_ACTIONS = frozenset({"rq_dashboard.requeue_all", "rq_dashboard.empty_queue", "rq_dashboard.compact_queue"})
REGISTRIES = ("queued", "failed", "deferred", "started", "finished", "scheduled", "canceled")
ORDERS = ("asc", "dsc")
MAX_PAGE = 1_000_000


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


def guard() -> Response | None:
    """Administrators only; a change only from this site's own pages; and only what exists, well formed."""
    _admins_only()
    if (request.method not in SAFE_METHODS or request.endpoint in CHANGES_ON_GET) and not security.same_origin():
        abort(403, "Changes to the queue are accepted only from the dashboard's own pages.")
    args = request.view_args or {}
    _check_url(args)
    if (
        request.endpoint == "rq_dashboard.compact_queue"
        and not Queue(args["queue_name"], connection=connection()).count
    ):
        return jsonify(status="OK")  # nothing to compact, and RQ's compact() fails on a queue with no jobs
    return None


def _check_url(args: dict) -> None:
    """404 for what the URL names and does not exist, 400 for what is malformed, before rq-dashboard looks it up."""
    instances = len(current_app.config["RQ_DASHBOARD_REDIS_URL"])
    if args.get("instance_number", 0) >= instances:
        abort(404, f"There is no Redis instance {args['instance_number']}: this dashboard shows {instances}.")
    if args.get("registry_name", "queued") not in REGISTRIES:
        abort(404, f"There is no registry '{args['registry_name'][:80]}'; there are: {', '.join(REGISTRIES)}.")
    if args.get("order", "asc") not in ORDERS:
        abort(400, f"The order must be one of: {', '.join(ORDERS)}.")
    for name in ("per_page", "page"):
        if name in args and not _page_number(args[name]):
            abort(400, f"'{name}' must be a whole number from 1 to {MAX_PAGE:,}.")
    if request.endpoint in QUEUE_ACTIONS and args["queue_name"] not in {q.name for q in Queue.all(connection())}:
        abort(404, f"There is no queue '{args['queue_name'][:80]}'.")
    if "job_id" in args and not Job.exists(args["job_id"], connection()):
        abort(404, f"There is no job '{args['job_id'][:80]}' (finished jobs are kept a day, failed ones a week).")


def _page_number(value: int | str) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 7 and 1 <= int(text) <= MAX_PAGE


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
