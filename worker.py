"""Background work in production, two process types from one image:

    python worker.py               an RQ worker on the queues live, default and low (in that order);
                                   it also moves retries that wait out their backoff back to their queue
    python worker.py --scheduler   the scheduler: reconciles app/jobs/schedule.py into Redis, then enqueues
                                   each periodic job when due (one per deployment is enough; two are safe)

Both need REDIS_URL. Without Redis the same schedule runs embedded, inside the web process.
"""

from __future__ import annotations

import argparse
import sys

from app import config, create_app
from app.jobs import queues
from app.jobs.schedule import QUEUES
from app.ops import logs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", action="store_true", help="run the scheduler instead of a worker")
    parser.add_argument("--queues", default=",".join(QUEUES), help="queues to take jobs from, by priority")
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty (tests, one-offs)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between the scheduler's passes")
    parser.add_argument("--name", help="the worker's name (default: RQ's own)")
    args = parser.parse_args(argv)
    # RQ's own lines too: its worker adds no handler of its own when the root logger has one.
    logs.configure(config.log_settings())
    app = create_app({"SCHEDULER": "off"})
    if not app.config["REDIS_URL"]:
        print(
            "worker.py: REDIS_URL is not set. Without Redis the jobs run embedded, inside `make run`.", file=sys.stderr
        )
        return 2
    if args.scheduler:
        queues.run_scheduler(app, interval=args.interval, burst=args.burst)
        return 0
    names = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if unknown:
        parser.error(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    queues.run_worker(app, names, name=args.name, burst=args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
