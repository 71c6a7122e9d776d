"""What background work announces, as blinker signals (Flask ships blinker). Plumbing sends them and never
imports a feature; features subscribe in their own init_app, for the app they are part of (sender=app)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blinker import NamedSignal, Namespace

log = logging.getLogger("betscore.signals")
_signals = Namespace()


@dataclass(frozen=True)
class Changes:
    """What one job's commit changed, by id: receivers read what they need from the database."""

    matches: frozenset[int] = frozenset()
    leagues: frozenset[str] = frozenset()
    predictions: frozenset[int] = frozenset()  # matches whose prediction was published or frozen
    # Parts that pages must fetch themselves, by live topic (a job cannot render them for every viewer).
    refetch: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.matches or self.leagues or self.predictions or self.refetch)


committed = _signals.signal(
    "committed",
    doc="A job committed: sent with the app and `changes` (Changes), after the cache dropped every view of them, so "
    "a receiver reads the new data. A receiver's failure is logged, and neither stops the others nor fails the job.",
)
nightly = _signals.signal(
    "nightly",
    doc="The nightly cleanup: each receiver tidies what it owns, for the app it is sent with, and returns a dict of "
    "what it did for the cleanup's summary. The cleanup commits after each receiver.",
)


def send(signal: NamedSignal, sender: Any, **kwargs: Any) -> list[tuple[Callable[..., Any], Any]]:
    """Send to every receiver, each on its own: one that fails is logged and the others still hear it. What is
    announced is already committed, so nothing a receiver does can undo it; pages catch up when they resync."""
    answers = []
    for receiver in signal.receivers_for(sender):
        try:
            answers.append((receiver, receiver(sender, **kwargs)))
        except Exception:
            log.exception("%s: receiver %s failed", signal.name, getattr(receiver, "__qualname__", receiver))
    return answers
