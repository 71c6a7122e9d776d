"""`make bench` (metrics): what measuring costs, the same page with the app's metrics on and off.

What it measures: requests per second, p50 and p99 of one page (the matches page `/` by default, `--path`) served by
two gunicorn servers with the repository's production configuration (`gunicorn.conf.py`), identical but for
METRICS_ENABLED: "off" records nothing; "on" records every request's latency, page view, cache reads and queries for
Redis (added up in the process, sent once a second) and in Prometheus's multiprocess files (PROMETHEUS_MULTIPROC_DIR).
Both run against the same PostgreSQL database (`betscore_bench_metrics`: dropped, created, migrated and seeded with
the demo world first, dropped at the end) and Redis database (db 10, flushed), loaded by wrk in turn, off and on
alternating `--rounds` times so that a drift of the shared machine weighs on both alike.

Reported: each server's median over the rounds, and the ratio on / off (throughput, p50, p99): the price of the
metrics, as a share of the page. It is reported, never asserted; the run exits non-zero only when something fails to
run (a server that does not start, wrk errors, non-2xx answers). Results go to bench/out/metrics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from ingest import drop_database, libpq_url, recreate_database  # noqa: E402  (bench/ is on the path)
from run import (  # noqa: E402
    BIN,
    GUNICORN_CONF,
    HOST,
    OUT,
    BenchError,
    Result,
    Server,
    free_port,
    log,
    measure,
    stop_server,
    wait_ready,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/betscore_bench_metrics"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="One page with the app's metrics on and off, side by side.")
    parser.add_argument("--path", default="/", help="the page loaded (default /)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="off/on pairs, alternating (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--wrk-timeout", type=int, default=10, help="seconds before wrk counts a timeout")
    parser.add_argument("--max-timeouts", type=int, default=5, help="wrk timeouts tolerated per run (default 5)")
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"a database to drop and fill (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help=f"a Redis database to flush (default {DEFAULT_REDIS})"
    )
    parser.add_argument("--port", type=int, default=18501, help="first port tried (default 18501)")
    return parser.parse_args()


def environment(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": libpq_url(args.database_url),
        "REDIS_URL": args.redis_url,
        "BETSCORE_ENV": "production",
        "SECRET_KEY": "bench-secret",
        "SCHEDULER": "off",
        "RATELIMIT_ENABLED": "false",  # one client address would trip the per-IP limits by design
        **extra,
    }


def prepare(args: argparse.Namespace) -> None:
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    log(f"recreating {args.database_url}, migrating and seeding the demo world (~20-60 s)")
    recreate_database(args.database_url)
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app:create_app", *command],
            cwd=ROOT,
            env=environment(args),
            check=True,
            capture_output=True,
            timeout=600,
        )


def start(name: str, port: int, env: dict[str, str]) -> Server:
    logfile = OUT / f"metrics-{name}-gunicorn.log"
    command = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--bind", f"{HOST}:{port}", "--no-control-socket"]
    with logfile.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    log(f"started metrics {name} (pid {proc.pid}) on {HOST}:{port}")
    return Server(name, port, proc, logfile)


def median(results: list[Result]) -> dict[str, float]:
    return {
        "rps": statistics.median(r.rps for r in results),
        "p50_ms": statistics.median(r.p50 for r in results),
        "p99_ms": statistics.median(r.p99 for r in results),
    }


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("bench/metrics.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="betscore-bench-prometheus-")
    servers: dict[str, Server] = {}
    runs: dict[str, list[Result]] = {"off": [], "on": []}
    try:
        prepare(args)
        port = free_port(args.port, set())
        servers["off"] = start("off", port, environment(args, METRICS_ENABLED="false"))
        on = environment(args, METRICS_ENABLED="true", PROMETHEUS_MULTIPROC_DIR=folder)
        servers["on"] = start("on", free_port(port + 1, {port}), on)
        for server in servers.values():
            wait_ready(server, args.path)
        for round_ in range(args.rounds):
            for name in ("off", "on"):
                log(f"round {round_ + 1} of {args.rounds}: metrics {name}")
                runs[name].append(measure(f"metrics {name}", servers[name], args.path, args))
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in servers.values():
            stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)
        drop_database(args.database_url)
    return report(args, runs)


def report(args: argparse.Namespace, runs: dict[str, list[Result]]) -> int:
    off, on = median(runs["off"]), median(runs["on"])
    ratio = {key: on[key] / off[key] for key in off}
    print()
    print(f"Metrics on vs off, GET {args.path}: median of {args.rounds} alternating runs of {args.duration} s each,")
    print(f"wrk -t{args.threads} -c{args.connections}, {os.cpu_count()} CPUs shared by wrk and both servers")
    print(f"{'':<14} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for name, figures in (("metrics off", off), ("metrics on", on)):
        print(f"{name:<14} {figures['rps']:>9.1f} {figures['p50_ms']:>9.2f} {figures['p99_ms']:>9.2f}")
    print(f"{'on / off':<14} {ratio['rps']:>8.3f}x {ratio['p50_ms']:>8.3f}x {ratio['p99_ms']:>8.3f}x")
    data: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "path": args.path,
        "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration},
        "rounds": args.rounds,
        "off": off,
        "on": on,
        "on_vs_off": ratio,
        "runs": {name: [r.__dict__ for r in results] for name, results in runs.items()},
    }
    path = OUT / "metrics.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT)}")
    failed = [r for results in runs.values() for r in results if r.problems]
    for r in failed:
        print(f"FAILED {r.name}: {'; '.join(r.problems)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
