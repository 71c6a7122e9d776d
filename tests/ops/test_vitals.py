"""POST /vitals: a sampled page's browser beacons LCP, CLS and INP with the kind of page; only exactly that is kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import config
from app.ops import metrics, vitals
from tests.ops.conftest import make_app

HOUR = timedelta(hours=1)
SITE = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def browser(store_app: Flask) -> FlaskClient:
    """A page's browser beaconing to an app on one of the two stores (emptied first), its beacon budget lifted."""
    store_app.config["RATELIMIT_VITALS"] = "1000 per minute"
    return store_app.test_client()


def send(client: FlaskClient, body: object, headers: dict[str, str] | None = None, content_type: str = "text/plain"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/vitals", data=data, content_type=content_type, headers=SITE if headers is None else headers)


def kept() -> float:
    """How many measurements the store holds (every metric and page)."""
    return sum(metrics.totals("vitals", HOUR).values())


def test_each_metric_is_recorded_by_metric_and_page(browser: FlaskClient) -> None:
    assert send(browser, {"name": "LCP", "value": 1800.4, "page": "match"}).status_code == 204
    assert send(browser, {"name": "LCP", "value": 2600, "page": "matches"}).status_code == 204
    assert send(browser, {"name": "CLS", "value": 0.02, "page": "match"}).status_code == 204
    as_json = send(browser, {"name": "INP", "value": 96, "page": "model"}, content_type="application/json")
    assert as_json.status_code == 204

    assert metrics.totals("vitals", HOUR, by="metric") == {"LCP": 2.0, "CLS": 1.0, "INP": 1.0}
    assert metrics.totals("vitals", HOUR, by="page") == {"match": 2.0, "matches": 1.0, "model": 1.0}
    cls = metrics.quantiles("vitals", HOUR, qs=(0.75,), by="metric")["CLS"]
    assert 0.01 < cls[0.75] <= 0.025  # CLS keeps its own small scale


def test_a_beacon_keeps_nothing_of_the_visitor(browser: FlaskClient) -> None:
    """No cookie is set and nothing but metric, page and value is stored (a URL or id in the body is refused)."""
    answer = send(browser, {"name": "LCP", "value": 900, "page": "league"})
    assert answer.status_code == 204 and "Set-Cookie" not in answer.headers
    refused = send(browser, {"name": "LCP", "value": 900, "page": "league", "url": "/matches/7?email=a@b.c"})
    assert refused.status_code == 400
    assert metrics.totals("vitals", HOUR, by="page") == {"league": 1.0}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elsewhere.example"},
        {"Referer": "https://elsewhere.example/page"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
        {},  # neither Origin nor Referer: no browser's beacon
    ],
)
def test_other_sites_pages_are_refused(browser: FlaskClient, headers: dict[str, str]) -> None:
    assert send(browser, {"name": "LCP", "value": 900, "page": "match"}, headers=headers).status_code == 403
    assert kept() == 0


def test_a_referer_of_this_site_will_do(browser: FlaskClient) -> None:
    answer = send(browser, {"name": "INP", "value": 40, "page": "bets"}, headers={"Referer": "http://localhost/bets"})
    assert answer.status_code == 204 and kept() == 1


