"""Published predictions: versioned, frozen at kickoff, scored after the final whistle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, Session, mapped_column

from app.extensions import Model
from app.storage.columns import UTCDateTime

# What may still be written once a prediction is frozen: its score, once the match is over.
SCORE_FIELDS = frozenset(
    {
        "outcome",
        "rps",
        "log_loss",
        "brier",
        "scored_at",
        "market_home",
        "market_draw",
        "market_away",
        "market_rps",
        "market_log_loss",
        "market_brier",
        "best_home",
        "best_draw",
        "best_away",
    }
)


class FrozenPredictionError(RuntimeError):
    """A prediction frozen at kickoff was about to change."""


class Prediction(Model):
    """One published forecast of a match. The latest before kickoff is frozen then; none changes after."""

    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_match_published", "match_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"))
    model_version: Mapped[str] = mapped_column(String(40))
    # The newest data the fit saw (its last result or price), and when the forecast went out.
    data_time: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    home_goals: Mapped[float] = mapped_column(Float)  # expected goals
    away_goals: Mapped[float] = mapped_column(Float)
    p_home: Mapped[float] = mapped_column(Float)
    p_draw: Mapped[float] = mapped_column(Float)
    p_away: Mapped[float] = mapped_column(Float)
    markets: Mapped[dict[str, Any]] = mapped_column(JSON)  # totals, BTTS, handicaps, likely scores
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(1))  # H, D or A
    rps: Mapped[float | None] = mapped_column(Float)
    log_loss: Mapped[float | None] = mapped_column(Float)
    brier: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The yardstick, written with the score: the closing market's margin-free 1X2 and its scores
    # (empty when no bookmaker's closing line was captured).
    market_home: Mapped[float | None] = mapped_column(Float)
    market_draw: Mapped[float | None] = mapped_column(Float)
    market_away: Mapped[float | None] = mapped_column(Float)
    market_rps: Mapped[float | None] = mapped_column(Float)
    market_log_loss: Mapped[float | None] = mapped_column(Float)
    market_brier: Mapped[float | None] = mapped_column(Float)
    # The best closing 1X2 price of each outcome among the bookmakers: what the model's value bets are staked at.
    best_home: Mapped[float | None] = mapped_column(Float)
    best_draw: Mapped[float | None] = mapped_column(Float)
    best_away: Mapped[float | None] = mapped_column(Float)

    @property
    def probabilities(self) -> tuple[float, float, float]:
        return self.p_home, self.p_draw, self.p_away

    @property
    def market(self) -> tuple[float, float, float] | None:
        if self.market_home is None or self.market_draw is None or self.market_away is None:
            return None
        return self.market_home, self.market_draw, self.market_away

    @property
    def best(self) -> tuple[float, float, float] | None:
        if self.best_home is None or self.best_draw is None or self.best_away is None:
            return None
        return self.best_home, self.best_draw, self.best_away


def _committed(state: InstanceState[Any], key: str) -> Any:
    """An attribute's value as stored, before the pending change (if any)."""
    history = state.attrs[key].history
    return next(iter(history.deleted), None) if history.has_changes() else getattr(state.obj(), key)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen(session: Session, _context: Any, _instances: Any) -> None:
    """A frozen prediction keeps what it said: only its score may be written, once, and it is never deleted."""
    for obj in session.dirty:
        if not isinstance(obj, Prediction):
            continue
        state = inspect(obj)
        if _committed(state, "frozen_at") is None:
            continue
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        if changed - SCORE_FIELDS:
            raise FrozenPredictionError(
                f"prediction {obj.id} was frozen at kickoff: {', '.join(sorted(changed))} cannot change"
            )
        if any(_committed(state, f) is not None for f in changed):
            raise FrozenPredictionError(f"prediction {obj.id} is already scored")
    for obj in session.deleted:
        if isinstance(obj, Prediction) and obj.frozen_at is not None:
            raise FrozenPredictionError(f"prediction {obj.id} was frozen at kickoff: it is kept")
