"""A signed-in fan, and what they follow, as the pages show it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.favourites.models import Follow
from tests.conftest import csrf_token_from


class Fan:
    """A signed-in user and their actions: following and unfollowing as the star's plain form posts."""

    def __init__(self, client, user) -> None:
        self.client = client
        self.user = user

    def token(self) -> str:
        """The token of the fan's session, from a small page that carries it (any signed-in page does)."""
        return csrf_token_from(self.client.get("/settings/odds-format").get_data(as_text=True))

    def follow(self, kind: str, target_id: int, back: str = "/", **headers):
        data = {"csrf_token": self.token(), "next": back}
        return self.client.post(f"/follows/{kind}/{target_id}", data=data, headers=headers)

    def unfollow(self, kind: str, target_id: int, back: str = "/", **headers):
        data = {"csrf_token": self.token(), "next": back}
        return self.client.post(f"/follows/{kind}/{target_id}/delete", data=data, headers=headers)


@pytest.fixture
def fan(client, auth, make_user) -> Fan:
    user = make_user("fan@example.com")
    assert auth.login("fan@example.com", "correct horse battery").status_code == 303
    return Fan(client, user)


def follows(user_id: int | None = None) -> set[tuple[str, int]]:
    """What is followed (by this user), straight from the table."""
    query = select(Follow.kind, Follow.target_id)
    if user_id is not None:
        query = query.where(Follow.user_id == user_id)
    return {(kind, target_id) for kind, target_id in db.session.execute(query)}


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="matches-row-(\d+)"', html)]


def star(html: str, kind: str, target_id: int) -> str:
    """The outer HTML of one star on a page."""
    found = re.search(rf'<(form|a) class="star[^"]*" id="favourites-star-{kind}-{target_id}".*?</\1>', html, re.S)
    assert found, f"no star for {kind} {target_id}"
    return found.group(0)
