"""The budget gate: whether a scheduled refresh is worth a request now. Free data always is; a paid provider's
within its budget: at most every `paid_every`, or as often as a pace worked out from the calls left allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from app import clock
from app.refresh import freshness, providers

# A pace: given the provider's name, how often the refresh may run now (None: not at all now).
Pace = Callable[[str], timedelta | None]


def worth_a_request(
    capability: str | None, job: str, scope: str, paid_every: timedelta | None, pace: Pace | None = None
) -> bool:
    """Whether `job` for `scope` (its target) is worth a request of the provider serving `capability` now."""
    chain = providers.chain(capability) if capability is not None else []
    if not chain or not chain[0].paid:
        return True
    every = paid_every or (pace(chain[0].name) if pace is not None else None)
    if every is None:
        return False
    last = freshness.last(job, scope)
    return last is None or clock.now() - last >= every
