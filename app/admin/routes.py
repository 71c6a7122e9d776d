"""The admin area: what is stored, how fresh it is, and the background jobs that keep it so."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app import clock
from app.accounts.services import admin_required
from app.admin import dashboard, health, health_backends
from app.extensions import db
from app.football import registry
from app.football.models import Match, Team, UnresolvedTeam
from app.jobs import runs
from app.jobs.runs import JobRun
from app.jobs.schedule import PERIODIC, find
from app.jobs.stats import DailyStat
from app.live import service as live
from app.odds.models import Bookmaker, CurrentPrice, OddsSnapshot
from app.web.htmx import is_htmx, vary_on_htmx
from app.web.urls import MAX_ID, parse_id

bp = Blueprint("admin", __name__, url_prefix="/admin")

RECENT_RUNS = 20
STAT_DAYS = 14


@bp.get("/")
@admin_required
def index():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (
            ("Teams", Team),
            ("Matches", Match),
            ("Bookmakers", Bookmaker),
            ("Current prices", CurrentPrice),
            ("Price changes kept", OddsSnapshot),
        )
    }
    latest = db.session.scalar(select(func.max(CurrentPrice.observed_at)))
    waiting = db.session.scalar(select(func.count()).where(UnresolvedTeam.resolved_at.is_(None)))
    return render_template("admin/index.html", counts=counts, latest=latest, waiting=waiting, queue_url=dashboard.url())


@bp.get("/aliases")
@admin_required
def aliases():
    """Provider team names that matched no team, each with its closest candidates."""
    open_names = db.session.scalars(
        select(UnresolvedTeam)
        .where(UnresolvedTeam.resolved_at.is_(None))
        .order_by(UnresolvedTeam.seen_count.desc(), UnresolvedTeam.id)
    ).all()
    rows = [(u, registry.suggestions(u.name)) for u in open_names]
    return render_template("admin/aliases.html", rows=rows)


def _open_or_404(unresolved_id: int) -> UnresolvedTeam:
    row = db.session.get(UnresolvedTeam, unresolved_id)
    if row is None or row.resolved_at is not None:
        abort(404, "That name is not waiting for review (already resolved, or never seen).")
    return row


@bp.post(f"/aliases/<int(max={MAX_ID}):unresolved_id>/link")
@admin_required
def link_alias(unresolved_id: int):
    row = _open_or_404(unresolved_id)
    team_id = parse_id(request.form.get("team_id"))
    team = db.session.get(Team, team_id) if team_id else None
    if team is None:
        abort(400, "Choose one of the suggested teams.")
    registry.link(row, team)
    db.session.commit()
    flash(f"{row.provider}'s “{row.name}” is now {team.name}.")
    return redirect(url_for("admin.aliases"), 303)


@bp.post(f"/aliases/<int(max={MAX_ID}):unresolved_id>/create")
@admin_required
def create_alias(unresolved_id: int):
    row = _open_or_404(unresolved_id)
    team = registry.create(row)
    db.session.commit()
    flash(f"Created {team.name} from {row.provider}'s name.")
    return redirect(url_for("admin.aliases"), 303)


@bp.get("/jobs")
@admin_required
def jobs():
    """Every declared job with its last and next run, the latest runs, and the last fortnight's totals."""
    now = clock.now()
    recent = db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(RECENT_RUNS)).all()
    days = db.session.scalars(
        select(DailyStat)
        .where(DailyStat.day >= now.date() - timedelta(days=STAT_DAYS))
        .order_by(DailyStat.day.desc())
        .limit(STAT_DAYS)
    ).all()
    return render_template(
        "admin/jobs.html",
        periodic=PERIODIC,
        last=runs.latest(),
        due=runs.next_runs(now),
        recent=recent,
        days=days,
        stat_days=STAT_DAYS,
        now=now,
        queue_url=dashboard.url(),
    )


@bp.post("/jobs/<string(maxlength=64):periodic_id>/run")
@admin_required
def run_job(periodic_id: str):
    """Start a run of a declared job now: htmx gets its progress fragment, a plain form the run's page."""
    try:
        find(periodic_id)
    except KeyError:
        abort(404, f"No job is declared as “{periodic_id}”: see the jobs panel for the ones there are.")
    run = runs.submit(periodic_id)
    if is_htmx():
        return _run_fragment(run)
    return redirect(url_for("admin.show_run", run_id=run.id), 303)


@bp.get(f"/jobs/runs/<int(max={MAX_ID}):run_id>")
@admin_required
def show_run(run_id: int):
    """One run: the fragment replaces itself every second until the run has finished."""
    run = db.session.get(JobRun, run_id)
    if run is None:
        abort(404, f"There is no run {run_id} (runs are kept for a while, then pruned).")
    if is_htmx():
        return _run_fragment(run)
    return vary_on_htmx(make_response(render_template("admin/run.html", run=run, now=clock.now())))


def _run_fragment(run: JobRun) -> Response:
    return vary_on_htmx(make_response(render_template("admin/_run.html", run=run, now=clock.now())))


@bp.get("/live.json")
@admin_required
def live_metrics():
    """Every live instance's sockets and traffic: connections, subscriptions per topic kind,
    messages out per second, refused, dropped and closed counts (what a health page reads)."""
    instances = live.current().cluster_metrics()
    totals = {
        key: sum(i.get(key, 0) for i in instances)
        for key in ("connections", "messages_out_per_second", "refused_full", "dropped_slow")
    }
    return {"instances": instances, "totals": totals}


HEALTH_PANELS = (
    health.requests,
    health.caching,
    health.real_users,
    health_backends.providers_panel,
    health_backends.database_panel,
    health_backends.redis_panel,
    health.websockets,
    health_backends.jobs_panel,
    health_backends.backups_panel,
)


@bp.get("/health")
@admin_required
def health_page():
    """Whether visitors are served and the paid quotas will last: each panel with its target and mark."""
    return render_template("admin/health.html", panels=health.panels(HEALTH_PANELS), at=health.measured_at())


@bp.get("/health/panels")
@admin_required
def health_panels():
    """The panels alone, as the page polls them every 15 seconds."""
    html = render_template("admin/_health.html", panels=health.panels(HEALTH_PANELS), at=health.measured_at())
    return vary_on_htmx(make_response(html))
