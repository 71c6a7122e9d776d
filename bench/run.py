"""`make bench`: BetScore's pages under the production server, beside a bare Flask baseline.

What it measures: requests per second, median (p50) and tail (p99) latency of
  * the baseline: `bench/baseline.py`, a bare Flask route rendering a 30-row Jinja table,
  * the matches page `/` and one match page `/matches/<id>` (an upcoming match with prices and the model's
    prediction card, as every match of the coming week has one),
served by gunicorn with the repository's production configuration (`gunicorn.conf.py`) against
PostgreSQL and Redis filled by `flask seed`, each loaded by wrk with the same concurrency.

Why a baseline: absolute numbers depend on the machine (and wrk shares its CPUs with the
servers), so the pages are reported as a ratio of what the same server, configuration and
load give for the cheapest realistic Flask page. The acceptance target is a match page at
>= 50 % of the baseline's throughput; it is reported, never asserted. The run exits non-zero
only when something fails to run: a server that does not start, wrk errors, non-2xx answers
or socket errors (beyond a handful of timeouts).

Everything listens on 127.0.0.1 only; every process started here is stopped by process group.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
BIN = ROOT / ".venv" / "bin"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
HOST = "127.0.0.1"
DB_NAME = "betscore_bench"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_ENV = {
    "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "BETSCORE_ENV": "production",
    "SECRET_KEY": "bench-secret",
    "SCHEDULER": "off",
    "RATELIMIT_ENABLED": "false",
}
TARGET_SHARE = 0.50
READY_TIMEOUT_S = 60.0
RATE_LIMIT_NOTE = (
    "Rate limiting is OFF for this run (RATELIMIT_ENABLED=false): every wrk connection comes from "
    "127.0.0.1, and the per-IP limits would answer 429 within the first second by design. "
    "The limiter's per-request Redis round trip is therefore not in these numbers."
)
GUNICORN_KEYS = (
    "worker_class",
    "workers",
    "threads",
    "timeout",
    "graceful_timeout",
    "keepalive",
    "max_requests",
    "max_requests_jitter",
    "accesslog",
)

MATCH_LINK = re.compile(r'href="(/matches/\d+)"')
LIVE_SECTION = re.compile(r'<section class="group live-group".*?</section>', re.S)
WRK_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
WRK_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.M)
WRK_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class BenchError(Exception):
    """Something failed to run; the run exits non-zero."""


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"


@dataclass
class Result:
    name: str
    url: str
    requests: int
    rps: float
    latency_ms: dict[str, float]
    socket_errors: dict[str, int]
    non_2xx: int
    worker_restarts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return self.latency_ms["p50"]

    @property
    def p99(self) -> float:
        return self.latency_ms["p99"]


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load the matches page, a match page and a bare Flask baseline with wrk under the "
        "production gunicorn configuration; print req/s, p50, p99 and ratios to the baseline.",
        epilog="Results also go to bench/out/results.json, server logs to bench/out/*.log.",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured wrk run (default 15)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of the unmeasured warm-up per target (default 3)"
    )
    parser.add_argument(
        "--connections", type=int, default=64, help="wrk connections, same for every target (default 64)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--wrk-timeout",
        type=int,
        default=10,
        help="seconds before wrk counts a request as timed out and leaves it out of the "
        "latencies (default 10; wrk's own 2 s would hide slow tails)",
    )
    parser.add_argument(
        "--max-timeouts", type=int, default=5, help="wrk timeouts tolerated per target before the run fails (default 5)"
    )
    parser.add_argument("--port", type=int, default=18401, help="app port, or the next free one (default 18401)")
    parser.add_argument(
        "--baseline-port", type=int, default=18451, help="baseline port, or the next free one (default 18451)"
    )
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help=f"keep the existing {DB_NAME} database: skip drop, migrate and seed",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or args.warmup < 0 or args.threads < 1 or args.connections < args.threads:
        parser.error("need --duration >= 1, --warmup >= 0 and --connections >= --threads >= 1")
    return args


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- preparation ----------------------------------------------------------------------------


def server_env() -> dict[str, str]:
    return {**os.environ, **BENCH_ENV}


def recreate_database() -> None:
    import psycopg2

    conn = psycopg2.connect(ADMIN_DSN)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        conn.close()


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(BENCH_ENV["REDIS_URL"]).flushdb()


def flask_command(*args: str, timeout: float) -> str:
    cmd = [str(BIN / "flask"), "--app", "app:create_app", *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=server_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`flask {' '.join(args)}` took more than {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise BenchError(f"`flask {' '.join(args)}` exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    if proc.stdout.strip():
        log(f"flask {' '.join(args)}: {proc.stdout.strip()[-300:]}")
    return proc.stdout


def prepare_data(reuse: bool) -> None:
    flush_redis()
    if reuse:
        log(f"reusing database {DB_NAME} (no migrate, no seed); Redis db 14 flushed")
        return
    log(f"recreating database {DB_NAME}, flushing Redis db 14")
    recreate_database()
    flask_command("db", "upgrade", timeout=180)
    log("seeding the demo world (five leagues, bookmakers, price history; ~20-60 s)")
    started = time.monotonic()
    flask_command("seed", timeout=600)
    log(f"seeded in {time.monotonic() - started:.0f} s")
    # What the hourly refits publish: the coming week's predictions, which match pages show as a card.
    schedule = flask_command("jobs", "schedule", timeout=60)
    for job in re.findall(r"^(predictions:\S+)", schedule, flags=re.MULTILINE):
        flask_command("jobs", "run", job, timeout=120)


def gunicorn_settings() -> dict[str, Any]:
    """The production configuration as the servers will read it (same environment)."""
    with mock.patch.dict(os.environ, BENCH_ENV):
        conf = runpy.run_path(str(GUNICORN_CONF))
    return {key: conf.get(key) for key in GUNICORN_KEYS}


def free_port(preferred: int, taken: set[int]) -> int:
    for port in range(preferred, min(preferred + 200, 32768)):
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise BenchError(f"no free port in {preferred}..{preferred + 199} on {HOST}")


# --- servers --------------------------------------------------------------------------------


def start_server(name: str, port: int, app_args: list[str], conf: Path = GUNICORN_CONF) -> Server:
    logfile = OUT / f"{name}-gunicorn.log"
    # No control socket: both servers (and anyone else's gunicorn) would share ~/.gunicorn/gunicorn.ctl.
    cmd = [str(BIN / "gunicorn"), "-c", str(conf), "--bind", f"{HOST}:{port}", "--no-control-socket", *app_args]
    with logfile.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    log(f"started {name} (pid {proc.pid}) on {HOST}:{port}, log {logfile.relative_to(ROOT)}")
    return Server(name, port, proc, logfile)


def stop_server(server: Server) -> None:
    """TERM the whole process group (master and workers), KILL it if it lingers."""
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, sig)
        try:
            server.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:  # the master is gone: clear any worker left in its group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.proc.pid, signal.SIGKILL)
        return


def log_tail(server: Server, lines: int = 25) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(server.log.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, str]:
    """One GET, redirects not followed, so a 3xx shows as itself."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise BenchError(
                f"{server.name} exited ({server.proc.returncode}) before it was ready:\n{log_tail(server)}"
            )
        with contextlib.suppress(OSError, http.client.HTTPException):
            if http_get(server.port, path, timeout=2.0)[0] == 200:
                return
        time.sleep(0.25)
    raise BenchError(f"{server.name} did not answer 200 on {path} within {READY_TIMEOUT_S:.0f} s:\n{log_tail(server)}")


