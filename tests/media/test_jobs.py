"""The crests job: each image fetched once from the provider's server (a real HTTP server on loopback here), stored
by content, its key kept; failures recorded and tried again later; the demo world's own drawings at seed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.football import ingest, services
from app.football.models import Competition, Match, Team
from app.media import jobs, store
from app.media.images import key_for
from app.providers.records import FixtureRecord, MatchStatus, TeamRef
from tests.conftest import Clock
from tests.media.conftest import image
from tests.providers.conftest import ProviderServer


@pytest.fixture
def loopback_policy(app: Flask, image_server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> ProviderServer:
    """Production allows only the providers' https image hosts; here the loopback server stands in for them."""
    monkeypatch.setitem(app.config, "MEDIA_URL_POLICY", lambda url: url.startswith(image_server.url + "/"))
    return image_server


def teams(n: int) -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.id).limit(n)))


def wanting(team: Team, url: str | None) -> None:
    team.crest_key, team.crest_url, team.crest_failures, team.crest_tried_at, team.crest_error = (
        None,
        url,
        0,
        None,
        None,
    )


def test_the_seed_draws_every_club_and_league(app: Flask) -> None:
    for model in (Team, Competition):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.crest_key.is_(None))) == 0
    arsenal = db.session.scalar(select(Team).filter_by(name="Arsenal"))
    assert arsenal is not None and arsenal.crest_key and arsenal.crest_key.endswith(".svg")
    data = store.storage(app).get(arsenal.crest_key)
    assert data is not None and b">ARS</text>" in data and key_for(data) == arsenal.crest_key
    keys = set(db.session.scalars(select(Team.crest_key)))
    assert len(keys) == db.session.scalar(select(func.count()).select_from(Team))  # a crest of its own each


def test_each_image_is_fetched_once_and_stored_by_content(app: Flask, loopback_policy: ProviderServer) -> None:
    server = loopback_policy
    first, second, third = teams(3)
    server.route("/teams/1.png", body=image("python.png"))
    server.route("/teams/2.webp", body=image("python.webp"))
    wanting(first, server.url + "/teams/1.png")
    wanting(second, server.url + "/teams/2.webp")
    wanting(third, server.url + "/teams/1.png")  # two clubs, the same bytes: one object
    db.session.commit()
    summary = jobs.refresh_crests()
    assert summary["stored"] == 3 and summary["failed"] == {}
    assert first.crest_key == third.crest_key == key_for(image("python.png"))
    assert second.crest_key == key_for(image("python.webp"))
    assert store.storage(app).get(second.crest_key) == image("python.webp")
    assert jobs.refresh_crests()["stored"] == 0  # stored: never fetched again
    assert len(server.hits("/teams/1.png")) == 2 and len(server.hits("/teams/2.webp")) == 1


def test_a_stored_crest_retires_the_cached_views_that_show_its_club(
    app: Flask, loopback_policy: ProviderServer
) -> None:
    match = db.session.scalar(select(Match).where(Match.status == "live").order_by(Match.id).limit(1))
    assert match is not None
    home = db.session.get(Team, match.home_team_id)
    assert home is not None
    loopback_policy.route("/teams/home.png", body=image("python.png"))
    wanting(home, loopback_policy.url + "/teams/home.png")
    db.session.commit()
    assert services.match_card(match.id).home_team.crest_key is None  # cached as it is now
    jobs.refresh_crests()
    assert services.match_card(match.id).home_team.crest_key == key_for(image("python.png"))


def test_failures_are_recorded_and_tried_again_later(app: Flask, loopback_policy: ProviderServer, clock: Clock) -> None:
    server = loopback_policy
    missing, wrong, good = teams(3)
    server.route("/404.png", status=404)
    server.route("/page.png", body=b"<html>not an image</html>", content_type="image/png")
    server.route("/ok.gif", body=image("python.gif"))
    wanting(missing, server.url + "/404.png")
    wanting(wrong, server.url + "/page.png")
    wanting(good, server.url + "/ok.gif")
    db.session.commit()
    summary = jobs.refresh_crests()
    assert summary["stored"] == 1 and good.crest_key == key_for(image("python.gif"))
    assert (missing.crest_key, missing.crest_failures, missing.crest_error) == (None, 1, "HTTP 404")
    assert wrong.crest_failures == 1 and wrong.crest_error == "not a PNG, JPEG, GIF, WebP or SVG image"
    assert missing.crest_tried_at == clock.now
    jobs.refresh_crests()
    assert len(server.hits("/404.png")) == 1  # not before its wait is over
    clock.advance(minutes=16)
    server.route("/404.png", body=image("python.png"))  # the provider has it now
    jobs.refresh_crests()
    assert missing.crest_key == key_for(image("python.png")) and missing.crest_failures == 0
    assert missing.crest_error is None and wrong.crest_failures == 2


def test_a_stored_url_off_the_providers_hosts_is_never_requested(app: Flask, image_server: ProviderServer) -> None:
    """Without the loopback stand-in, the production policy applies: https on the providers' image hosts only."""
    team = teams(1)[0]
    image_server.route("/x.png", body=image("python.png"))
    wanting(team, image_server.url + "/x.png")
    db.session.commit()
    assert jobs.refresh_crests()["failed"] == {
        f"teams:{team.id}": f"not a provider image URL: {image_server.url}/x.png"
    }
    assert image_server.requests == [] and team.crest_key is None


def test_retry_waits_grow_to_a_day() -> None:
    waits = [jobs.retry_wait(n).total_seconds() / 60 for n in (1, 2, 3, 4, 10, 50)]
    assert waits == [15, 30, 60, 120, 1440, 1440]


def fixture_with(home: TeamRef, away: TeamRef) -> FixtureRecord:
    return FixtureRecord(
        "crest-1", "epl", "2026-27", home, away, datetime(2026, 11, 28, 15, tzinfo=UTC), MatchStatus.SCHEDULED
    )


def test_ingest_keeps_a_providers_url_until_an_image_is_stored(app: Flask) -> None:
    arsenal = db.session.scalar(select(Team).filter_by(name="Arsenal"))
    chelsea = db.session.scalar(select(Team).filter_by(name="Chelsea"))
    assert arsenal and chelsea
    stored = arsenal.crest_key
    wanting(chelsea, None)
    url = "https://media.api-sports.io/football/teams/49.png"
    home = TeamRef("42", "Arsenal", crest_url="https://media.api-sports.io/football/teams/42.png")
    ingest.upsert_fixtures("api-football", False, [fixture_with(home, TeamRef("49", "Chelsea", crest_url=url))])
    assert chelsea.crest_url == url
    assert arsenal.crest_url is None and arsenal.crest_key == stored  # stored already: nothing more to fetch
    other = "https://crests.football-data.org/61.png"
    ingest.upsert_fixtures(
        "football-data", False, [fixture_with(TeamRef("57", "Arsenal"), TeamRef("61", "Chelsea", crest_url=other))]
    )
    assert chelsea.crest_url == url  # the first offer stands while it has not failed
    chelsea.crest_failures = 2
    ingest.upsert_fixtures(
        "football-data", False, [fixture_with(TeamRef("57", "Arsenal"), TeamRef("61", "Chelsea", crest_url=other))]
    )
    assert chelsea.crest_url == other and chelsea.crest_failures == 2
