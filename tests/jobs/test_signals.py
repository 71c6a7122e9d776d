"""After a job commits, plumbing announces what changed; features hear it, and one failing receiver stops nothing."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.extensions import cache, db
from app.football import services as match_services
from app.football.models import Match
from app.jobs import cleanup, signals
from app.jobs.job import job
from app.storage import cache_keys
from tests.factories import make_match

heard: list[tuple[Flask, signals.Changes, object]] = []


def record(app: Flask, changes: signals.Changes) -> None:
    # What a page would read now: the card, through the cache, must show the commit (the stale entry was dropped; an
    # earlier receiver, the live push, may have cached the fresh one again).
    heard.append((app, changes, match_services.match_card(next(iter(changes.matches), 0))))


def explode(app: Flask, changes: signals.Changes) -> None:
    raise RuntimeError("a receiver's bug")


@job
def play_on(match_id: int) -> dict:
    match = db.session.get(Match, match_id)
    match.minute = 77
    return {"written": 1, "changed_matches": {match_id}, "refetch": {f"match:{match_id}": ["matches-header-1"]}}


@job
def write_nothing() -> dict:
    return {"written": 0, "changed_matches": set()}


def test_a_commit_is_announced_after_the_cache_dropped_it_and_a_failing_receiver_stops_nothing(app):
    heard.clear()
    signals.committed.connect(explode, sender=app)
    signals.committed.connect(record, sender=app)
    try:
        with app.app_context():
            match = make_match(db.session.scalar(db.select(Match.kickoff_at).limit(1)) + timedelta(days=1))
            assert match_services.match_card(match.id).minute is None  # cached, as a page view leaves it
            assert cache.get(cache_keys.match_key(match.id)) is not None
            summary = play_on(match.id)
            assert summary["written"] == 1 and "changed_matches" not in summary
            assert len(heard) == 1
            sender, changes, card = heard[0]
            assert sender is app and card.minute == 77
            assert changes.matches == frozenset({match.id})
            assert dict(changes.refetch) == {f"match:{match.id}": ("matches-header-1",)}
            assert db.session.get(Match, match.id).minute == 77  # committed, whatever a receiver did
    finally:
        signals.committed.disconnect(explode, sender=app)
        signals.committed.disconnect(record, sender=app)


def test_nothing_changed_is_not_announced(app):
    heard.clear()
    signals.committed.connect(record, sender=app)
    try:
        with app.app_context():
            write_nothing()
        assert heard == []
    finally:
        signals.committed.disconnect(record, sender=app)


def test_a_receiver_hears_only_the_app_it_subscribed_for(app):
    heard.clear()
    other = Flask("other")
    signals.committed.connect(record, sender=other)
    try:
        with app.app_context():
            match = make_match(db.session.scalar(db.select(Match.kickoff_at).limit(1)) + timedelta(days=2))
            play_on(match.id)
        assert heard == []
    finally:
        signals.committed.disconnect(record, sender=other)


def tidy(app: Flask, now) -> dict:
    return {"tidied": now.isoformat()}


def test_the_nightly_cleanup_reports_what_each_feature_tidied(app, clock):
    signals.nightly.connect(tidy, sender=app)
    try:
        with app.app_context():
            summary = cleanup.nightly()
        assert summary["tidied"] == clock.now.isoformat()
        assert "snapshots_downsampled" in summary  # the odds feature's own receiver
    finally:
        signals.nightly.disconnect(tidy, sender=app)
