"""Reading through the cache: compute a value once, keep it for a while, drop it when what it shows changes."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from app.extensions import cache

T = TypeVar("T")


def cached(key: str, compute: Callable[[], T], timeout: int, *, kept: Any = None, keep_none: bool = False) -> T:
    """The value under `key`, computed and stored on a miss, so that only the first read does the work."""
    # `kept`: the entry if the caller has read it already (a page reads its keys in one get_many), so it is not
    # read twice; None (not read, or missing) reads it here.
    entry = kept if kept is not None else cache.get(key)
    # A miss reads None: with `keep_none`, where None is an answer worth keeping ("no prediction"), entries are
    # stored boxed, (value,), and only a missing entry is a miss. Otherwise a None answer is not stored.
    if entry is not None:
        return entry[0] if keep_none else entry
    value = compute()
    if keep_none:
        cache.set(key, (value,), timeout=timeout)
    elif value is not None:
        cache.set(key, value, timeout=timeout)
    return value


def cached_variant(
    key: str, variant: Hashable, compute: Callable[[], T], timeout: int, *, kept: dict[Any, T] | None = None
) -> T:
    """One variant of a value kept with its siblings under one key (a card per odds format, staking choice, ...),
    computed on a miss: the variants can be many and named only once the value is read, and one key drops them all."""
    variants: dict[Any, T] = kept if kept is not None else cache.get(key) or {}
    if variant in variants:
        return variants[variant]
    value = compute()
    cache.set(key, {**variants, variant: value}, timeout=timeout)
    return value


def drop(*keys: str) -> None:
    """Delete these keys in one call, so the next read of each computes it afresh."""
    cache.delete_many(*keys)


def generation(name: str) -> int:
    """The counter `name` (0 before its first bump): keys that include it are retired together when it moves."""
    return cache.get(name) or 0


def bump(name: str) -> None:
    """Move the counter `name` on, retiring every key made with its old value (too many to name and drop)."""
    cache.cache.inc(name)  # the backend's INCR: atomic across processes
