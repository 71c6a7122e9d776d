"""`make bench-live` (the last part of `make bench`): BetScore's live sockets under load, beside a bare flask-sock app.

What it measures, against PostgreSQL (`betscore_bench`) and Redis (db 14) filled by `flask seed` (bench/run.py's
preparation), with every server on 127.0.0.1 below port 32768 and the open-files limit raised:
  * the live service: `gunicorn -c gunicorn.live.conf.py wsgi:app` (one gevent worker, production settings);
  * the ceiling: `bench/bare_live.py`, a bare flask-sock app under the same gunicorn.live.conf.py, whose one
    relay thread sends what Redis publishes to every socket in a loop;
  * for each, `--levels` sockets in total (1,000, then 5,000, then 10,000: each level adds to the last), opened by
    `--procs` load-client processes (bench/live_client.py, the `websockets` library, no compression offered),
    each socket subscribed to `match:<id>` of one seeded match with prices:
      - handshakes per second and connection errors (a socket counts once its subscription reply arrived);
      - the worker's resident memory (VmRSS of the gunicorn worker) idle, and with the sockets open;
      - `--publishes` odds updates (a real recorded one, 2.1 KB, or `--payload-file`), each one Redis
        PUBLISH carrying its send time, one at a time (the next only once every socket got the last, or after
        `--deliver-timeout`): per-socket delivery time, p50 / p99 / 100 % (the last socket), and the count;
  * while the 10,000 (the top level) sockets are open on the live service, the match page `/matches/<id>` under
    wrk -c32 from the page server (`gunicorn -c gunicorn.conf.py wsgi:app`, gthread, its own process group),
    compared with the same measurement before any socket was open;
  * the live service's graceful stop: SIGTERM with every socket open, then the close codes the clients got
    (1001 expected: gunicorn.live.conf.py closes every socket when the worker stops).

Reported, never asserted: 10,000 sockets held with no error, delivery p99 within 1 s, delivery within 1.5x the
bare app's, the page's p99 beside 10,000 sockets within 2x of without. Results go to bench/out/live.json and
bench/out/live.md; server logs to bench/out/{web,live,bare}-gunicorn.log, client logs to bench/out/live-client-*.log.
The run exits non-zero only when something fails to run: a server that does not start, a connection error,
a socket that does not receive a publish, wrk errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import resource
import select
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/live.py` puts bench/, not the repository, on the path
    sys.path.insert(0, str(ROOT))

from run import (  # noqa: E402  (bench/ is on the path)
    BENCH,
    BENCH_ENV,
    HOST,
    OUT,
    BenchError,
    Result,
    Server,
    deadline,
    expect_ok,
    free_port,
    log,
    log_tail,
    measure,
    pick_match_path,
    prepare_data,
    start_server,
    stop_server,
    wait_ready,
)

LIVE_CONF = ROOT / "gunicorn.live.conf.py"
CLIENT = BENCH / "live_client.py"
MATCH_PATH = re.compile(r"/matches/(\d+)$")
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*): ")
TARGETS = {"p99_ms": 1000.0, "vs_bare": 1.5, "page_p99_ratio": 2.0}
GOING_AWAY = "1001"
NOTE = (
    "This machine's CPUs are shared by the server under test, the load-client processes, Redis, PostgreSQL and "
    "(for the page) wrk and the page server: delivery times include the clients' own scheduling delay. Compare "
    "the ratios within one run, never absolute numbers across runs or machines. The clients offer no "
    "compression (BetScore's live route declines it anyway unless LIVE_COMPRESSION is set; the bare app would "
    "accept it)."
)


# --- the pushed update: one place --------------------------------------------------------------


# One real odds update as app/matches/push.py sends it to a match page: Pinnacle's and Unibet's
# changed 1X2 prices, their rows' ages and margins, the best and fair rows and the moved chart,
# each part in a <template> (recorded from the demo world: 2,116 bytes; a kickoff, when every
# bookmaker moves at once, sends ~18 KB).
REAL_UPDATE = BENCH / "payloads" / "odds-update.html"


def marked(html: str, seq: int, sent: float) -> str:
    """The update with its sequence number and send time in front, where bench/live_client.py reads them."""
    return f"<!--bench {seq} {sent:.6f}-->{html}"


# --- results ----------------------------------------------------------------------------------


@dataclass
class Delivery:
    seq: int
    warmup: bool
    receivers: int  # Redis subscribers that got the PUBLISH (the server's relay: 1)
    expected: int
    delivered: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class Level:
    sockets: int  # the level: sockets open in total
    added: int
    connected: int  # sockets open after this level's connections
    errors: dict[str, int]
    first_error: str
    connect_s: float
    handshakes_per_s: float
    rss_mb: float
    mb_per_1000: float
    deliveries: list[Delivery] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def measured(self) -> list[Delivery]:
        return [d for d in self.deliveries if not d.warmup]

    def pooled(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def full_ms(self) -> float:
        """100 % delivery: the median over the measured publishes of the time the last socket got it."""
        return statistics.median(d.max_ms for d in self.measured()) if self.measured() else math.nan

    @property
    def worst_ms(self) -> float:
        return max((d.max_ms for d in self.measured()), default=math.nan)


@dataclass
class Target:
    name: str
    command: str
    idle_rss_mb: float = 0.0
    levels: list[Level] = field(default_factory=list)
    shutdown: dict[str, Any] = field(default_factory=dict)
    server_errors: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def level(self, sockets: int) -> Level | None:
        return next((lv for lv in self.levels if lv.sockets == sockets), None)


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of them at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Open 1,000-10,000 websockets on BetScore's live service and on a bare flask-sock app; "
        "measure handshakes/s, memory per 1,000 sockets, broadcast delivery times, and the match "
        "page's p99 beside 10,000 sockets.",
        epilog="Results go to bench/out/live.json and bench/out/live.md.",
    )
    parser.add_argument(
        "--levels",
        default="1000,5000,10000",
        help="socket totals, increasing; each level adds to the last (default 1000,5000,10000)",
    )
    parser.add_argument("--procs", type=int, default=4, help="load-client processes (default 4)")
    parser.add_argument("--inflight", type=int, default=64, help="handshakes in flight per client process (default 64)")
    parser.add_argument("--publishes", type=int, default=5, help="measured publishes per level (default 5)")
    parser.add_argument(
        "--warmup-publishes",
        type=int,
        default=1,
        help="unmeasured publishes first at each level, delivery still checked (default 1)",
    )
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between two publishes (default 0.5)")
    parser.add_argument(
        "--payload-file",
        type=Path,
        default=REAL_UPDATE,
        help="the update to publish (default: a real recorded one, bench/payloads/odds-update.html)",
    )
    parser.add_argument(
        "--connect-timeout", type=float, default=180.0, help="seconds for one level's connections (default 180)"
    )
    parser.add_argument(
        "--deliver-timeout",
        type=float,
        default=30.0,
        help="seconds for every socket to receive one publish (default 30)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=30.0,
        help="seconds for every socket to be closed at the live service's SIGTERM (default 30)",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured wrk run (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the unmeasured wrk warm-up (default 3)")
    parser.add_argument("--page-connections", type=int, default=32, help="wrk connections on the page (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--wrk-timeout", type=int, default=10, help="seconds before wrk times a request out (10)")
    parser.add_argument("--max-timeouts", type=int, default=5, help="wrk timeouts tolerated (default 5)")
    parser.add_argument("--port", type=int, default=18601, help="live service port, or the next free one (18601)")
    parser.add_argument("--bare-port", type=int, default=18651, help="bare app port, or the next free one (18651)")
    parser.add_argument("--web-port", type=int, default=18701, help="page server port, or the next free one (18701)")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="keep the existing betscore_bench database: skip drop, migrate and seed",
    )
    args = parser.parse_args(argv)
    try:
        args.levels = [int(n) for n in args.levels.split(",") if n.strip()]
    except ValueError:
        parser.error("--levels takes comma-separated whole numbers")
    if not args.levels or args.levels != sorted(set(args.levels)) or args.levels[0] < args.procs:
        parser.error("--levels must increase, and start at --procs or more")
    if args.procs < 1 or args.publishes < 1 or args.inflight < 1 or args.page_connections < args.threads:
        parser.error("need --procs, --publishes, --inflight >= 1 and --page-connections >= --threads")
    for port in (args.port, args.bare_port, args.web_port):
        if not 1024 <= port < 32768:
            parser.error("ports must lie in 1024..32767: the clients' own ports are 32768 and up")
    # run.measure() reads wrk's settings under these names.
    args.connections = args.page_connections
    return args


# --- processes ------------------------------------------------------------------------------


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit; the servers started from here inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def worker_pids(server: Server) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text()
        return [int(pid) for pid in text.split()]
    return []


def rss_mb(server: Server) -> float:
    """Resident memory of the server's workers (not the master), from /proc/<pid>/status VmRSS."""
    pids = worker_pids(server)
    if not pids:
        raise BenchError(f"{server.name} has no worker process:\n{log_tail(server)}")
    total_kb = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            total_kb += int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
    return total_kb / 1024


