"""A visitor's browser beacons its web vitals, and the admin's health page shows them and refreshes its panels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import running, seeded_app, sign_in

pytestmark = pytest.mark.browser

ADMIN = ("boss@example.com", "a long enough secret")


@pytest.fixture(scope="module")
def sampled_server(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[str]:
    """Every page view measured (VITALS_SAMPLE_RATE 1), with an administrator, on a database of its own."""
    from app.accounts.services import create_user
    from app.extensions import db

    def admin() -> None:
        create_user(*ADMIN, admin=True)
        db.session.commit()

    path = tmp_path_factory.mktemp("health-live") / "live.db"
    with running(seeded_app(path, clock, admin, overrides={"VITALS_SAMPLE_RATE": 1.0})) as url:
        yield url


def test_a_page_beacons_its_vitals_and_the_health_page_shows_them(sampled_server, page_in):
    visitor = page_in("UTC", width=1280)
    visitor.goto(sampled_server + "/")
    visitor.wait_for_function("typeof webVitals === 'object'")  # the sampled page loaded the library
    with visitor.expect_request(lambda r: r.url.endswith("/vitals")) as first:
        visitor.locator("footer").click()  # an input: LCP is final and reported, and INP has an interaction
    assert first.value.post_data_json["name"] == "LCP" and first.value.post_data_json["page"] == "matches"
    assert set(first.value.post_data_json) == {"name", "value", "page"}  # nothing else: no URL, no id
    assert visitor.errors == []
    visitor.close()  # the page is hidden as it goes: CLS and INP are beaconed then

    admin = page_in("UTC", width=1280)
    sign_in(admin, sampled_server, *ADMIN)
    for _ in range(40):  # the closing page's beacons arrive on their own time
        admin.goto(sampled_server + "/admin/health")
        cells = admin.locator("#health-vitals tr", has_text="matches").locator("td").all_inner_texts()
        if len(cells) == 5 and "–" not in cells[3]:
            break
        admin.wait_for_timeout(250)
    page_type, lcp, _inp, cls, samples = cells  # INP only when the click took long enough to count
    assert page_type == "matches" and lcp.split()[1] == "ms" and cls[0].isdigit() and int(samples) >= 2
    assert any(word in lcp for word in ("OK", "Warning", "Bad"))  # marked against Google's threshold, in words
    assert admin.errors == []


def test_the_panels_refresh_themselves(sampled_server, page_in):
    admin = page_in("UTC", width=360)
    sign_in(admin, sampled_server, *ADMIN)
    admin.goto(sampled_server + "/admin/health")
    admin.evaluate("document.getElementById('health-panels').dataset.drawn = 'first'")
    with admin.expect_response(lambda r: r.url.endswith("/admin/health/panels"), timeout=40_000) as polled:
        pass
    assert polled.value.status == 200
    # The old block was swapped out for the new one, which lacks the mark set on the first.
    admin.wait_for_selector("#health-panels:not([data-drawn])", timeout=10_000)
    assert admin.locator("#health-requests").count() == 1
    assert admin.evaluate("document.documentElement.scrollWidth") <= 360  # tables scroll inside their panels
    assert admin.errors == []
