"""The canonical registry: other providers' names resolve to our teams, or wait for an admin."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.football.ingest import upsert_fixtures, upsert_standings
from app.football.models import Match, MatchAlias, Team, TeamAlias, UnresolvedTeam
from app.football.names import key
from app.providers.records import FixtureRecord, MatchStatus, StandingRecord, TeamRef


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Brighton & Hove Albion", "Brighton and Hove Albion"),
        ("Brighton & Hove Albion", "Brighton & Hove Albion FC"),
        ("Brighton & Hove Albion", "Brighton"),
        ("Manchester United", "Man United"),
        ("Manchester United", "Man Utd"),
        ("Wolverhampton Wanderers", "Wolves"),
        ("Bournemouth", "AFC Bournemouth"),
        ("1. FC Köln", "FC Koln"),
        ("Atlético Madrid", "Club Atlético de Madrid"),
        ("Inter", "FC Internazionale Milano"),
        ("AC Milan", "Milan"),
        ("Bayern Munich", "FC Bayern München"),
        ("Paris Saint-Germain", "PSG"),
        ("Mainz 05", "1. FSV Mainz 05"),
        ("Borussia Mönchengladbach", "Gladbach"),
        ("Genoa", "Genoa CFC"),
        ("Tottenham Hotspur", "Spurs"),
    ],
)
def test_spellings_of_one_club_share_a_key(ours, theirs):
    assert key(ours) == key(theirs)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Manchester City", "Manchester United"),
        ("Paris FC", "Paris Saint-Germain"),
        ("Inter", "AC Milan"),
        ("Real Madrid", "Atlético Madrid"),
        ("Sheffield United", "Sheffield Wednesday"),
    ],
)
def test_different_clubs_keep_different_keys(a, b):
    assert key(a) != key(b)


def demo_fixture(app_match: Match) -> FixtureRecord:
    return FixtureRecord(
        external_id=f"af-{app_match.id}",
        competition_key=app_match.competition.key,
        season="2026",
        home=TeamRef("af-home", app_match.home_team.name.upper() + " FC"),
        away=TeamRef("af-away", app_match.away_team.name),
        kickoff_at=app_match.kickoff_at,
        status=MatchStatus(app_match.status),
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def an_upcoming_match() -> Match:
    return db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()


def test_a_second_provider_joins_the_existing_match_instead_of_duplicating_it(app):
    match = an_upcoming_match()
    before = (count(Match), count(Team))
    result = upsert_fixtures("api-football", False, [demo_fixture(match)])
    db.session.commit()
    assert (result.created, result.unresolved) == (0, [])
    assert (count(Match), count(Team)) == before
    assert (
        db.session.scalar(select(MatchAlias.match_id).filter_by(provider="api-football", external_id=f"af-{match.id}"))
        == match.id
    )
    assert (
        db.session.scalar(select(TeamAlias.team_id).filter_by(provider="api-football", external_id="af-home"))
        == match.home_team_id
    )
    again = upsert_fixtures("api-football", False, [demo_fixture(match)])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_second_provider_moves_the_score_on_but_blanks_nothing(app):
    match = db.session.scalars(select(Match).where(Match.status == "live")).first()
    record = replace(
        demo_fixture(match),
        home_score=match.home_score + 1,
        away_score=match.away_score,
        status=MatchStatus.LIVE,
        minute=None,
    )
    upsert_fixtures("api-football", False, [record])
    db.session.commit()
    db.session.refresh(match)
    assert match.home_score == record.home_score and match.minute is not None


def test_an_unknown_name_is_queued_never_created(app):
    match = an_upcoming_match()
    stranger = replace(demo_fixture(match), home=TeamRef("af-999", "Atletico Nowhere"))
    teams = count(Team)
    for _ in range(2):
        result = upsert_fixtures("api-football", False, [stranger])
        db.session.commit()
        assert result.unresolved == ["Atletico Nowhere"] and result.created == 0
    assert count(Team) == teams
    queued = db.session.scalar(select(UnresolvedTeam).filter_by(provider="api-football", external_id="af-999"))
    assert (queued.name, queued.seen_count, queued.competition_key) == ("Atletico Nowhere", 2, match.competition.key)


def test_standings_from_a_second_provider_resolve_by_name(app):
    team = db.session.scalars(select(Team).where(Team.name == "Wolverhampton Wanderers")).one()
    record = StandingRecord(
        competition_key="epl",
        season="2026",
        team=TeamRef("39-wolves", "Wolves"),
        position=1,
        played=1,
        won=1,
        drawn=0,
        lost=0,
        goals_for=3,
        goals_against=0,
        points=3,
    )
    result = upsert_standings("api-football", False, [record])
    db.session.commit()
    assert result.unresolved == [] and result.written == 1
    assert db.session.scalar(select(TeamAlias.team_id).filter_by(external_id="39-wolves")) == team.id


# --- the admin review page ------------------------------------------------------------------


@pytest.fixture
def queued(app) -> UnresolvedTeam:
    match = an_upcoming_match()
    upsert_fixtures("api-football", False, [replace(demo_fixture(match), home=TeamRef("af-7", "Arsenal Ladies"))])
    db.session.commit()
    return db.session.scalar(select(UnresolvedTeam).filter_by(external_id="af-7"))


@pytest.fixture
def admin(client, auth, make_user):
    make_user("boss@example.com", "a long enough secret", admin=True)
    auth.login("boss@example.com", "a long enough secret")
    return client


def test_admin_sees_the_name_with_suggestions_and_links_it_in_one_click(admin, auth, queued):
    page = admin.get("/admin/aliases").get_data(as_text=True)
    assert f'id="admin-alias-{queued.id}"' in page and "Link to Arsenal" in page
    arsenal = db.session.scalars(select(Team).filter_by(name="Arsenal")).one()
    answer = admin.post(
        f"/admin/aliases/{queued.id}/link", data={"team_id": arsenal.id, "csrf_token": auth.csrf("/admin/")}
    )
    assert answer.status_code == 303
    db.session.refresh(queued)
    assert queued.team_id == arsenal.id and queued.resolved_at is not None
    assert f'id="admin-alias-{queued.id}"' not in admin.get("/admin/aliases").get_data(as_text=True)
    # The next ingest resolves the name by its alias.
    match = an_upcoming_match()
    result = upsert_fixtures("api-football", False, [replace(demo_fixture(match), home=TeamRef("af-7", "x"))])
    assert result.unresolved == []


def test_admin_creates_a_new_team_from_a_name(admin, auth, queued):
    teams = count(Team)
    answer = admin.post(f"/admin/aliases/{queued.id}/create", data={"csrf_token": auth.csrf("/admin/")})
    assert answer.status_code == 303 and count(Team) == teams + 1
    assert db.session.scalar(select(Team.name).where(Team.id == queued.team_id)) == "Arsenal Ladies"


@pytest.mark.parametrize(("team_id", "status"), [("", 400), ("abc", 400), ("99999999", 400), ("-1", 400)])
def test_linking_to_no_real_team_is_400_and_changes_nothing(admin, auth, queued, team_id, status):
    answer = admin.post(
        f"/admin/aliases/{queued.id}/link", data={"team_id": team_id, "csrf_token": auth.csrf("/admin/")}
    )
    assert answer.status_code == status
    db.session.refresh(queued)
    assert queued.resolved_at is None


def test_review_actions_on_unknown_or_resolved_names_are_404(admin, auth, queued):
    token = auth.csrf("/admin/")
    assert admin.post("/admin/aliases/999999/create", data={"csrf_token": token}).status_code == 404
    admin.post(f"/admin/aliases/{queued.id}/create", data={"csrf_token": token})
    assert admin.post(f"/admin/aliases/{queued.id}/create", data={"csrf_token": token}).status_code == 404


def test_review_needs_an_admin_and_a_csrf_token(client, auth, make_user, queued):
    assert client.get("/admin/aliases").status_code == 302
    make_user()
    auth.login("fan@example.com", "correct horse battery")
    assert client.get("/admin/aliases").status_code == 403
    assert client.post(f"/admin/aliases/{queued.id}/create", data={"csrf_token": auth.csrf("/")}).status_code == 403


def test_review_without_csrf_token_is_refused(admin, queued):
    assert admin.post(f"/admin/aliases/{queued.id}/create").status_code == 400
    db.session.refresh(queued)
    assert queued.resolved_at is None


def test_the_demo_world_gives_every_team_a_short_name_that_fits_a_list_row(app):
    teams = db.session.scalars(select(Team)).all()
    assert teams and all(t.short_name and len(t.short_name) <= 11 for t in teams)  # 11 fit a row at 360 px
    by_name = {t.name: t.short for t in teams}
    assert by_name["Manchester United"] == "Man Utd" and by_name["Arsenal"] == "Arsenal"


def test_a_team_without_a_short_name_takes_the_one_a_second_provider_knows(app):
    match = an_upcoming_match()
    home = db.session.get(Team, match.home_team_id)
    home.short_name = None  # as a team first met through API-Football, which has none
    fixture = demo_fixture(match)
    upsert_fixtures("football-data", False, [replace(fixture, home=replace(fixture.home, short_name="Home FC"))])
    db.session.commit()
    assert db.session.get(Team, match.home_team_id).short_name == "Home FC"
    other = replace(fixture, external_id="fd-2", home=TeamRef("fd-h2", home.name, "Other"))
    upsert_fixtures("football-data-2", False, [other])
    db.session.commit()
    assert db.session.get(Team, match.home_team_id).short_name == "Home FC"  # one it has is kept
