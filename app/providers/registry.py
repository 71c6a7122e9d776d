"""Which provider serves each capability. Knows no Flask: it is handed the settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.providers.base import Provider
from app.providers.demo import DemoProvider

CAPABILITIES = ("competitions", "fixtures", "live", "odds", "standings")


def build(settings: Mapping[str, Any], clock: Callable[[], datetime]) -> dict[str, list[Provider]]:
    """Ordered providers per capability; with no keys configured, the demo world serves all."""
    demo = DemoProvider(seed=int(settings.get("DEMO_SEED", 7)), clock=clock)
    return {capability: [demo] for capability in CAPABILITIES}
