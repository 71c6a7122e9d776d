"""A user's bets go with their data download and with their deleted account (accounts' exporting and deleting)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.bets.models import Bet
from app.extensions import db
from tests.accounts.conftest import PASSWORD, form_post, sign_in
from tests.bets.owned import a_bet


def test_the_data_download_and_account_deletion_carry_the_bets(app, client, make_user):
    fan, other = make_user("leaving.bettor@example.com", PASSWORD), make_user("staying@example.com", PASSWORD)
    mine, theirs = a_bet(app, fan.id), a_bet(app, other.id)
    sign_in(client, "leaving.bettor@example.com")
    data = client.get("/account/data.json").get_json(force=True)
    assert [b["id"] for b in data["bets"]["bets"]] == [mine]

    assert form_post(client, "/account/delete", {"current": PASSWORD}).status_code == 303
    remaining = db.session.scalars(select(Bet.id).execution_options(populate_existing=True)).all()
    assert remaining == [theirs]
    assert db.session.scalar(select(func.count()).select_from(Bet).where(Bet.user_id == fan.id)) == 0
