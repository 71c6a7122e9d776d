"""Reading through the cache: a value is computed once, kept for its timeout, and dropped or retired on a change."""

from __future__ import annotations

import time
from typing import Any

import pytest

from app.extensions import cache
from app.storage import cache_keys
from app.storage.cache import bump, cached, cached_variant, drop, generation


class Compute:
    """A computation that counts how often it runs."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.runs = 0

    def __call__(self) -> Any:
        self.runs += 1
        return self.answer


def test_a_miss_computes_and_stores_and_the_next_read_does_not_compute(app):
    compute = Compute({"home": 2, "away": 1})
    assert cached("score", compute, 60) == {"home": 2, "away": 1}
    assert cached("score", compute, 60) == {"home": 2, "away": 1}
    assert compute.runs == 1
    # Stored as the value itself: a page reading the key in its own get_many sees it as it is.
    assert cache.get("score") == {"home": 2, "away": 1}


@pytest.mark.parametrize("empty", ["", [], 0])
def test_an_empty_answer_is_kept_like_any_other(app, empty):
    compute = Compute(empty)
    cached("nothing listed", compute, 60)
    assert cached("nothing listed", compute, 60) == empty
    assert compute.runs == 1


def test_a_none_answer_is_computed_again_unless_it_is_kept(app):
    unkept = Compute(None)
    assert cached("no such match", unkept, 60) is None
    assert cached("no such match", unkept, 60) is None
    assert unkept.runs == 2 and not cache.has("no such match")

    kept = Compute(None)
    assert cached("no prediction", kept, 60, keep_none=True) is None
    assert cached("no prediction", kept, 60, keep_none=True) is None
    assert kept.runs == 1 and cache.has("no prediction")


def test_an_entry_lives_for_its_timeout(app):
    short, long = Compute("short-lived"), Compute("long-lived")
    cached("short", short, 1)
    cached("long", long, 600)
    cached("short", short, 1)
    assert short.runs == 1  # still there within its second
    time.sleep(1.2)  # the backend's own clock: the test's settable clock does not reach the cache
    cached("short", short, 1)
    cached("long", long, 600)
    assert short.runs == 2 and long.runs == 1


def test_drop_removes_several_keys_at_once_and_leaves_the_others(app):
    for key in ("odds:1", "odds:2", "odds:3"):
        cached(key, Compute(key), 60)
    drop("odds:1", "odds:2")
    assert cache.get_many("odds:1", "odds:2", "odds:3") == [None, None, "odds:3"]
    again = Compute("recomputed")
    assert cached("odds:1", again, 60) == "recomputed" and again.runs == 1


def test_a_generation_bump_retires_every_key_made_with_it(app):
    assert generation("lists") == 0
    first = Compute("before the change")
    cached(f"list:{generation('lists')}:today", first, 60)
    cached(f"list:{generation('lists')}:today", first, 60)
    assert first.runs == 1
    bump("lists")
    assert generation("lists") == 1
    after = Compute("after the change")
    assert cached(f"list:{generation('lists')}:today", after, 60) == "after the change"
    bump("lists")
    assert generation("lists") == 2


def test_a_change_retires_the_listings_and_drops_what_it_names(app):
    listing = cache_keys.listing_key("list:today")
    cached(listing, Compute("<ul>"), 60)
    cached(cache_keys.match_key(7), Compute("match 7"), 60)
    cached(cache_keys.match_key(8), Compute("match 8"), 60)
    cache_keys.changed(matches=[7])
    assert cache_keys.listing_key("list:today") != listing
    assert cache.get(cache_keys.match_key(7)) is None and cache.get(cache_keys.match_key(8)) == "match 8"


def test_a_value_already_read_is_used_without_reading_the_cache(app, monkeypatch):
    cached("match:7", Compute("as stored"), 60)
    cached("predictions:latest:7", Compute(None), 60, keep_none=True)
    entries = cache.get_many("match:7", "predictions:latest:7")  # one round trip, as a page reads them

    def no_read(key: str) -> None:
        pytest.fail(f"read {key} again")

    monkeypatch.setattr(cache, "get", no_read)
    compute = Compute("computed")
    assert cached("match:7", compute, 60, kept=entries[0]) == "as stored"
    assert cached("predictions:latest:7", compute, 60, kept=entries[1], keep_none=True) is None
    assert compute.runs == 0


def test_a_value_already_read_that_was_missing_is_computed_and_stored(app):
    (missing,) = cache.get_many("match:9")
    compute = Compute("match 9")
    assert cached("match:9", compute, 60, kept=missing) == "match 9"
    assert compute.runs == 1 and cache.get("match:9") == "match 9"


def test_variants_are_computed_once_each_kept_under_one_key_and_dropped_together(app):
    home, away = Compute("<p>5/2</p>"), Compute("<p>+250</p>")
    assert cached_variant("card:7", "fractional", home, 60) == "<p>5/2</p>"
    assert cached_variant("card:7", "american", away, 60) == "<p>+250</p>"
    assert cached_variant("card:7", "fractional", home, 60) == "<p>5/2</p>"
    assert (home.runs, away.runs) == (1, 1)
    assert cache.get("card:7") == {"fractional": "<p>5/2</p>", "american": "<p>+250</p>"}
    drop("card:7")
    assert cached_variant("card:7", "american", away, 60) == "<p>+250</p>" and away.runs == 2


def test_variants_already_read_are_used_without_reading_the_cache_again(app):
    cache.set("card:8", {"decimal": "stale in the cache"}, timeout=60)
    kept = {"decimal": "as the page read it"}
    assert cached_variant("card:8", "decimal", Compute("fresh"), 60, kept=kept) == "as the page read it"
