"""Alias review under hostile input: a team id that is not one is a 400 that changes nothing, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.football.models import Team, UnresolvedTeam
from tests.admin.conftest import token


@pytest.fixture
def waiting(app) -> UnresolvedTeam:
    row = UnresolvedTeam(provider="api-football", external_id="af-hostile", name="Arsenal Ladies")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize(
    "team_id",
    [
        "²",  # str.isdigit() says yes, int() says no
        "١",  # an Arabic-Indic one: int() reads it as 1, a team the admin never chose
        "1" * 5000,  # past int()'s 4,300 digits
        "1\x00",
        " 1",
        "+1",
        "0",
        "1.0",
        "1e3",
        "2147483648",
        "x" * 10_000,
    ],
)
def test_a_team_id_that_is_not_one_is_400_and_links_nothing(as_admin, waiting, team_id):
    assert db.session.scalar(select(Team.id).where(Team.id == 1)) == 1  # so the Arabic-Indic one read as 1 would link
    answer = as_admin.post(
        f"/admin/aliases/{waiting.id}/link", data={"team_id": team_id, "csrf_token": token(as_admin)}
    )
    assert answer.status_code == 400 and "Choose one of the suggested teams." in answer.get_data(as_text=True)
    db.session.refresh(waiting)
    assert waiting.resolved_at is None and waiting.team_id is None


@pytest.mark.parametrize(
    "path", ["/admin/aliases/2147483648/link", "/admin/aliases/0/create", "/admin/aliases/-1/link"]
)
def test_a_review_of_no_such_name_is_404(as_admin, waiting, path):
    assert as_admin.post(path, data={"team_id": "1", "csrf_token": token(as_admin)}).status_code == 404