BAD_BODIES = [
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"[]",
    b'"LCP"',
    b"null",
    b'{"name": "LCP", "value": 900}',
    b'{"name": "LCP", "page": "match"}',
    b'{"name": "FID", "value": 900, "page": "match"}',
    b'{"name": "lcp", "value": 900, "page": "match"}',
    b'{"name": "LCP", "value": 900, "page": "/matches/7"}',
    b'{"name": "LCP", "value": "900", "page": "match"}',
    b'{"name": "LCP", "value": true, "page": "match"}',
    b'{"name": "LCP", "value": null, "page": "match"}',
    b'{"name": "LCP", "value": [900], "page": "match"}',
    b'{"name": "LCP", "value": NaN, "page": "match"}',
    b'{"name": "LCP", "value": Infinity, "page": "match"}',
    b'{"name": "LCP", "value": 1e400, "page": "match"}',
    b'{"name": "LCP", "value": -1, "page": "match"}',
    b'{"name": "LCP", "value": 120001, "page": "match"}',
    b'{"name": "CLS", "value": 11, "page": "match"}',
    b'{"name": "INP", "value": 60001, "page": "match"}',
    b'{"name": "LCP", "value": ' + b"9" * 200 + b', "page": "match"}',
    b'{"name": "LCP", "value": 900, "page": "match", "page": "match", "user": 1}',
    b'{"name": ["LCP"], "value": 900, "page": "match"}',
    b"[" * 120 + b"]" * 120,
    json.dumps({"name": "LCP", "value": 900, "page": "match", "pad": "x" * 300}).encode(),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_are_refused_and_not_kept(browser: FlaskClient, body: bytes) -> None:
    assert send(browser, body).status_code == 400
    assert kept() == 0


def test_only_a_beacons_media_types(browser: FlaskClient) -> None:
    body = {"name": "LCP", "value": 900, "page": "match"}
    assert send(browser, body, content_type="application/x-www-form-urlencoded").status_code == 400
    assert send(browser, body, content_type="multipart/form-data; boundary=x").status_code == 400
    assert kept() == 0


VALID = st.fixed_dictionaries(
    {
        "name": st.sampled_from(sorted(vitals.LIMITS)),
        "value": st.floats(min_value=0, max_value=10, allow_nan=False),
        "page": st.sampled_from(sorted(vitals.PAGE_TYPES)),
    }
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
HOSTILE = st.one_of(
    st.binary(max_size=400),
    JSONISH.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["name", "value", "page", "url", "id"]), JSONISH, max_size=5).map(
        lambda v: json.dumps(v).encode()
    ),
    VALID.map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=HOSTILE)
def test_hostile_bodies_get_204_or_400_and_only_valid_ones_are_kept(browser: FlaskClient, body: bytes) -> None:
    before = kept()
    answer = send(browser, body)
    valid = vitals.parse(body) is not None
    assert answer.status_code == (204 if valid else 400)
    assert kept() == before + (1 if valid else 0)
    if valid:
        data = json.loads(body)
        assert set(data) == {"name", "value", "page"} and data["page"] in vitals.PAGE_TYPES


def test_beacons_have_a_budget_of_their_own(store_app: Flask) -> None:
    """Out of the site-wide budget (a page sends up to three), within RATELIMIT_VITALS."""
    app = make_app(
        store_app.config["REDIS_URL"],
        RATELIMIT_APPLICATION="1 per minute",
        RATELIMIT_VITALS="3 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    client = app.test_client()
    body = {"name": "LCP", "value": 900, "page": "match"}
    assert [send(client, body).status_code for _ in range(4)] == [204, 204, 204, 429]
    with app.app_context():
        assert kept() == 3  # the refused one is not kept


def test_the_sample_rate_is_a_share() -> None:
    assert config.load({})["VITALS_SAMPLE_RATE"] == 0.1
    assert config.load({"VITALS_SAMPLE_RATE": "1"})["VITALS_SAMPLE_RATE"] == 1.0
    for wrong in ("1.5", "-0.1"):
        with pytest.raises(ValueError, match="VITALS_SAMPLE_RATE"):
            config.load({"VITALS_SAMPLE_RATE": wrong})


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "matches"),
        ("/model", "model"),
        ("/leagues/epl", "league"),
        ("/accounts/login", "account"),
        ("/preferences", "other"),
    ],
)
def test_each_page_names_its_kind_and_loads_the_sampler(client: FlaskClient, path: str, kind: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert f'data-page="{kind}"' in page
    assert 'data-rate="0.1"' in page and 'data-url="/vitals"' in page and "web-vitals-6.2.3.iife.js" in page


def test_a_match_page_is_a_match(client: FlaskClient) -> None:
    from app.extensions import db
    from app.football.models import Match

    match = db.session.query(Match).first()
    assert match is not None
    assert 'data-page="match"' in client.get(f"/matches/{match.id}").get_data(as_text=True)


def test_no_sampling_loads_no_script(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "VITALS_SAMPLE_RATE", 0.0)
    assert "vitals.js" not in client.get("/").get_data(as_text=True)