def expect_ok(server: Server, path: str, marker: str | None = None) -> str:
    status, body = http_get(server.port, path)
    if status != 200:
        raise BenchError(f"GET {server.url(path)} answered {status}, expected 200:\n{log_tail(server)}")
    if marker and marker not in body:
        raise BenchError(f"GET {server.url(path)} has no {marker!r} in its page")
    return body


def pick_match_path(app: Server, matches_html: str) -> str:
    """The first upcoming match on the matches page whose page shows prices and a prediction."""
    upcoming = MATCH_LINK.findall(LIVE_SECTION.sub("", matches_html))
    candidates = list(dict.fromkeys(upcoming + MATCH_LINK.findall(matches_html)))
    for path in candidates[:10]:
        status, body = http_get(app.port, path)
        if status == 200 and "odds-row-" in body and 'class="prediction card"' in body:
            return path
    raise BenchError(
        f"none of the first {min(len(candidates), 10)} match links on / shows prices and a "
        f"prediction ('odds-row-', 'prediction card'); links found: {candidates[:10]}"
    )


def worker_boots(server: Server) -> int:
    with contextlib.suppress(OSError):
        return server.log.read_text(errors="replace").count("Booting worker with pid")
    return 0


# --- load -----------------------------------------------------------------------------------


def wrk(url: str, args: argparse.Namespace, seconds: int) -> str:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        f"{args.wrk_timeout}s",
        "--latency",
        url,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + args.wrk_timeout + 30)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk on {url} did not finish") from exc
    if proc.returncode != 0 or not WRK_RPS.search(proc.stdout):
        raise BenchError(f"wrk on {url} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def parse_wrk(name: str, url: str, output: str) -> Result:
    rps = WRK_RPS.search(output)
    total = WRK_TOTAL.search(output)
    latency = {f"p{pct}": float(value) * UNIT_MS[unit] for pct, value, unit in WRK_PERCENTILE.findall(output)}
    sockets = WRK_SOCKET.search(output)
    non_2xx = WRK_NON_2XX.search(output)
    if not rps or not total or set(latency) != {"p50", "p75", "p90", "p99"}:
        raise BenchError(f"could not read wrk's output for {url}:\n{output}")
    errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True))
        if sockets
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    )
    return Result(
        name, url, int(total.group(1)), float(rps.group(1)), latency, errors, int(non_2xx.group(1)) if non_2xx else 0
    )


