"""Which matches someone is looking at right now: the planner spends quota on those first.

An open match page asks for its odds board every 30 s; each such poll marks the match as
watched for two minutes. The signal costs one cache write per poll, none per page view.
Features may know of other watchers (a user following a match): they answer `asked`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from blinker import Namespace
from flask import current_app

from app.extensions import cache

log = logging.getLogger("betscore.refresh")
WATCH_SECONDS = 120

asked = Namespace().signal(
    "watching.asked",
    doc="Sent with the app and `match_ids` (a list): each receiver returns those among them that its feature's users "
    "watch in their own way. A receiver that fails is logged; the matches open pages marked still count.",
)


def _key(match_id: int) -> str:
    return f"watched:{match_id}"


def seen(match_id: int) -> None:
    cache.set(_key(match_id), 1, timeout=WATCH_SECONDS)


def watched(match_ids: Iterable[int]) -> set[int]:
    """The matches among these that an open page polled in the last two minutes, or a feature's users watch."""
    ids = list(match_ids)
    if not ids:
        return set()
    found = {match_id for match_id, mark in zip(ids, cache.get_many(*map(_key, ids)), strict=True) if mark}
    return found | _answers(ids)


def _answers(ids: list[int]) -> set[int]:
    """The matches among these that a feature says its users watch (`asked`'s receivers)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found: set[int] = set()
    for receiver in asked.receivers_for(app):
        try:
            found.update(receiver(app, match_ids=ids))
        except Exception:
            log.exception("watching: receiver %s failed", getattr(receiver, "__qualname__", receiver))
    return found & set(ids)


def seen_many(match_ids: Iterable[int]) -> None:
    """Mark several matches at once: the live heartbeat's matches with an open socket."""
    marks = {_key(match_id): 1 for match_id in match_ids}
    if marks:
        cache.set_many(marks, timeout=WATCH_SECONDS)
