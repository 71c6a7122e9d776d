"""The one job decorator: commit once on success, roll back on failure, then announce changes."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from app import events
from app.extensions import db
from app.providers.base import Provider

F = TypeVar("F", bound=Callable[..., dict[str, Any]])
log = logging.getLogger("betscore.jobs")


def provider_for(capability: str) -> Provider:
    """The first provider configured for a capability."""
    return current_app.extensions["betscore.providers"][capability][0]


def job(func: F) -> F:
    """Run a refresh as one transaction; publish what changed only after the commit."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            summary = func(*args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s%s failed", func.__name__, args)
            raise
        events.changed(matches=summary.pop("changed_matches", set()),
                       leagues=summary.pop("changed_leagues", set()))
        summary["seconds"] = round(time.perf_counter() - started, 3)
        log.info("job %s%s %s", func.__name__, args, summary)
        return summary

    return run  # type: ignore[return-value]
