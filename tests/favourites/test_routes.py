"""Following and unfollowing teams, leagues and matches with the star, as a signed-in fan and as a visitor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.football.models import Competition, Match
from tests.favourites.conftest import follows, row_ids, star


def a_match() -> Match:
    return db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()


def targets() -> dict[str, int]:
    match = a_match()
    return {"team": match.home_team_id, "league": match.competition_id, "match": match.id}


@pytest.mark.parametrize("kind", ["team", "league", "match"])
def test_a_fan_follows_and_unfollows_each_kind_and_returns_to_the_page(fan, kind):
    target = targets()[kind]
    back = f"/matches/{a_match().id}"
    answer = fan.follow(kind, target, back=back)
    assert answer.status_code == 303 and answer.headers["Location"] == back
    assert follows(fan.user.id) == {(kind, target)}
    answer = fan.unfollow(kind, target, back=back)
    assert answer.status_code == 303 and answer.headers["Location"] == back
    assert follows(fan.user.id) == set()


def test_following_twice_is_one_follow_and_unfollowing_what_is_not_followed_changes_nothing(fan):
    match = a_match()
    assert fan.follow("match", match.id).status_code == 303
    assert fan.follow("match", match.id).status_code == 303
    assert follows() == {("match", match.id)}
    assert fan.unfollow("team", match.home_team_id).status_code == 303
    assert follows() == {("match", match.id)}


def test_the_match_page_has_a_star_for_the_match_and_each_team_that_swaps_itself(fan):
    match = a_match()
    page = fan.client.get(f"/matches/{match.id}").get_data(as_text=True)
    for kind, target in (("match", match.id), ("team", match.home_team_id), ("team", match.away_team_id)):
        assert 'aria-pressed="false"' in star(page, kind, target)
    swapped = fan.follow("team", match.home_team_id, back=f"/matches/{match.id}", HX_Request="true")
    assert swapped.status_code == 200 and "HX-Request" in swapped.headers["Vary"]
    html = swapped.get_data(as_text=True)
    assert html.strip().startswith('<form class="star on" id="favourites-star-team-')
    assert f'action="/follows/team/{match.home_team_id}/delete"' in html and 'aria-pressed="true"' in html
    page = fan.client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert 'aria-pressed="true"' in star(page, "team", match.home_team_id)
    assert 'aria-pressed="false"' in star(page, "team", match.away_team_id)


def test_the_league_page_has_the_leagues_star(fan):
    league = db.session.scalars(select(Competition).order_by(Competition.position)).first()
    fan.follow("league", league.id)
    page = fan.client.get(f"/leagues/{league.key}").get_data(as_text=True)
    assert 'aria-pressed="true"' in star(page, "league", league.id)


@pytest.mark.parametrize(
    ("path", "status"), [("/follows/club/1", 400), ("/follows/team/999999", 404), ("/follows/match/0", 404)]
)
def test_a_bad_kind_is_a_400_and_an_unknown_id_a_404_and_nothing_is_written(fan, path, status):
    assert fan.client.post(path, data={"csrf_token": fan.token()}).status_code == status
    assert fan.client.post(f"{path}/delete", data={"csrf_token": fan.token()}).status_code == status
    assert follows() == set()


def test_an_id_past_what_a_url_may_name_is_refused_without_a_server_error(fan):
    # Werkzeug answers 405 where the same path has a GET rule (the page), 404 elsewhere: a refusal either way.
    assert fan.client.post("/follows/league/2147483648", data={"csrf_token": fan.token()}).status_code in (404, 405)
    assert fan.client.post("/follows/league/2147483648/delete", data={"csrf_token": fan.token()}).status_code == 404
    assert follows() == set()


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(fan):
    answer = fan.client.post(f"/follows/match/{a_match().id}", data={"next": "/"})
    assert answer.status_code == 400
    assert follows() == set()


def test_a_visitor_is_sent_to_sign_in_and_back_to_the_page(client):
    match = a_match()
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert f'href="/login?next=/matches/{match.id}"' in star(page, "match", match.id)
    answer = client.post(f"/follows/match/{match.id}", data={"next": f"/matches/{match.id}"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/login?next=/matches/{match.id}"
    over_htmx = client.post(
        f"/follows/match/{match.id}",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/?day=2026-11-22"},
    )
    assert over_htmx.headers["HX-Redirect"] == "/login?next=/?day%3D2026-11-22"
    assert follows() == set()


def test_signing_in_from_a_star_comes_back_to_the_page(client, auth, make_user):
    make_user("fan@example.com")
    token = auth.csrf(f"/login?next=/matches/{a_match().id}")
    answer = client.post(
        f"/login?next=/matches/{a_match().id}",
        data={"email": "fan@example.com", "password": "correct horse battery", "csrf_token": token},
    )
    assert answer.headers["Location"] == f"/matches/{a_match().id}"


def test_next_only_goes_to_this_site(fan):
    answer = fan.follow("match", a_match().id, back="https://evil.example/")
    assert answer.headers["Location"] == "/"


def test_each_fan_changes_only_their_own_follows(fan, client, auth, make_user):
    match = a_match()
    fan.follow("match", match.id)
    auth.logout()
    other = make_user("other@example.com")
    auth.login("other@example.com", "correct horse battery")
    fan.unfollow("match", match.id)  # the same client, now signed in as the other user
    fan.follow("team", match.away_team_id)
    assert follows(fan.user.id) == {("match", match.id)}
    assert follows(other.id) == {("team", match.away_team_id)}
    assert match.id in row_ids(client.get("/my").get_data(as_text=True))  # theirs by its away team
    assert "<template>" not in client.get("/follows/marks").get_data(as_text=True)  # not the first fan's match


def test_list_rows_carry_the_same_neutral_star_for_everyone_and_marks_give_the_fans_own(fan, client):
    match = a_match()
    fan.follow("match", match.id)
    listing = client.get(f"/?day={match.kickoff_at.date()}").get_data(as_text=True)
    row_star = star(listing, "match", match.id)
    assert row_star.startswith("<a ") and f'hx-post="/follows/match/{match.id}"' in row_star
    assert 'hx-get="/follows/marks"' in listing
    marks = client.get("/follows/marks", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'aria-pressed="true"' in star(marks, "match", match.id)
    assert marks.count("<template>") == 1


def test_marks_are_nothing_for_a_visitor(client):
    answer = client.get("/follows/marks")
    assert answer.status_code == 204 and answer.get_data() == b""


def test_a_rows_star_without_javascript_opens_the_follows_page_after_sign_in(client, fan):
    match = a_match()
    page = fan.client.get(f"/follows/match/{match.id}").get_data(as_text=True)
    assert f"{match.home_team.name} v {match.away_team.name}" in page
    assert f'action="/follows/match/{match.id}"' in star(page, "match", match.id)
    fan.client.post("/accounts/logout", data={"csrf_token": fan.token()})
    answer = client.get(f"/follows/match/{match.id}")
    assert answer.status_code == 302 and "/login?next=" in answer.headers["Location"]


def test_the_home_page_offers_my_matches_once_the_fan_follows_something(fan, client):
    assert "My matches</a>\n</nav>" not in client.get("/").get_data(as_text=True)
    assert 'class="tabs"' not in client.get("/").get_data(as_text=True)
    fan.follow("match", a_match().id)
    home = client.get("/").get_data(as_text=True)
    assert '<nav class="tabs"' in home and 'href="/my"' in home
    assert 'class="tabs"' not in client.get("/?day=2026-11-22", headers={"HX-Request": "true"}).get_data(as_text=True)
