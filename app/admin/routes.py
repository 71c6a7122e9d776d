"""The admin area: what is stored and how fresh it is."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from app.accounts.services import admin_required
from app.admin import bp
from app.extensions import db
from app.matches.models import Match, Team
from app.odds.models import Bookmaker, CurrentPrice, OddsSnapshot


@bp.get("/")
@admin_required
def index():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (("Teams", Team), ("Matches", Match), ("Bookmakers", Bookmaker),
                             ("Current prices", CurrentPrice), ("Price changes kept", OddsSnapshot))
    }
    latest = db.session.scalar(select(func.max(CurrentPrice.observed_at)))
    return render_template("admin/index.html", counts=counts, latest=latest)
