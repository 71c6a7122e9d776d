"""Runs the declared schedule in a thread of this process: the embedded (no Redis) runner."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from app.jobs import runs
from app.jobs.schedule import PERIODIC, Periodic

log = logging.getLogger("betscore.embedded")


class EmbeddedScheduler:
    """Runs each periodic job when due, one at a time, each in its own app context.

    Times are the wall clock's, not the app's CLOCK: a pinned clock (tests, demos) must not stop
    the schedule. A failed job is recorded in the run log and tried again at its next turn.
    """

    def __init__(self, app: Flask, periodic: Sequence[Periodic] = PERIODIC, tick: float = 1.0) -> None:
        self.app = app
        self.periodic = tuple(periodic)
        self.tick = tick
        self.next_run: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self, now: datetime | None = None) -> dict[str, Any]:
        """Run every job that is due; returns each one's summary or error text."""
        now = now or datetime.now(UTC)
        outcomes: dict[str, Any] = {}
        for p in self.periodic:
            due = self.next_run.setdefault(p.id, now if p.every is not None else p.next_after(now))
            if self._stop.is_set() or due > now:
                continue
            self.next_run[p.id] = p.next_after(now)
            with self.app.app_context():
                try:
                    outcomes[p.id] = runs.run_scheduled(p)
                except Exception as exc:  # one failing job must not stop the others
                    outcomes[p.id] = f"error: {exc}"
        return outcomes

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="betscore-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_pending()
            self._stop.wait(self.tick)
