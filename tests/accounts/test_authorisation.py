"""User B, signed in, walks every route of the app with user A's ids and never sees or changes A's data.

Generic: the routes come from the URL map, A's ids from the features' registrations (tests/owned_ids.py), so a
feature's routes are walked as soon as it is merged."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from tests.accounts.conftest import PASSWORD, sign_in, signed_in
from tests.conftest import csrf_token_from
from tests.owned_ids import PUBLIC, load_all

A, B = "owner.a@example.com", "visitor.b@example.com"
# Not pages: static files, the service worker, the websocket (it needs an upgrade), rq-dashboard's mount.
SKIP = {"static", "site.service_worker", "live.socket"}
GENERIC = {"provider": "google", "token": "x", "key": "epl", "periodic_id": "odds"}


def _rules(app) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIP and not rule.endpoint.startswith("rq_dashboard")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]


def _values(app, rule: Rule, owner_id: int) -> tuple[dict[str, object], bool]:
    """The URL's arguments with A's ids plugged in, and whether any of them names something of A's."""
    owned, values = load_all(), {}
    for name, converter in rule._converters.items():
        if name in owned:
            values[name] = owned[name](app, owner_id)
        elif isinstance(converter, IntegerConverter):
            assert name in PUBLIC, f"{rule.rule}: register who owns <{name}> in tests/owned_ids.py, or list it public"
            values[name] = 1
        else:
            values[name] = GENERIC.get(name, "x")
    return values, any(name in owned for name in values)


@pytest.fixture
def relaxed_limits(app, monkeypatch):
    for key in ("RATELIMIT_LOGIN", "RATELIMIT_ACCOUNT", "RATELIMIT_USER"):
        monkeypatch.setitem(app.config, key, "10000 per minute")


def test_user_b_never_gets_user_a_data_from_any_route(app, browser, make_user, relaxed_limits):
    owner = make_user(A, PASSWORD)
    make_user(B, PASSWORD)
    a_browser = browser()
    sign_in(a_browser, A)
    walked = []
    b = browser()
    for rule, method in _rules(app):
        values, names_a = _values(app, rule, owner.id)
        with app.test_request_context():
            url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
        if not signed_in(b):  # a POST before (sign out, sign out everywhere) ended B's session
            b = browser()
            assert sign_in(b, B).status_code == 303
        if method == "GET":
            answer = b.get(url)
        else:
            token = csrf_token_from(b.get("/account").get_data(as_text=True))
            answer = b.post(url, data={"csrf_token": token, "email": A})
        body = answer.get_data(as_text=True)
        walked.append(rule.endpoint)
        assert answer.status_code < 500, (method, url, answer.status_code)
        if names_a:
            assert answer.status_code in (403, 404), (method, url, answer.status_code)
        assert A not in body, (method, url)
    assert {"account.show", "account.data", "account.delete", "account.change_password"} <= set(walked)
    # A is untouched: still signed in, same password.
    assert signed_in(a_browser)
    assert sign_in(browser(), A).status_code == 303
