"""Which matches someone is looking at right now: the planner spends quota on those first.

An open match page asks for its odds board every 30 s; each such poll marks the match as
watched for two minutes. The signal costs one cache write per poll, none per page view.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.extensions import cache

WATCH_SECONDS = 120


def _key(match_id: int) -> str:
    return f"watched:{match_id}"


def seen(match_id: int) -> None:
    cache.set(_key(match_id), 1, timeout=WATCH_SECONDS)


def watched(match_ids: Iterable[int]) -> set[int]:
    """The matches among these that an open page polled in the last two minutes."""
    ids = list(match_ids)
    if not ids:
        return set()
    return {match_id for match_id, mark in zip(ids, cache.get_many(*map(_key, ids)), strict=True) if mark}


def seen_many(match_ids: Iterable[int]) -> None:
    """Mark several matches at once: the live heartbeat's matches with an open socket."""
    marks = {_key(match_id): 1 for match_id in match_ids}
    if marks:
        cache.set_many(marks, timeout=WATCH_SECONDS)
