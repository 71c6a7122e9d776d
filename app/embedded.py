"""Runs the declared schedule in a thread of this process: the embedded (no Redis) runner."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask

from app.jobs import worth_running
from app.schedule import PERIODIC, Periodic

log = logging.getLogger("betscore.embedded")


def resolve(path: str) -> Callable[..., Any]:
    """Import "module:function"."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


class EmbeddedScheduler:
    """Runs each periodic job when due, one at a time, each in its own app context."""

    def __init__(self, app: Flask, periodic: Sequence[Periodic] = PERIODIC, tick: float = 1.0) -> None:
        self.app = app
        self.periodic = tuple(periodic)
        self.tick = tick
        self.next_run = {p.id: 0.0 for p in self.periodic}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self, now: float | None = None) -> dict[str, Any]:
        """Run every job that is due; returns each one's summary or error text."""
        now = time.monotonic() if now is None else now
        outcomes: dict[str, Any] = {}
        for p in self.periodic:
            if self._stop.is_set() or self.next_run[p.id] > now:
                continue
            self.next_run[p.id] = now + p.every.total_seconds()
            with self.app.app_context():
                try:
                    if not worth_running(p):
                        outcomes[p.id] = "skipped: not worth a paid request yet"
                        continue
                    outcomes[p.id] = resolve(p.func)(*p.args)
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
