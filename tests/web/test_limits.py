"""One budget per visitor: every request an address makes, whatever the route, counts against RATELIMIT_APPLICATION;
static files, the service worker and health checks do not."""

from __future__ import annotations

from app import config
from tests.web.conftest import BUDGET

PAGES = ["/", "/leagues/epl", "/model", "/accounts/login", "/settings/odds-format"]
# The live socket is not counted either (tests/live/test_socket.py): a plain GET of /live is no socket, and counts.
NOT_VISITS = ["/static/app.css", "/manifest.webmanifest", "/sw.js", "/offline", "/healthz", "/readyz"]


def test_the_site_wide_limit_comes_from_ratelimit_default():
    assert config.load({})["RATELIMIT_APPLICATION"] == "200 per minute;2000 per hour"
    assert config.load({"RATELIMIT_DEFAULT": "50 per minute"})["RATELIMIT_APPLICATION"] == "50 per minute"


def test_requests_spread_over_routes_share_one_budget(client, budget):
    spread = [client.get(PAGES[i % len(PAGES)]).status_code for i in range(BUDGET)]
    assert spread == [200] * BUDGET  # no page was asked for more than twice
    assert [client.get(page).status_code for page in PAGES] == [429] * len(PAGES)


def test_the_budget_is_per_address(client, budget):
    for _ in range(BUDGET):
        client.get("/accounts/login")
    assert client.get("/").status_code == 429
    assert client.get("/", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_urls_that_match_no_route_count_too(client, budget):
    assert [client.get(f"/no-such-page-{i}").status_code for i in range(BUDGET)] == [404] * BUDGET
    assert client.get("/").status_code == 429


def test_static_files_health_checks_and_the_socket_are_not_counted(client, budget):
    for _ in range(2):
        for path in NOT_VISITS:
            with client.get(path) as answer:
                assert answer.status_code != 429, path
    assert [client.get(PAGES[i % len(PAGES)]).status_code for i in range(BUDGET)] == [200] * BUDGET
    assert client.get("/").status_code == 429
    for path in NOT_VISITS:  # and they still answer once the budget is spent
        with client.get(path) as answer:
            assert answer.status_code != 429, path


def spend(client, budget: int = BUDGET) -> None:
    for _ in range(budget):
        assert client.get("/accounts/login").status_code == 200


def test_past_the_budget_a_page_says_how_long_to_wait_and_retry_after_says_the_same(client, budget):
    spend(client)
    answer = client.get("/")
    assert answer.status_code == 429
    wait = int(answer.headers["Retry-After"])
    assert 0 < wait <= 61  # the minute's window opened with the first request
    html = answer.get_data(as_text=True)
    assert "<html" in html and "Too many requests from your address" in html
    assert f"at most {BUDGET} per minute. Please wait {wait} seconds and try again." in html


def test_over_htmx_the_answer_is_the_short_fragment_with_retry_after(htmx, budget):
    spend(htmx)
    answer = htmx.get("/leagues/epl")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    html = answer.get_data(as_text=True)
    assert "<html" not in html and "Too many requests from your address" in html


def test_pages_under_the_budget_carry_no_rate_limit_headers(client, budget):
    answer = client.get("/")
    assert answer.status_code == 200
    assert not [name for name, _ in answer.headers if name.lower().startswith(("x-ratelimit", "retry-after"))]


def test_too_many_sign_in_attempts_get_the_same_page(auth):
    token = auth.csrf()
    for _ in range(5):  # RATELIMIT_LOGIN and RATELIMIT_ACCOUNT: 5 a minute
        auth.client.post("/accounts/login", data={"email": "x@example.com", "password": "nope", "csrf_token": token})
    answer = auth.client.post("/accounts/login", data={"email": "x@example.com", "password": "n", "csrf_token": token})
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    assert "at most 5 per minute" in answer.get_data(as_text=True)
