"""CSV export and import: the same columns both ways, every row checked, nothing imported unless every row is good;
and the privacy hooks the accounts feature calls (export, delete)."""

from __future__ import annotations

import csv
import io
import re

from app.bets import csvio, services
from app.bets.csvio import COLUMNS, IMPORTED
from tests.bets.conftest import ONE_HOME, PASSWORD
from tests.conftest import Auth


def upload(client, bets, content: str | bytes):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/bets/import",
        data={"csrf_token": bets.token(), "file": (io.BytesIO(data), "bets.csv")},
        content_type="multipart/form-data",
    )


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_writes_every_column_and_importing_it_elsewhere_gives_the_same_bets(
    client, bets, bettor, priced_match, make_user
):
    bets.record(priced_match.id, **ONE_HOME)
    bets.record(priced_match.id, choice="ou|2.5|under", bookmaker="=cmd()", price="1.9", stake="5")  # refused
    bets.record(priced_match.id, choice="ou|2.5|under", bookmaker="Local shop", price="1.9", stake="5")
    exported = client.get("/bets/export.csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = rows_of(text)
    assert [(r["market"], r["line"], r["selection"], r["bookmaker"], r["price"], r["stake"]) for r in rows] == [
        ("1x2", "", "home", "Booka", "2.2", "10.00"),
        ("ou", "2.5", "under", "Local shop", "1.9", "5.00"),
    ]

    Auth(client).logout()
    other = make_user("copy@example.com", PASSWORD)
    Auth(client).login("copy@example.com", PASSWORD)
    assert upload(client, bets, text).status_code == 303
    again = rows_of(client.get("/bets/export.csv").get_data(as_text=True))
    assert [{k: r[k] for k in IMPORTED} for r in again] == [{k: r[k] for k in IMPORTED} for r in rows]
    assert [b.bookmaker_id is not None for b in bets.mine(other.id)] == [True, False]


def test_a_file_with_any_bad_row_imports_nothing_and_lists_each_rows_errors(client, bets, bettor, priced_match):
    good = f"2026-11-21T10:00:00+00:00,{priced_match.id},1x2,,home,Booka,2.2,10"
    text = "\n".join(
        [
            ",".join(IMPORTED),
            good,
            f"2026-11-21T10:00:00+00:00,{priced_match.id},ah,0.3,home,Booka,1.01,0",
            "9999-12-31T23:59:59-01:00,999999,btts,,maybe,,x,1e9",
            good,
        ]
    )
    answer = upload(client, bets, text)
    html = re.sub(r"\s+", " ", answer.get_data(as_text=True))
    assert answer.status_code == 400 and "Nothing was imported" in html
    assert "Line 3:" in html and "The line goes in quarters" in html and "The stake must be from 0.01" in html
    assert "Line 4:" in html
    for message in ("There is no match 999999", "Choose a selection: yes, no", "Enter the bookmaker", "Placed at must"):
        assert message in html, message
    assert "Line 5:" in html and "The same bet as on line 2" in html
    assert "Line 2:" not in html
    assert bets.mine(bettor.id) == []


def test_what_a_file_can_be_wrong_about_as_a_whole(client, bets, bettor, clock):
    assert "not UTF-8" in upload(client, bets, b"\xff\xfe\x00bad").get_data(as_text=True)
    assert "lacks the column(s) price, stake" in upload(
        client, bets, "placed_at,match_id,market,line,selection,bookmaker\n"
    ).get_data(as_text=True)
    assert "no bets in it" in upload(client, bets, ",".join(IMPORTED) + "\n").get_data(as_text=True)
    assert "larger than" in " ".join(csvio.read(bettor.id, b"x" * (csvio.MAX_BYTES + 1), clock()).problems)
    # Larger than the app's 64 KB request limit, an import is still read: and refused, having too many rows.
    big = upload(client, bets, ",".join(IMPORTED) + "\n" + "2026-01-01,999999,1x2,,home,Booka,2.0,1\n" * 2100)
    assert big.status_code == 400 and "At most 2,000 bets in one file" in big.get_data(as_text=True)
    listed = re.sub(r"\s+", " ", big.get_data(as_text=True))
    assert "Line 2: <span" in listed and "and 1800 more lines" in listed
    assert client.post("/bets/import", data={"csrf_token": bets.token()}).status_code == 400
    assert bets.mine(bettor.id) == []


def test_importing_bets_on_a_finished_match_settles_them(client, bets, bettor, priced_match, clock):
    priced_match.status, priced_match.home_score, priced_match.away_score = "finished", 0, 0
    kickoff = priced_match.kickoff_at
    clock.now = kickoff.replace(hour=23)
    line = f"{kickoff.replace(hour=kickoff.hour - 1).isoformat()},{priced_match.id},1x2,,draw,Booka,3.3,10"
    assert upload(client, bets, ",".join(IMPORTED) + "\n" + line).status_code == 303
    [bet] = bets.mine(bettor.id)
    assert (bet.result, bet.profit_cents) == ("win", 2300)


def test_the_privacy_hooks_export_and_delete_a_users_bets(bets, bettor, priced_match, make_user):
    bets.record(priced_match.id, **ONE_HOME, remember="on")
    other = make_user("keep@example.com", PASSWORD)
    exported = services.export_user(bettor.id)
    assert [(b["price"], b["stake_cents"], b["bookmaker_name"]) for b in exported["bets"]] == [(2.2, 1000, "Booka")]
    assert isinstance(exported["bets"][0]["placed_at"], str)
    assert exported["settings"] == {"default_stake_cents": 1000}
    assert services.export_user(other.id) == {"bets": [], "settings": {}}
    services.delete_user_data(bettor.id)
    assert services.export_user(bettor.id) == {"bets": [], "settings": {}}
