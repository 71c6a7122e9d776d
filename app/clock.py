"""The app's one notion of now, so tests and the demo world can pin it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Now as aware UTC: the configured CLOCK when set (tests, demos), else the wall clock."""
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)
