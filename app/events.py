"""What ingest announces after a commit: today, cache invalidation (live pushes join later)."""

from __future__ import annotations

from collections.abc import Iterable

from app.extensions import cache


def odds_key(match_id: int) -> str:
    return f"odds:{match_id}"


def changed(matches: Iterable[int] = (), leagues: Iterable[str] = ()) -> None:
    """Drop cached views of what changed, so the next read sees the commit."""
    keys = [odds_key(m) for m in matches]
    if keys:
        cache.delete_many(*keys)
