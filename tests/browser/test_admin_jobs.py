"""An admin on a phone runs a job from the jobs panel and watches its outcome arrive, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import serving_with_user, sign_in

pytestmark = pytest.mark.browser

ADMIN = ("boss@example.com", "a long enough secret")


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[str]:
    """Like the shared live server, with an administrator (its database is its own, so the runs are too)."""
    with serving_with_user(tmp_path_factory, clock, *ADMIN, admin=True) as url:
        yield url


def test_admin_runs_a_job_now_and_sees_it_finish_on_a_phone(admin_server, page_in):
    page = page_in("UTC", width=360)
    sign_in(page, admin_server, *ADMIN)
    page.goto(admin_server + "/admin/jobs")
    assert page.locator("th.job-id").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the rows stack: nothing sideways
    slot = "#admin-job-standings-epl-result"
    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/admin/jobs/runs/" in r.url else None)
    with page.expect_response(lambda r: r.url.endswith("/admin/jobs/standings:epl/run")) as posted:
        page.get_by_role("button", name="Run now standings:epl").click()
    assert posted.value.status == 200
    page.wait_for_selector(f"{slot} .run")  # the fragment arrived in the row's slot, in place
    assert page.url.endswith("/admin/jobs")
    # It asks for itself each second until the run has finished, then stops.
    finished = page.wait_for_selector(f"{slot} .run:not([hx-get])", timeout=30_000)
    assert finished.query_selector(".state").inner_text() == "ok", finished.inner_text()
    assert "rows written" in finished.inner_text()
    if "hx-get" in posted.value.text():  # it was not over before the first answer: it asked again
        assert polls and set(polls) == {200}, polls
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []
