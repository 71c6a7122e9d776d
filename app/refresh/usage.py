"""Providers' quota as their response headers last stated it: stored, so every process plans on it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model, db
from app.providers.records import Usage
from app.storage.columns import UTCDateTime

FIELDS = ("observed_at", "remaining", "used", "limit", "last_cost", "resets_at")


class ProviderUsage(Model):
    __tablename__ = "provider_usage"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remaining: Mapped[int | None]
    used: Mapped[int | None]
    limit: Mapped[int | None]
    last_cost: Mapped[int | None]
    resets_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def record(usages: Iterable[Usage]) -> int:
    """Keep the newest reading per provider; returns rows written. No commit."""
    written = 0
    for usage in usages:
        row = db.session.get(ProviderUsage, usage.provider)
        if row is None:
            db.session.add(ProviderUsage(provider=usage.provider, **{f: getattr(usage, f) for f in FIELDS}))
            written += 1
        elif usage.observed_at > row.observed_at:
            for name in FIELDS:
                setattr(row, name, getattr(usage, name))
            written += 1
    return written


def latest() -> dict[str, ProviderUsage]:
    return {row.provider: row for row in db.session.scalars(select(ProviderUsage))}


def quota_left() -> dict[str, tuple[int | None, int | None]]:
    """Each provider's quota left and its limit, as last read (for /metrics)."""
    return {provider: (row.remaining, row.limit) for provider, row in latest().items()}
