"""Prometheus's multiprocess folder (PROMETHEUS_MULTIPROC_DIR) under gunicorn, for its server hooks: emptied when the
server starts (figures of an earlier run would be added to this one's), and a dead worker's live gauges dropped (its
counters and histograms stay: they are what it served). Imports nothing of the app: gunicorn's master loads it."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import multiprocess


def prepare(path: str | None) -> None:
    """Create the folder, or empty it of an earlier run's files."""
    if not path:
        return
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)


def forget(pid: int, path: str | None) -> None:
    """A worker exited: its sockets gauge no longer counts."""
    if path and os.path.isdir(path):
        multiprocess.mark_process_dead(pid, path)