def check(result: Result, max_timeouts: int) -> None:
    errors = result.socket_errors
    if result.requests == 0:
        result.problems.append("no request completed")
    if result.non_2xx:
        result.problems.append(f"{result.non_2xx} responses with status >= 400 (wrk: 'Non-2xx or 3xx')")
    hard = {kind: n for kind, n in errors.items() if kind != "timeout" and n}
    if hard:
        result.problems.append(f"socket errors {hard}")
    if errors["timeout"] > max_timeouts:
        result.problems.append(f"{errors['timeout']} timeouts (tolerated: {max_timeouts})")


def measure(name: str, server: Server, path: str, args: argparse.Namespace) -> Result:
    url = server.url(path)
    if args.warmup:
        log(f"warm-up {name}: {args.warmup} s")
        warm = parse_wrk(name, url, wrk(url, args, args.warmup))
        if warm.non_2xx or any(warm.socket_errors.values()):
            log(f"  warm-up saw non-2xx={warm.non_2xx} socket errors={warm.socket_errors}")
    log(f"measuring {name}: {args.duration} s, {args.connections} connections, {args.threads} wrk threads")
    boots = worker_boots(server)
    result = parse_wrk(name, url, wrk(url, args, args.duration))
    result.worker_restarts = worker_boots(server) - boots
    check(result, args.max_timeouts)
    log(
        f"  {result.rps:.1f} req/s, p50 {result.p50:.1f} ms, p99 {result.p99:.1f} ms, "
        f"{result.worker_restarts} worker restarts (max_requests)"
        + (f"  PROBLEMS: {'; '.join(result.problems)}" if result.problems else "")
    )
    return result


