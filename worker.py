"""Runs the periodic schedule in its own process: `python worker.py`.

Until the RQ worker lands this process is the production runner: it follows the same
declared schedule (app/schedule.py) as the embedded thread. Run exactly one of them.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

from app import create_app
from app.embedded import EmbeddedScheduler


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app({"SCHEDULER": "worker"})
    scheduler = EmbeddedScheduler(app)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop(timeout=0))
    scheduler.start()
    with contextlib.suppress(KeyboardInterrupt):
        signal.pause()
    scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