def server_errors(server: Server) -> dict[str, int]:
    """The exceptions of the tracebacks in a server's log, by class (a chained traceback counts its last)."""
    counts: Counter[str] = Counter()
    last, inside = "", False
    with contextlib.suppress(OSError):
        for line in server.log.read_text(errors="replace").splitlines():
            if line.startswith("Traceback (most recent call last)"):
                inside = True
            elif not inside or line.startswith(" ") or not line.strip() or line.startswith("During handling"):
                continue
            elif match := EXCEPTION_LINE.match(line):
                last = match.group(1)
            else:
                counts[last or "?"] += 1
                last, inside = "", False
    if inside:
        counts[last or "?"] += 1
    return dict(counts)


class ClientPool:
    """The load-client processes, each driven by one JSON command line and answering one JSON line."""

    def __init__(self, name: str, procs: int) -> None:
        self.name = name
        self.procs: list[subprocess.Popen[bytes]] = []
        for i in range(procs):
            logfile = OUT / f"live-client-{name}-{i}.log"
            with logfile.open("wb") as err:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, str(CLIENT)],
                        cwd=ROOT,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=err,
                    )
                )

    def shares(self, n: int) -> list[int]:
        k = len(self.procs)
        return [n // k + (1 if i < n % k else 0) for i in range(k)]

    def send(self, commands: list[dict[str, Any]]) -> None:
        for proc, cmd in zip(self.procs, commands, strict=True):
            stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
            try:
                stdin.write(json.dumps(cmd).encode() + b"\n")
                stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise BenchError(f"load client {proc.pid} is gone ({proc.poll()}): {exc}") from exc

    def receive(self, timeout: float) -> list[dict[str, Any]]:
        end = time.monotonic() + timeout
        replies = []
        for proc in self.procs:
            out: IO[bytes] = proc.stdout  # type: ignore[assignment]
            ready, _, _ = select.select([out], [], [], max(0.0, end - time.monotonic()))
            line = out.readline() if ready else b""
            if not line:
                raise BenchError(
                    f"load client {proc.pid} did not answer within {timeout:.0f} s "
                    f"(exit {proc.poll()}); see bench/out/live-client-{self.name}-*.log"
                )
            replies.append(json.loads(line))
        return replies

    def ask(self, commands: list[dict[str, Any]], timeout: float) -> list[dict[str, Any]]:
        self.send(commands)
        return self.receive(timeout)

    def ask_all(self, command: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
        return self.ask([command] * len(self.procs), timeout)

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.write(b'{"op": "exit"}\n')  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


# --- phases ---------------------------------------------------------------------------------


def connect_level(
    pool: ClientPool, server: Server, url: str, sockets: int, before: int, idle_rss: float, args: argparse.Namespace
) -> Level:
    added = sockets - before
    log(f"{server.name}: opening {added} sockets ({sockets} in total) from {len(pool.procs)} client processes")
    commands = [
        {"op": "connect", "url": url, "n": n, "inflight": args.inflight, "timeout": args.connect_timeout}
        for n in pool.shares(added)
    ]
    replies = pool.ask(commands, args.connect_timeout + 30)
    errors: Counter[str] = Counter()
    for reply in replies:
        errors.update(reply["errors"])
    seconds = max(r["seconds"] for r in replies)
    connected = sum(r["open"] for r in replies)
    time.sleep(1.0)  # let the worker settle before reading its memory
    rss = rss_mb(server)
    first_error = next((r["first_error"] for r in replies if r["first_error"]), "")
    rate = sum(r["connected"] for r in replies) / seconds if seconds else math.nan
    per_1000 = (rss - idle_rss) / connected * 1000 if connected else math.nan
    level = Level(sockets, added, connected, dict(errors), first_error, seconds, rate, rss, per_1000)
    log(
        f"  {connected} open, {level.handshakes_per_s:.0f} handshakes/s, errors {dict(errors) or 0}, "
        f"worker RSS {rss:.0f} MB ({level.mb_per_1000:.1f} MB per 1,000 sockets)"
        + (f"; first error: {level.first_error}" if level.first_error else "")
    )
    return level


def publish_once(
    pool: ClientPool,
    redis: Any,
    channel: str,
    html: str,
    seq: int,
    warmup: bool,
    expected: int,
    args: argparse.Namespace,
) -> tuple[Delivery, list[float]]:
    sent = time.time()
    receivers = int(redis.publish(channel, json.dumps({"": marked(html, seq, sent)}, separators=(",", ":"))))
    replies = pool.ask_all({"op": "collect", "seq": seq, "timeout": args.deliver_timeout}, args.deliver_timeout + 30)
    latencies = [ms for r in replies for ms in r["latencies_ms"]]
    delivery = Delivery(
        seq,
        warmup,
        receivers,
        expected,
        len(latencies),
        percentile(latencies, 0.50),
        percentile(latencies, 0.99),
        max(latencies, default=math.nan),
    )
    return delivery, latencies


def deliver_level(
    pool: ClientPool, redis: Any, channel: str, html: str, level: Level, seq: int, args: argparse.Namespace
) -> int:
    for i in range(args.warmup_publishes + args.publishes):
        warmup = i < args.warmup_publishes
        delivery, latencies = publish_once(pool, redis, channel, html, seq, warmup, level.connected, args)
        seq += 1
        level.deliveries.append(delivery)
        if not warmup:
            level.latencies_ms.extend(latencies)
        log(
            f"  publish {delivery.seq}{' (warm-up)' if warmup else ''}: {delivery.delivered}/{delivery.expected} "
            f"delivered, p50 {delivery.p50_ms:.1f} ms, p99 {delivery.p99_ms:.1f} ms, all {delivery.max_ms:.1f} ms"
        )
        time.sleep(args.gap)
    return seq


def wait_relay(redis: Any, server: Server, timeout: float = 15.0) -> None:
    """The server subscribes to Redis with its first socket: wait until its pattern subscription is there."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if int(redis.execute_command("PUBSUB", "NUMPAT")) >= 1:
            return
        time.sleep(0.1)
    raise BenchError(f"{server.name} did not subscribe to Redis within {timeout:.0f} s:\n{log_tail(server)}")


def load(
    target: Target,
    server: Server,
    url: str,
    channel: str,
    html: str,
    args: argparse.Namespace,
    pools: list[ClientPool],
    at_top: Callable[[], None] | None = None,
) -> ClientPool:
    """Open the levels of sockets on one server, publish at each, run `at_top` with the most open."""
    import redis as redis_lib

    redis = redis_lib.Redis.from_url(BENCH_ENV["REDIS_URL"])
    target.idle_rss_mb = rss_mb(server)
    log(f"{server.name}: worker RSS idle {target.idle_rss_mb:.0f} MB")
    pool = ClientPool(target.name, args.procs)
    pools.append(pool)
    before, seq = 0, 1
    for sockets in args.levels:
        level = connect_level(pool, server, url, sockets, before, target.idle_rss_mb, args)
        target.levels.append(level)
        before = level.connected
        if level.errors or level.connected != sockets:
            target.problems.append(
                f"{sockets} sockets: {level.connected} open, errors {level.errors} ({level.first_error})"
            )
        if level.connected == 0:
            break
        wait_relay(redis, server)
        seq = deliver_level(pool, redis, channel, html, level, seq, args)
        for d in level.deliveries:
            if d.receivers < 1:
                target.problems.append(f"{sockets} sockets, publish {d.seq}: no Redis subscriber got it")
            if d.delivered != d.expected or d.expected != sockets:
                target.problems.append(f"{sockets} sockets, publish {d.seq}: {d.delivered} of {sockets} received it")
    if at_top is not None:
        at_top()
    return pool


def graceful_stop(pool: ClientPool, server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """SIGTERM the server with every socket open; the clients tell which close codes they got, and when."""
    open_before = sum(r["open"] for r in pool.ask_all({"op": "closes", "since": time.time(), "timeout": 0}, 30))
    since = time.time()
    pool.send([{"op": "closes", "since": since, "timeout": args.shutdown_timeout}] * len(pool.procs))
    log(f"{server.name}: SIGTERM with {open_before} sockets open")
    stop_server(server)
    exited_s = time.time() - since
    replies = pool.receive(args.shutdown_timeout + 30)
    codes: Counter[str] = Counter()
    for reply in replies:
        codes.update(reply["codes"])
    result = {
        "open_before": open_before,
        "codes": dict(codes),
        "all_closed_s": max(r["last_s"] for r in replies),
        "server_exited_s": exited_s,
        "still_open": sum(r["open"] for r in replies),
    }
    log(
        f"  close codes {dict(codes)}, last socket closed after {result['all_closed_s']:.2f} s, "
        f"server gone after {exited_s:.2f} s"
    )
    return result


# --- report ---------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) else math.nan


def level_table(targets: list[Target]) -> str:
    header = (
        f"{'target':<6} {'sockets':>8} {'errors':>7} {'hs/s':>7} {'RSS MB':>7} {'MB/1k':>6} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'100% ms':>8} {'worst':>8} {'delivered':>14}"
    )
    lines = [header, "-" * len(header)]
    for t in targets:
        lines.append(f"{t.name:<6} {'idle':>8} {'':>7} {'':>7} {t.idle_rss_mb:>7.0f}")
        for lv in t.levels:
            measured = lv.measured()
            delivered = f"{min((d.delivered for d in measured), default=0)}/{lv.sockets} x{len(measured)}"
            lines.append(
                f"{t.name:<6} {lv.sockets:>8} {sum(lv.errors.values()):>7} {lv.handshakes_per_s:>7.0f} "
                f"{lv.rss_mb:>7.0f} {lv.mb_per_1000:>6.1f} {lv.pooled(0.5):>8.1f} {lv.pooled(0.99):>8.1f} "
                f"{lv.full_ms:>8.1f} {lv.worst_ms:>8.1f} {delivered:>14}"
            )
    return "\n".join(lines)


def ratio_rows(live: Target, bare: Target) -> list[dict[str, float]]:
    rows = []
    for lv in live.levels:
        b = bare.level(lv.sockets)
        if b is None:
            continue
        rows.append(
            {
                "sockets": lv.sockets,
                "p50": ratio(lv.pooled(0.5), b.pooled(0.5)),
                "p99": ratio(lv.pooled(0.99), b.pooled(0.99)),
                "all": ratio(lv.full_ms, b.full_ms),
                "mb_per_1000": ratio(lv.mb_per_1000, b.mb_per_1000),
                "handshakes": ratio(lv.handshakes_per_s, b.handshakes_per_s),
            }
        )
    return rows


def ratio_table(rows: list[dict[str, float]]) -> str:
    header = f"{'sockets':>8} {'p50':>7} {'p99':>7} {'100%':>7} {'MB/1k':>7} {'hs/s':>7}   (live / bare)"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['sockets']:>8} {r['p50']:>6.2f}x {r['p99']:>6.2f}x {r['all']:>6.2f}x "
            f"{r['mb_per_1000']:>6.2f}x {r['handshakes']:>6.2f}x"
        )
    return "\n".join(lines)


def verdicts(live: Target, bare: Target, pages: dict[str, Result], top: int) -> list[tuple[str, bool | None]]:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    out: list[tuple[str, bool | None]] = []
    lv, b = live.level(top), bare.level(top)
    if lv is None:
        return [(f"no measurement at {top} sockets", None)]
    errors: Counter[str] = Counter()
    for each in live.levels:
        errors.update(each.errors)
    held = not errors and lv.connected == top
    out.append(
        (
            f"{top:,} sockets held with zero errors: {lv.connected:,} open, connection errors on the way "
            f"{dict(errors) or 0}: {met(held)}",
            held,
        )
    )
    p99 = lv.pooled(0.99)
    out.append(
        (
            f"delivery p99 at {top:,} sockets {p99:.0f} ms (target <= {TARGETS['p99_ms']:.0f} ms; 100 % in "
            f"{lv.full_ms:.0f} ms, worst {lv.worst_ms:.0f} ms): {met(p99 <= TARGETS['p99_ms'])}",
            p99 <= TARGETS["p99_ms"],
        )
    )
    if b is not None:
        r50, r99 = ratio(lv.pooled(0.5), b.pooled(0.5)), ratio(p99, b.pooled(0.99))
        ok = r50 <= TARGETS["vs_bare"] and r99 <= TARGETS["vs_bare"]
        out.append(
            (
                f"delivery vs the bare app at {top:,}: p50 {r50:.2f}x, p99 {r99:.2f}x "
                f"(target <= {TARGETS['vs_bare']}x): {met(ok)}",
                ok,
            )
        )
    if "idle" in pages and "busy" in pages:
        r = ratio(pages["busy"].p99, pages["idle"].p99)
        ok = r <= TARGETS["page_p99_ratio"]
        out.append(
            (
                f"match page p99 beside {top:,} sockets {pages['busy'].p99:.1f} ms vs {pages['idle'].p99:.1f} ms "
                f"without: {r:.2f}x (target <= {TARGETS['page_p99_ratio']}x): {met(ok)}",
                ok,
            )
        )
    if live.shutdown:
        s = live.shutdown
        ok = s["codes"] == {GOING_AWAY: s["open_before"]} and not s["still_open"]
        out.append(
            (
                f"SIGTERM with {s['open_before']:,} sockets open: close codes {s['codes']}, all closed in "
                f"{s['all_closed_s']:.2f} s: {'every socket got 1001' if ok else 'NOT every socket got 1001'}",
                ok,
            )
        )
    return out


def page_lines(pages: dict[str, Result], top: int, connections: int) -> list[str]:
    labels = {"idle": "no sockets open", "busy": f"{top:,} sockets open on the live service"}
    return [
        f"match page {urlsplit(r.url).path}, {labels[k]}: wrk -c{connections}, "
        f"{r.rps:.0f} req/s, p50 {r.p50:.1f} ms, p99 {r.p99:.1f} ms"
        for k, r in pages.items()
    ]


def write_outputs(
    args: argparse.Namespace,
    targets: list[Target],
    pages: dict[str, Result],
    match_path: str,
    payload: str,
    lines: list[str],
    verdict_list: list[tuple[str, bool | None]],
) -> None:
    live, bare = targets
    data = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "note": NOTE,
        "env": {k: v for k, v in BENCH_ENV.items() if k != "SECRET_KEY"},
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "match_path": match_path,
        "payload_bytes": len(payload.encode()),
        "targets": [
            {
                **asdict(t),
                "levels": [
                    {
                        **{k: v for k, v in asdict(lv).items() if k != "latencies_ms"},
                        "p50_ms": lv.pooled(0.5),
                        "p99_ms": lv.pooled(0.99),
                        "all_ms": lv.full_ms,
                        "worst_ms": lv.worst_ms,
                    }
                    for lv in t.levels
                ],
            }
            for t in targets
        ],
        "live_vs_bare": ratio_rows(live, bare),
        "pages": {k: asdict(r) for k, r in pages.items()},
        "targets_met": [{"text": text, "met": ok} for text, ok in verdict_list],
    }
    (OUT / "live.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    md = [
        "# Live sockets bench (bench/live.py)",
        "",
        f"{data['date']}, {os.cpu_count()} CPUs, match page `{match_path}`, payload {data['payload_bytes']} bytes, "
        f"{args.procs} client processes, {args.publishes} measured publishes per level "
        f"(+{args.warmup_publishes} warm-up).",
        "",
        NOTE,
        "",
        "```",
        *lines,
        "```",
        "",
        "## Targets",
        "",
        *[f"- {text}" for text, _ in verdict_list],
        "",
    ]
    if any(t.problems for t in targets):
        md += ["## Problems", "", *[f"- {t.name}: {p}" for t in targets for p in t.problems], ""]
    (OUT / "live.md").write_text("\n".join(md))


# --- orchestration --------------------------------------------------------------------------


def payload_text(args: argparse.Namespace) -> str:
    try:
        return str(args.payload_file.read_text())
    except OSError as exc:
        raise BenchError(f"cannot read --payload-file: {exc}") from exc


def bench(args: argparse.Namespace, servers: list[Server], pools: list[ClientPool]) -> bool:
    import redis as redis_lib

    from app.live.broadcast import channel_prefix

    prepare_data(args.reuse_database)
    top = args.levels[-1]
    if top > int(os.environ.get("LIVE_MAX_CONNECTIONS", "10000")):
        os.environ["LIVE_MAX_CONNECTIONS"] = str(top)
    web_port = free_port(args.web_port, set())
    live_port = free_port(args.port, {web_port})
    bare_port = free_port(args.bare_port, {web_port, live_port})

    web = start_server("web", web_port, ["wsgi:app"])
    servers.append(web)
    live = start_server("live", live_port, ["wsgi:app"], conf=LIVE_CONF)
    servers.append(live)
    wait_ready(web, "/healthz")
    wait_ready(live, "/healthz")
    log("web and live ready")
    match_path = pick_match_path(web, expect_ok(web, "/"))
    match_id = int(MATCH_PATH.search(match_path).group(1))  # type: ignore[union-attr]
    html = payload_text(args)
    channel = channel_prefix(redis_lib.Redis.from_url(BENCH_ENV["REDIS_URL"])) + f"match:{match_id}"
    log(
        f"match page {match_path}; sockets subscribe to match:{match_id}; payload {len(html.encode())} bytes; "
        f"channel {channel}"
    )

    pages: dict[str, Result] = {"idle": measure("match page, no sockets", web, match_path, args)}
    query = f"/live?topics=match:{match_id}&since={int(time.time())}"

    live_target = Target("live", f"gunicorn -c {LIVE_CONF.name} wsgi:app")

    def page_beside_sockets() -> None:
        pages["busy"] = measure(f"match page, {top} sockets open", web, match_path, args)

    pool = load(live_target, live, f"ws://{HOST}:{live.port}{query}", channel, html, args, pools, page_beside_sockets)
    live_target.shutdown = graceful_stop(pool, live, args)
    live_target.server_errors = server_errors(live)
    pool.stop()

    bare_target = Target("bare", f"gunicorn -c {LIVE_CONF.name} --chdir bench bare_live:app")
    bare = start_server("bare", bare_port, ["--chdir", str(BENCH), "bare_live:app"], conf=LIVE_CONF)
    servers.append(bare)
    wait_ready(bare, "/")
    pool = load(bare_target, bare, f"ws://{HOST}:{bare.port}{query}", channel, html, args, pools)
    pool.ask_all({"op": "close", "timeout": 30}, 60)
    pool.stop()
    stop_server(bare)
    bare_target.server_errors = server_errors(bare)

    targets = [live_target, bare_target]
    for name, result in pages.items():
        if result.problems:
            live_target.problems.append(f"match page ({name}): {'; '.join(result.problems)}")
    return report(args, targets, pages, match_path, html, top)


def report(
    args: argparse.Namespace, targets: list[Target], pages: dict[str, Result], match_path: str, html: str, top: int
) -> bool:
    live, bare = targets
    lines = [
        level_table(targets),
        "",
        ratio_table(ratio_rows(live, bare)),
        "",
        *page_lines(pages, top, args.page_connections),
        "",
        *[f"{t.name} server log: tracebacks {t.server_errors or 'none'}" for t in targets],
    ]
    verdict_list = verdicts(live, bare, pages, top)
    print()
    print(
        f"BetScore live sockets: {os.cpu_count()} CPUs shared by the servers, {args.procs} load-client processes, "
        "Redis, PostgreSQL and wrk; one gevent worker (gunicorn.live.conf.py) per socket server"
    )
    print(NOTE)
    print()
    print("\n".join(lines))
    print()
    for text, _ in verdict_list:
        print(text)
    print(
        "hs/s: handshakes per second (subscription reply received); MB/1k: worker RSS growth per 1,000 sockets; "
        "p50/p99: over every socket of every measured publish; 100%: median over publishes of the last "
        "socket's time; worst: the slowest publish's last socket"
    )
    write_outputs(args, targets, pages, match_path, html, lines, verdict_list)
    print(f"results: {(OUT / 'live.json').relative_to(ROOT)}, {(OUT / 'live.md').relative_to(ROOT)}")
    failed = [(t.name, p) for t in targets for p in t.problems]
    for name, problem in failed:
        print(f"FAILED {name}: {problem}")
    return not failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        print("bench: .venv has no gunicorn; run `make install-dev` first", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    files = raise_open_files()
    if files < args.levels[-1] + 1024:
        print(
            f"bench: the open-files limit is {files}, too low for {args.levels[-1]} sockets: raise `ulimit -Hn`",
            file=sys.stderr,
        )
        return 1
    servers: list[Server] = []
    pools: list[ClientPool] = []
    per_level = args.connect_timeout + (args.publishes + args.warmup_publishes) * (args.deliver_timeout + args.gap + 5)
    budget = int(
        900
        + 2 * len(args.levels) * per_level
        + 2 * (args.warmup + args.duration + args.wrk_timeout + 30)
        + args.shutdown_timeout
        + 120
    )
    try:
        with deadline(budget):
            ok = bench(args, servers, pools)
    except BenchError as exc:
        print(f"\nbench FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        for pool in pools:
            pool.stop()
        for server in reversed(servers):
            stop_server(server)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
