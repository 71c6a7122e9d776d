"""Whatever a client puts in the follow URLs, the answer is a clear refusal or a follow, never a server error."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.favourites.models import KINDS
from tests.favourites.conftest import follows

kinds = st.sampled_from(KINDS) | st.text(max_size=30)
ids = st.integers(min_value=-(2**63), max_value=2**63).map(str) | st.text(max_size=30)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=kinds, target=ids, unfollow=st.booleans(), over_htmx=st.booleans())
def test_hostile_kinds_and_ids_never_cause_a_server_error(fan, kind, target, unfollow, over_htmx):
    path = f"/follows/{quote(kind, safe='')}/{quote(target, safe='')}" + ("/delete" if unfollow else "")
    headers = {"HX-Request": "true"} if over_htmx else {}
    answer = fan.client.post(path, data={"csrf_token": fan.token(), "next": target}, headers=headers)
    assert answer.status_code < 500, (path, answer.status_code)
    assert fan.client.get(path).status_code < 500
    assert all(k in KINDS for k, _ in follows())
