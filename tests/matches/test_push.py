"""What a committed change pushes: only what changed, once per odds format, never a local time."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app import create_app
from app.extensions import cache, db
from app.football import services as match_services
from app.football.models import Match
from app.live import parts
from app.live import service as live
from app.matches import push
from app.odds import fragments as odds_fragments
from app.odds.jobs import refresh_odds
from app.refresh import watching
from app.storage import cache_keys
from tests.conftest import IN_PROCESS, controls
from tests.factories import make_match


def pushed_parts(messages: list[str]) -> dict[str, str]:
    """{id: outer HTML} of every part in HTML messages (JSON controls left out)."""
    found = {}
    for message in messages:
        if message.startswith("{"):
            continue
        for html in re.findall(r"<template>(.*?)</template>", message, re.S):
            found[re.search(r'\sid="([^"]+)"', html).group(1)] = html
    return found


def upcoming() -> Match:
    return db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()


def until_prices_move(clock, match: Match) -> None:
    league = match.competition.key
    before = odds_fragments.centre.match_odds(match.id, clock())
    for _ in range(15):
        clock.advance(minutes=2)
        refresh_odds(league)
        if odds_fragments.centre.match_odds(match.id, clock()) != before:
            return
    raise AssertionError("the demo world never moved this match's prices")


def test_a_watched_match_gets_only_its_changed_board_parts_in_each_format(app, listen, clock):
    match = upcoming()
    watching.seen(match.id)
    decimal = listen([f"match:{match.id}"], "decimal")
    fractional = listen([f"match:{match.id}"], "fractional")
    push.announce([match.id])  # what the publisher knows from here on
    everything = pushed_parts(decimal.drain())
    fractional.drain()
    assert any(i.startswith(f"odds-row-{match.id}-") for i in everything)

    until_prices_move(clock, match)
    changed = pushed_parts(decimal.drain())
    assert changed and len(changed) < len(everything)
    cache.delete(cache_keys.board_key(match.id, "decimal"))
    with app.test_request_context("/"):
        now = parts.parts(str(odds_fragments.board(match_services.match_card(match.id))))
    for ident, html in changed.items():
        if ident in now:
            assert html == now[ident][1]  # each pushed part is the part as the board now shows it
    in_fractions = pushed_parts(fractional.drain())
    cells = [
        re.search(r'class="bet-link"[^>]*>([^<]*)</a>', h).group(1)  # the price (a moved one has its arrow after it)
        for i, h in in_fractions.items()
        if re.fullmatch(rf"odds-row-{match.id}-.*-\d", i) and "na" not in h.split(">")[0]
    ]
    assert cells and all(re.fullmatch(r"\d+/\d+", c) for c in cells)


def test_an_unwatched_match_pushes_its_rows_but_no_board(app, listen, clock):
    match = upcoming()
    day = match.kickoff_at.date()
    board = listen([f"match:{match.id}"])
    rows = listen([f"matches:{day}", f"matches:{day + timedelta(days=1)}", f"league:{match.competition.key}"])
    push.announce([match.id])
    assert not any(i.startswith("odds-") for i in pushed_parts(board.drain()))
    row_parts = pushed_parts(rows.drain())
    assert f"matches-best-{match.id}" in row_parts and f"matches-score-{match.id}" in row_parts
    assert f"matches-when-{match.id}" not in row_parts  # a kickoff time is local: never pushed


def test_nothing_changed_pushes_nothing(app, listen):
    match = upcoming()
    watching.seen(match.id)
    listener = listen([f"match:{match.id}", f"matches:{match.kickoff_at.date()}"])
    push.announce([match.id])
    assert listener.drain()
    push.announce([match.id])
    assert listener.drain() == []


def test_a_kickoff_tells_pages_to_fetch_the_header_and_the_list_themselves(app, listen, clock):
    match = make_match(clock() + timedelta(minutes=5))
    db.session.commit()
    day = match.kickoff_at.date()
    listener = listen([f"match:{match.id}", f"matches:{day}"])
    push.announce([match.id])
    listener.drain()
    match.status, match.minute, match.home_score, match.away_score = "live", 1, 0, 0
    db.session.commit()
    cache_keys.changed(matches=[match.id])  # as the job does after its commit
    push.announce([match.id])
    messages = listener.drain()
    refetched = {i for c in controls(messages) for i in c.get("refetch", [])}
    assert {f"matches-header-{match.id}", "matches-list"} <= refetched
    assert f"matches-score-{match.id}" in pushed_parts(messages)  # the score is not local: pushed too


def test_a_league_change_refetches_the_league_page_body(app, listen):
    listener = listen(["league:epl"])
    push.announce(league_keys=["epl"])
    assert {"refetch": ["league-body-epl"]} in controls(listener.drain())


def test_a_failed_publish_is_reported_and_never_raised(tmp_path):
    """Redis refusing the publish: the commit is already safe, so the job must not fail for it."""
    broken = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "SCHEDULER": "off",
            **IN_PROCESS,
            "REDIS_URL": "redis://127.0.0.1:9/0",
        }
    )
    with broken.app_context():
        assert live.publish("match:1", {"": "<template><i id='x'></i></template>"}) is False


def socket_url(page: str) -> tuple[str, dict[str, list[str]]]:
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    url = urlsplit(unescape(re.search(r'ws-connect="([^"]+)"', page).group(1)))
    where = f"{url.scheme}://{url.netloc}{url.path}" if url.scheme else url.path
    return where, parse_qs(url.query)


def test_each_page_opens_a_same_site_socket_for_the_topics_it_shows(app, client, clock):
    match = upcoming()
    path, query = socket_url(client.get(f"/matches/{match.id}").get_data(as_text=True))
    assert path == "/live"  # a path: the page makes it ws:// or wss:// as it was served itself
    assert query["topics"] == [f"match:{match.id}"] and float(query["since"][0]) > 0
    _, query = socket_url(client.get("/leagues/epl").get_data(as_text=True))
    assert query["topics"] == ["league:epl"]
    _, query = socket_url(client.get("/?day=2026-11-23").get_data(as_text=True))
    assert query["topics"] == ["matches:2026-11-21,matches:2026-11-23"]  # the chosen day, and today's live ones


def test_a_signed_in_page_adds_its_users_own_topic_and_live_url_points_elsewhere(app, client, auth, make_user):
    user = make_user()
    auth.login("fan@example.com", "correct horse battery")
    app.config["LIVE_URL"] = "wss://live.example.com/live"
    try:
        path, query = socket_url(client.get("/").get_data(as_text=True))
    finally:
        app.config["LIVE_URL"] = ""
    assert path == "wss://live.example.com/live"
    assert query["topics"][0].split(",")[-1] == f"user:{user.id}"


def test_a_list_on_every_day_a_row_may_fall_on_gets_each_part_once(app, listen, clock):
    """`/` shows three days and a match is published on the three it may fall on: one message, not three."""
    match = make_match(clock() + timedelta(minutes=5))
    db.session.commit()
    day = match.kickoff_at.date()
    days = [f"matches:{day + timedelta(days=d)}" for d in (-1, 0, 1)]
    listener = listen([*days, f"league:{match.competition.key}"])
    push.announce([match.id])
    messages = listener.drain()
    ids = [i for m in messages if not m.startswith("{") for i in re.findall(r'<template><\w+[^>]*\sid="([^"]+)"', m)]
    assert f"matches-best-{match.id}" in ids and f"matches-score-{match.id}" in ids
    assert sorted(ids) == sorted(set(ids)), messages  # each part once

    match.status, match.minute, match.home_score, match.away_score = "live", 1, 0, 0
    db.session.commit()
    cache_keys.changed(matches=[match.id])
    push.announce([match.id])
    refetched = [i for c in controls(listener.drain()) for i in c.get("refetch", [])]
    assert sorted(refetched) == sorted({"matches-list", f"league-body-{match.competition.key}"})  # each once
