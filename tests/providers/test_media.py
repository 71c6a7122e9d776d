"""Crest, logo and emblem URLs read from the recorded payloads: kept when they are the provider's own https images,
ignored (never an error) when missing, malformed or pointing anywhere else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.providers.api_football import APIFootball
from app.providers.football_data import FootballData, parse_match
from app.providers.media import image_url, provider_of
from tests.providers.conftest import ProviderServer, sample

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def recorded(name: str) -> Any:
    return json.loads(sample(name))


def api_football(server: ProviderServer) -> APIFootball:
    return APIFootball("k", base_url=server.url, clock=lambda: NOW)


def football_data(server: ProviderServer) -> FootballData:
    return FootballData("k", base_url=server.url + "/v4", clock=lambda: NOW)


def test_api_football_fixtures_carry_each_teams_logo(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample("api-football/fixtures_league_season_daterange_ft__evelinanilsson.json"))
    fixtures = api_football(server).fixtures("epl", date(2023, 8, 1), date(2023, 8, 31))
    first = fixtures[0]
    assert (first.home.name, first.home.crest_url) == (
        "Bournemouth",
        "https://media-4.api-sports.io/football/teams/35.png",
    )
    assert (first.away.name, first.away.crest_url) == ("Chelsea", "https://media-4.api-sports.io/football/teams/49.png")
    assert all(f.home.crest_url and f.away.crest_url for f in fixtures)


def test_api_football_league_logo_and_standings_logos(server: ProviderServer) -> None:
    server.route("/leagues", body=sample("api-football/leagues__syurchen93.json"))
    server.route("/standings", body=sample("api-football/standings__syurchen93.json"))
    client = api_football(server)
    assert [c.crest_url for c in client.competitions()] == ["https://media.api-sports.io/football/leagues/78.png"]
    rows = client.standings("epl")
    assert rows and all(r.team.crest_url.startswith("https://media") for r in rows if r.team.crest_url)
    assert all(r.team.crest_url for r in rows)


def test_football_data_team_crests_and_competition_emblem(server: ProviderServer) -> None:
    data = recorded("football-data/competitions_PL_standings__taminororo.json")
    server.route("/v4/competitions/PL/standings", body=json.dumps(data).encode())
    rows = football_data(server).standings("epl")
    recorded_crests = {str(row["team"]["id"]): row["team"]["crest"] for row in data["standings"][0]["table"]}
    assert {r.team.external_id: r.team.crest_url for r in rows} == recorded_crests
    assert all(url.startswith("https://crests.football-data.org/") for url in recorded_crests.values())
    season = {**data["season"], "startDate": "2025-08-15", "endDate": "2026-05-24"}
    for code in ("PL", "PD", "SA", "BL1", "FL1"):
        body = {"area": data["area"], **data["competition"], "code": code, "currentSeason": season}
        server.route(f"/v4/competitions/{code}", body=json.dumps(body).encode())
    emblems = {c.crest_url for c in football_data(server).competitions()}
    assert emblems == {data["competition"]["emblem"]} == {"https://crests.football-data.org/PL.png"}


def test_a_crest_on_another_host_is_ignored() -> None:
    """The by-date sample's GD Chaves crest points at Wikimedia: not football-data's, so never fetched."""
    matches = recorded("football-data/matches_by_date__crllnkhoa.json")["matches"]
    chaves = next(m for m in matches if m["homeTeam"]["name"] == "GD Chaves" or m["awayTeam"]["name"] == "GD Chaves")
    record = parse_match(chaves, "ppl")
    team = record.home if record.home.name == "GD Chaves" else record.away
    assert "wikimedia" in (chaves["homeTeam"]["crest"] + chaves["awayTeam"]["crest"])
    assert team.crest_url is None


def test_missing_or_malformed_logos_leave_the_record_whole(server: ProviderServer) -> None:
    data = recorded("api-football/fixtures_league_season_daterange_ft__evelinanilsson.json")
    bad = [None, "", 42, ["x"], {"u": 1}, "http://media.api-sports.io/x.png", "javascript:alert(1)", "//evil/x"]
    for entry, value in zip(data["response"], bad, strict=False):
        entry["teams"]["home"]["logo"] = value
    for entry in data["response"]:
        del entry["teams"]["away"]["logo"]
    server.route("/fixtures", body=json.dumps(data).encode())
    fixtures = api_football(server).fixtures("epl", date(2023, 8, 1), date(2023, 8, 31))
    assert len(fixtures) == len(data["response"])
    assert [f.home.crest_url for f in fixtures[: len(bad)]] == [None] * len(bad)
    assert all(f.away.crest_url is None for f in fixtures)


def test_the_providers_own_hosts_only() -> None:
    assert provider_of("https://media.api-sports.io/football/teams/33.png") == "api-football"
    assert provider_of("https://media-3.api-sports.io/football/teams/33.png") == "api-football"
    assert provider_of("https://crests.football-data.org/57.png") == "football-data"
    for url in (
        "http://crests.football-data.org/57.png",  # not https
        "https://crests.football-data.org:8443/57.png",  # another port
        "https://user:pw@crests.football-data.org/57.png",  # credentials
        "https://crests.football-data.org.evil.example/57.png",  # a suffix
        "https://evilmedia.api-sports.io/x.png",
        "https://127.0.0.1/x.png",
        "https://[::1]/x.png",
        "https://169.254.169.254/latest/meta-data/",
        "https://upload.wikimedia.org/wikipedia/en/0/05/G_D_Chaves.png",
        "https://crests.football-data.org",  # no path
        "https://crests.football-data.org/57.png\n",
        "https://crests.football-data.org/" + "a" * 400,
        "file:///etc/passwd",
    ):
        assert provider_of(url) is None, url


@given(st.one_of(st.text(max_size=120), st.binary(max_size=50), st.integers(), st.none(), st.floats()))
def test_any_value_is_an_image_url_or_none_never_an_error(value: object) -> None:
    url = image_url(value)
    assert url is None or provider_of(url) is not None


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=60))
def test_a_path_cannot_move_the_host(path: str) -> None:
    url = image_url("https://crests.football-data.org/" + path)
    if url is not None:
        from urllib.parse import urlsplit

        assert urlsplit(url).hostname == "crests.football-data.org"
