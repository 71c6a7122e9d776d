"""When providers stop answering, pages keep the stored data and say how old it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import cache, db
from app.football.jobs import refresh_live
from app.football.models import Match
from app.odds.jobs import refresh_odds
from app.storage import cache_keys
from app.storage.cache import bump


def test_prices_say_how_old_they_are_once_refreshes_stop(client, clock):
    match = db.session.scalars(
        select(Match).where(Match.kickoff_at > clock.now + timedelta(hours=12)).order_by(Match.kickoff_at)
    ).first()
    league = match.competition.key
    refresh_odds(league)
    assert "Prices last checked" not in client.get(f"/matches/{match.id}/odds").get_data(as_text=True)
    clock.advance(minutes=45)  # no refresh has succeeded since
    # 45 minutes on, the board's cached HTML (seconds-long) has expired; the test's clock is not the cache's.
    cache.delete(cache_keys.board_key(match.id, "decimal"))
    stale = client.get(f"/matches/{match.id}/odds")
    assert stale.status_code == 200
    html = stale.get_data(as_text=True)
    assert "Prices last checked 45m ago" in html and f'id="odds-row-{match.id}-1x2-' in html
    refresh_odds(league)
    assert "Prices last checked" not in client.get(f"/matches/{match.id}/odds").get_data(as_text=True)


def test_live_scores_say_how_old_they_are_once_refreshes_stop(client, clock):
    refresh_live()
    assert "Scores last updated" not in client.get("/").get_data(as_text=True)
    clock.advance(minutes=10)
    bump(cache_keys.LISTING_VERSION)  # as above: the cached list has expired by then
    html = client.get("/").get_data(as_text=True)
    assert "Scores last updated 10m ago" in html and 'id="live-title"' in html