# --- report ---------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    base = results[0]
    header = (
        f"{'target':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'req/s vs base':>14} {'p99 vs base':>12}"
        f" {'recycled':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        label = f"{r.name} {urlsplit(r.url).path}"
        lines.append(
            f"{label:<34} {r.rps:>9.1f} {r.p50:>9.2f} {r.p99:>9.2f} "
            f"{r.rps / base.rps:>13.2f}x {r.p99 / base.p99:>11.2f}x {r.worker_restarts:>9}"
        )
    return "\n".join(lines)


def verdict(results: list[Result]) -> tuple[float, str]:
    share = results[2].rps / results[0].rps
    met = "met" if share >= TARGET_SHARE else "NOT met"
    return share, (
        f"match page throughput: {share * 100:.1f} % of baseline (target >= {TARGET_SHARE * 100:.0f} %): {met}"
    )


def write_json(results: list[Result], args: argparse.Namespace, extra: dict[str, Any]) -> Path:
    share, _ = verdict(results)
    data = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "gunicorn": gunicorn_settings(),
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "timeout_s": args.wrk_timeout,
            "latency": True,
        },
        "env": {k: v for k, v in BENCH_ENV.items() if k != "SECRET_KEY"},
        "rate_limiting": "disabled: one client address would trip the per-IP limits by design",
        "targets": [
            {**asdict(r), "rps_vs_baseline": r.rps / results[0].rps, "p99_vs_baseline": r.p99 / results[0].p99}
            for r in results
        ],
        "match_page_share_of_baseline": share,
        "target_share": TARGET_SHARE,
        "target_met": share >= TARGET_SHARE,
        **extra,
    }
    path = OUT / "results.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def report(results: list[Result], args: argparse.Namespace, servers: list[Server]) -> bool:
    """Print the table and the verdict, write the JSON; True when every target ran cleanly."""
    settings = gunicorn_settings()
    boots = {s.name: worker_boots(s) for s in servers}
    print()
    print(
        f"BetScore bench: {os.cpu_count()} CPUs shared by wrk and both servers; gunicorn "
        f"{settings['worker_class']} x {settings['workers']} workers x {settings['threads']} threads "
        f"(gunicorn.conf.py); wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency"
    )
    print(RATE_LIMIT_NOTE)
    print()
    print(table(results))
    print()
    print(verdict(results)[1])
    print(
        "recycled: gunicorn workers restarted by max_requests during the measured run (each restart "
        "re-imports the app and stalls that worker's queue; it weighs on the baseline most, since it "
        "serves the most requests)"
    )
    print(f"gunicorn worker boots over the whole run, initial ones included: {boots}")
    path = write_json(results, args, {"worker_boots": boots})
    print(f"results: {path.relative_to(ROOT)}")
    failed = [r for r in results if r.problems]
    for r in failed:
        print(f"FAILED {r.name} ({r.url}): {'; '.join(r.problems)}")
    return not failed


# --- orchestration --------------------------------------------------------------------------


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Bound the whole run: SIGALRM turns into BenchError, SIGTERM into a clean exit."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise BenchError(f"the run exceeded its {seconds} s budget")

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGALRM, expire), signal.signal(signal.SIGTERM, terminate)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def start_servers(args: argparse.Namespace, servers: list[Server]) -> tuple[Server, Server]:
    app_port = free_port(args.port, set())
    base_port = free_port(args.baseline_port, {app_port})
    servers.append(start_server("baseline", base_port, ["--chdir", str(BENCH), "baseline:app"]))
    servers.append(start_server("app", app_port, ["wsgi:app"]))
    for server, path in ((servers[0], "/"), (servers[1], "/healthz")):
        wait_ready(server, path)
        log(f"{server.name} ready")
    return servers[0], servers[1]


def bench(args: argparse.Namespace, servers: list[Server]) -> bool:
    prepare_data(args.reuse_database)
    baseline, app = start_servers(args, servers)
    expect_ok(baseline, "/", marker="<table")
    match_path = pick_match_path(app, expect_ok(app, "/"))
    expect_ok(app, match_path, marker="odds-row-")
    log(f"match page: {match_path}")
    print(RATE_LIMIT_NOTE, flush=True)
    targets = (("baseline", baseline, "/"), ("matches page", app, "/"), ("match page", app, match_path))
    results = [measure(name, server, path, args) for name, server, path in targets]
    return report(results, args, servers)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (BIN / "gunicorn").exists() or not (BIN / "flask").exists():
        print(f"bench: {BIN} has no gunicorn/flask; run `make install-dev` first", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    budget = 900 + 3 * (args.warmup + args.duration + args.wrk_timeout + 30)
    try:
        with deadline(budget):
            ok = bench(args, servers)
    except BenchError as exc:
        print(f"\nbench FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in reversed(servers):
            stop_server(server)
    if not ok:
        for server in servers:
            print(f"\n--- last lines of {server.log.relative_to(ROOT)} ---\n{log_tail(server)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
