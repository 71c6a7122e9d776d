"""When bets settle: after any job's commit that touched a match some open bet is on (jobs.signals.committed), and
in the nightly sweep, which also archives old settled bets. Each commits, then tells each owner's pages to fetch
their bets again (a `user:<id>` event: per-user data is never broadcast). A user's bets also go with their data
download and their deleted account (accounts.signals.exporting and deleting)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from app import clock
from app.accounts import signals as accounts
from app.bets import services, settlement
from app.bets.models import Bet
from app.extensions import db
from app.jobs import signals
from app.live import service as live

EVENT = "bets-changed"  # the page listens for live:bets-changed


def init_app(app: Flask) -> None:
    signals.committed.connect(_committed, sender=app)
    signals.nightly.connect(_nightly, sender=app)
    accounts.exporting.connect(_export, sender=app)
    accounts.deleting.connect(_forget, sender=app)


def _export(app: Flask, user_id: int) -> tuple[str, dict[str, Any]]:
    return "bets", services.export_user(user_id)


def _forget(app: Flask, user_id: int) -> None:
    services.delete_user_data(user_id)


def settle(match_ids: Iterable[int], now: datetime) -> Counter[int]:
    """Settle what can be settled of these matches' open bets, commit, then tell each owner's pages."""
    try:
        settled = settlement.settle_matches(match_ids, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for user_id in settled:
        live.notify_user(user_id, EVENT)
    return settled


def _committed(app: Flask, changes: signals.Changes) -> None:
    if not changes.matches:
        return
    with_open_bets = db.session.scalars(
        select(Bet.match_id).where(Bet.match_id.in_(list(changes.matches)), Bet.settled_at.is_(None)).distinct()
    ).all()
    if with_open_bets:
        settle(with_open_bets, clock.now())


def sweep(now: datetime) -> dict[str, Any]:
    """Settle every open bet that can be (a missed signal, a postponement's 48 hours run out), then archive."""
    settled = settle(settlement.matches_with_open_bets(), now)
    archived = settlement.archive(now)
    db.session.commit()
    for user_id in archived.keys() - settled.keys():
        live.notify_user(user_id, EVENT)
    return {"bets_settled": sum(settled.values()), "bets_archived": sum(archived.values())}


def _nightly(app: Flask, now: datetime) -> dict[str, Any]:
    return sweep(now)
