"""The admin area: what is stored and how fresh it is."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.accounts.services import admin_required
from app.admin import bp
from app.extensions import db
from app.matches import registry
from app.matches.models import Match, Team, UnresolvedTeam
from app.odds.models import Bookmaker, CurrentPrice, OddsSnapshot

MAX_ID = 2**31 - 1


@bp.get("/")
@admin_required
def index():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (("Teams", Team), ("Matches", Match), ("Bookmakers", Bookmaker),
                             ("Current prices", CurrentPrice), ("Price changes kept", OddsSnapshot))
    }
    latest = db.session.scalar(select(func.max(CurrentPrice.observed_at)))
    waiting = db.session.scalar(select(func.count()).where(UnresolvedTeam.resolved_at.is_(None)))
    return render_template("admin/index.html", counts=counts, latest=latest, waiting=waiting)


@bp.get("/aliases")
@admin_required
def aliases():
    """Provider team names that matched no team, each with its closest candidates."""
    open_names = db.session.scalars(
        select(UnresolvedTeam).where(UnresolvedTeam.resolved_at.is_(None))
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
    team_id = request.form.get("team_id", "")
    team = db.session.get(Team, int(team_id)) if team_id.isdigit() and int(team_id) <= MAX_ID else None
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
