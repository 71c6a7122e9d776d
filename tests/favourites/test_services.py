"""A user's follows for their data download, and forgotten with their account."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.favourites import services
from tests.conftest import NOW
from tests.factories import make_match
from tests.favourites.conftest import follows


def test_export_names_each_follow_and_delete_forgets_only_that_users(make_user):
    game = make_match(NOW + timedelta(days=1), home="Exported FC", away="Downloaded Utd")
    fan, other = make_user("fan@example.com"), make_user("other@example.com")
    services.follow(fan.id, "match", game.id)
    services.follow(fan.id, "team", game.home_team_id)
    services.follow(fan.id, "league", game.competition_id)
    services.follow(other.id, "match", game.id)
    db.session.commit()

    exported = services.export_user(fan.id)["follows"]
    assert [(f["kind"], f["id"], f["name"]) for f in exported] == [
        ("match", game.id, "Exported FC v Downloaded Utd"),
        ("team", game.home_team_id, "Exported FC"),
        ("league", game.competition_id, "Test League"),
    ]
    assert all(f["followed_at"] for f in exported)
    assert services.export_user(12345678) == {"follows": []}

    services.delete_user_data(fan.id)
    db.session.commit()
    assert services.export_user(fan.id) == {"follows": []}
    assert follows(other.id) == {("match", game.id)}


def test_following_twice_in_one_transaction_is_one_row(make_user):
    fan = make_user()
    game = make_match(NOW + timedelta(days=1))
    services.follow(fan.id, "match", game.id)
    services.follow(fan.id, "match", game.id)
    db.session.commit()
    assert follows(fan.id) == {("match", game.id)}


def test_the_data_download_and_account_deletion_carry_the_follows(client, make_user):
    from tests.accounts.conftest import PASSWORD, form_post, sign_in

    game = make_match(NOW + timedelta(days=1), home="Downloaded FC")
    fan = make_user("leaving.fan@example.com", PASSWORD)
    services.follow(fan.id, "team", game.home_team_id)
    db.session.commit()
    sign_in(client, "leaving.fan@example.com")
    data = client.get("/account/data.json").get_json(force=True)
    assert [(f["kind"], f["name"]) for f in data["favourites"]["follows"]] == [("team", "Downloaded FC")]

    assert form_post(client, "/account/delete", {"current": PASSWORD}).status_code == 303
    assert services.export_user(fan.id) == {"follows": []}
