"""The cache keys of what pages read, and changed(): what a job's commit drops, before it is announced."""

from __future__ import annotations

from collections.abc import Iterable

from app.model.prices import ODDS_FORMATS
from app.storage import replicas
from app.storage.cache import bump, drop, generation


def odds_key(match_id: int) -> str:
    return f"odds:{match_id}"


def board_key(match_id: int, odds_format: str) -> str:
    return f"odds:html:{match_id}:{odds_format}"


def match_key(match_id: int) -> str:
    return f"match:{match_id}"


def prediction_key(match_id: int) -> str:
    """The match's latest published prediction, as its page shows it."""
    return f"predictions:latest:{match_id}"


def card_key(match_id: int) -> str:
    """The prediction card's body, which shows the value against the match's prices (per prediction, staking
    choice, odds format and stage). The version names the entry's shape: a deploy that changes it reads none of
    the old ones."""
    return f"predictions:card:2:{match_id}"


def details_key(match_id: int) -> str:
    return f"details:html:{match_id}"


LISTING_VERSION = "matches:version"
COMPETITIONS_KEY = "competitions"


def listing_key(variant: str) -> str:
    """A key for a matches list: it names the listing version, so any change retires every list."""
    return f"matches:html:{generation(LISTING_VERSION)}:{variant}"


def changed(matches: Iterable[int] = (), leagues: Iterable[str] = (), predictions: Iterable[int] = ()) -> None:
    """Drop cached views of what changed, so the next read sees the commit. `predictions`: matches whose
    prediction was published or frozen (their pages and lists are otherwise unchanged)."""
    keys = [key for match_id in predictions for key in (prediction_key(match_id), card_key(match_id))]
    for match_id in matches:
        keys += [
            odds_key(match_id),
            match_key(match_id),
            details_key(match_id),
            card_key(match_id),
            *(board_key(match_id, f) for f in ODDS_FORMATS),
        ]
    if leagues:
        keys.append(COMPETITIONS_KEY)
    if keys:
        replicas.fence()  # first: until replicas have replayed this commit, requests that refill these read the primary
        drop(*keys)
        bump(LISTING_VERSION)
