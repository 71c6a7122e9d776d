"""A follow: one user's interest in one team, league (competition) or match."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.storage.columns import UTCDateTime, utcnow

KINDS = ("team", "league", "match")


class Follow(Model):
    """`target_id` names a Team, a Competition or a Match by `kind`; following twice is one row (the constraint)."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "target_id"),
        # Who follows this team, league or match: what a commit asks to tell their pages.
        Index("ix_follows_kind_target_id", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
