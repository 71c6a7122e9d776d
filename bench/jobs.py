"""`make bench` (third part): RQ job throughput through one production worker, no-op jobs beside real ones.

What it measures, on a fresh PostgreSQL database (`betscore_bench_jobs`: dropped, created, migrated with
the repository's migrations, seeded with the demo world, dropped again at the end) and a private Redis
database (db 11, flushed before and after), with no provider key set, so the demo world serves:
  * the ceiling: N no-op jobs (`app.jobs.queues:noop`, default 1,000) enqueued with `app.jobs.queues.enqueue` on
    one queue, then drained by ONE worker process, `python worker.py --burst --queues default`: the
    production worker class (`app.jobs.queues.AppWorker`), which forks a work horse per job and runs the job
    inside the app context on fresh database connections;
  * real work: M demo-provider refresh jobs (default 100: `app.odds.jobs:refresh_odds` cycled over the
    five leagues; `--real-jobs mix` cycles refresh_odds, refresh_standings and refresh_fixtures instead),
    each with its own job id, drained the same way. The rows they write are summed from their results.

How it times a drain: from the first job's `started_at` to the last job's `ended_at`, as the work
horses stored them in RQ's job data. That span holds every job and every gap between two jobs (dequeue,
fork, bookkeeping), and leaves out the worker's start-up and exit, which are paid once per process and
not per job. As a cross-check the process's wall time (start to exit) is reported too, minus the start-up
of a burst worker on an empty queue (median of `--startup-runs`), which is also reported.

Reported: jobs, seconds and jobs/s of both phases (median over `--repeat` drains each, phases alternating),
the time per job inside the job function and between jobs, the ratio real / no-op, and a bare
fork + exit + wait of a process the size of the worker, for scale. Results go to bench/out/jobs.json and
the workers' logs to bench/out/jobs-worker-*.log. Like the other benches it reports and never asserts
timings: it exits non-zero only when something fails to run (a worker exits non-zero or times out, a job
does not finish).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/jobs.py` puts bench/, not the repository, on the path
    sys.path.insert(0, str(ROOT))

from ingest import db_name, drop_database, libpq_url, recreate_database  # noqa: E402  (bench/ is on the path)

OUT = ROOT / "bench" / "out"
DB_NAME = "betscore_bench_jobs"
DEFAULT_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
QUEUE = "default"
NOOP = "app.jobs.queues:noop"
REAL_FUNCS = {
    "odds": ("app.odds.jobs:refresh_odds",),
    "mix": ("app.odds.jobs:refresh_odds", "app.football.jobs:refresh_standings", "app.football.jobs:refresh_fixtures"),
}
# Unset for the run, so the demo world serves every capability and nothing reports to Sentry.
PROVIDER_VARS = (
    "ODDS_API_KEY",
    "API_FOOTBALL_KEY",
    "RAPIDAPI_KEY",
    "FOOTBALL_DATA_KEY",
    "ODDS_API_BASE_URL",
    "API_FOOTBALL_BASE_URL",
    "FOOTBALL_DATA_BASE_URL",
    "SENTRY_DSN",
)
WORKER_CLASS_NOTE = (
    "worker: one `python worker.py --burst --queues default` process, app.jobs.queues.AppWorker "
    "(rq.Worker): it forks a work horse per job, which pushes the app context and disposes of the "
    "inherited database pool before running the job"
)


class BenchError(Exception):
    """Something failed to run; the run exits non-zero."""


@dataclass
class Drain:
    """One worker process draining one batch of jobs."""

    label: str
    jobs: int
    wall_s: float  # process start to exit
    span_s: float  # first job's started_at to last job's ended_at (RQ's job data)
    in_job_s: float  # sum over jobs of ended_at - started_at: the job function itself, in the horse
    statuses: dict[str, int]
    enqueue_s: float
    log: str
    results: dict[str, Any] = field(default_factory=dict)  # real jobs: rows written, skipped, ...

    @property
    def rate(self) -> float:
        return self.jobs / self.span_s

    @property
    def between_ms(self) -> float:
        """Mean time from one job's end to the next one's start: dequeue, fork, RQ's bookkeeping."""
        return (self.span_s - self.in_job_s) / max(self.jobs - 1, 1) * 1000


@dataclass
class Phase:
    key: str
    label: str
    drains: list[Drain] = field(default_factory=list)

    def median(self, value: Callable[[Drain], float]) -> float:
        return statistics.median(value(d) for d in self.drains)

    @property
    def rate(self) -> float:
        return self.median(lambda d: d.rate)


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Drain no-op RQ jobs (the queue's ceiling) and real demo-provider refresh jobs through one "
        "production worker process; print jobs/s of both and the ratio real / no-op.",
        epilog=f"Results also go to bench/out/jobs.json. The database named in --database-url is DROPPED and "
        f"recreated, then dropped at the end; the Redis database of --redis-url is FLUSHED before and "
        f"after (default {DEFAULT_REDIS}).",
    )
    parser.add_argument("--noop", type=int, default=1000, help="no-op jobs per drain (default 1000)")
    parser.add_argument("--real", type=int, default=100, help="real refresh jobs per drain (default 100)")
    parser.add_argument(
        "--real-jobs",
        choices=sorted(REAL_FUNCS),
        default="odds",
        help="odds: refresh_odds over the five leagues (default); mix: refresh_odds, "
        "refresh_standings and refresh_fixtures in turn over the five leagues",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="drains of each phase, alternating no-op and real; medians reported (default 2)",
    )
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=3,
        help="burst workers timed on an empty queue for the start-up figure (default 3)",
    )
    parser.add_argument(
        "--worker-timeout",
        type=float,
        default=300.0,
        help="seconds before a draining worker is stopped and the run fails (default 300)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"PostgreSQL URL of the bench database; it is dropped and recreated, so its name "
        f"must contain 'bench' (default {DEFAULT_URL})",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help=f"Redis URL with an explicit database number other than 0; that database is flushed "
        f"(default {DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the database and the Redis data at the end (to inspect the jobs)",
    )
    args = parser.parse_args(argv)
    if args.noop < 2 or args.real < 2 or args.repeat < 1 or args.startup_runs < 1:
        parser.error("need --noop >= 2, --real >= 2, --repeat >= 1 and --startup-runs >= 1")
    parts = urlsplit(args.database_url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg2"):
        parser.error("--database-url must be a postgresql:// URL")
    name = parts.path.lstrip("/")
    if not name or "bench" not in name:
        parser.error(f"refusing to drop database {name!r}: its name must contain 'bench'")
    redis_db = urlsplit(args.redis_url).path.lstrip("/")
    if not redis_db.isdigit() or int(redis_db) == 0:
        parser.error(f"refusing to flush Redis database {redis_db or '0'!r}: name one other than 0 in --redis-url")
    return args


def log(message: str) -> None:
    print(f"[bench-jobs {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database, Redis and the app ----------------------------------------------------------


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def configure_environment(args: argparse.Namespace) -> None:
    """This process's environment, which the workers inherit: the bench database and Redis, the demo world."""
    for name in PROVIDER_VARS:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DATABASE_URL": libpq_url(args.database_url),
            "REDIS_URL": args.redis_url,
            "BETSCORE_ENV": "production",
            "SECRET_KEY": "bench-secret",
            "SCHEDULER": "off",
        }
    )


def prepare(args: argparse.Namespace) -> Any:
    """Fresh database, migrated and seeded (the demo world, no price history); the app, for enqueueing."""
    import logging

    from flask_migrate import upgrade

    from app import create_app
    from app.cli import seed_all
    from app.jobs.job import chain

    log(f"recreating database {db_name(args.database_url)}, flushing Redis {args.redis_url}")
    recreate_database(args.database_url)
    flush_redis(args.redis_url)
    app = create_app()
    with app.app_context():
        upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("betscore").setLevel(logging.WARNING)  # one INFO line per seeding job otherwise
        providers = {cap: chain(cap)[0].name for cap in ("odds", "fixtures", "standings")}
        if set(providers.values()) != {"demo"}:
            raise BenchError(f"expected the demo world to serve everything, got {providers}")
        started = time.perf_counter()
        seeded = seed_all(0)
        log(
            f"seeded the demo world in {time.perf_counter() - started:.1f} s: {seeded['jobs']} refreshes, "
            f"{seeded['written']:,} rows (no price history)"
        )
    return app


# --- enqueueing and draining --------------------------------------------------------------


def enqueue_noop(app: Any, n: int, tag: str) -> tuple[list[str], float]:
    from app.jobs import queues

    with app.app_context():
        started = time.perf_counter()
        ids = [queues.enqueue(NOOP, queue=QUEUE, job_id=f"bench-noop-{tag}-{i:05d}") for i in range(n)]
        return ids, time.perf_counter() - started


def enqueue_real(app: Any, n: int, kind: str, tag: str) -> tuple[list[str], float]:
    from app.jobs import queues
    from app.jobs.schedule import LEAGUES

    funcs = REAL_FUNCS[kind]
    with app.app_context():
        started = time.perf_counter()
        ids = []
        for i in range(n):
            func, league = funcs[i % len(funcs)], LEAGUES[(i // len(funcs)) % len(LEAGUES)]
            short = func.rsplit(":", 1)[1]
            ids.append(queues.enqueue(func, league, queue=QUEUE, job_id=f"bench-{short}-{league}-{tag}-{i:04d}"))
        return ids, time.perf_counter() - started


def run_worker(label: str, timeout: float) -> tuple[float, Path]:
    """One burst worker on the bench queue, start to exit; its output goes to bench/out/jobs-worker-<label>.log."""
    logfile = OUT / f"jobs-worker-{label}.log"
    cmd = [sys.executable, str(ROOT / "worker.py"), "--burst", "--queues", QUEUE, "--name", f"bench-{label}"]
    with logfile.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(proc)
            raise BenchError(f"worker {label} still running after {timeout:.0f} s (log {logfile})") from None
        except BaseException:
            stop(proc)
            raise
        wall = time.perf_counter() - started
    if code != 0:
        raise BenchError(f"worker {label} exited {code}; last lines of {logfile}:\n{tail(logfile)}")
    return wall, logfile


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a worker we started, and its work horse, by process group."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait)
            return


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def collect(app: Any, label: str, ids: list[str], wall: float, enqueue_s: float, logfile: Path, real: bool) -> Drain:
    """The drained jobs as RQ stored them: statuses, start and end times, and the real jobs' results."""
    from rq.job import Job

    from app.jobs import queues

    with app.app_context():
        jobs = Job.fetch_many(ids, connection=queues.connection())
    missing = sum(job is None for job in jobs)
    found = [job for job in jobs if job is not None]
    statuses = Counter(str(getattr(status, "value", status)) for status in (job.get_status() for job in found))
    if missing:
        statuses["missing"] = missing
    times = [(job.started_at, job.ended_at) for job in found if job.started_at and job.ended_at]
    if statuses.get("finished", 0) != len(ids) or len(times) != len(ids):
        raise BenchError(f"{label}: not every job finished: {dict(statuses)} (worker log {logfile})")
    span = max(end for _, end in times) - min(start for start, _ in times)
    in_job = sum((end - start).total_seconds() for start, end in times)
    drain = Drain(
        label, len(ids), wall, span.total_seconds(), in_job, dict(statuses), enqueue_s, str(logfile.relative_to(ROOT))
    )
    if real:
        drain.results = summarise(job.return_value() for job in found)
    return drain


def summarise(values: Any) -> dict[str, Any]:
    """Rows written, records read and skips over the real jobs' return values (their summaries)."""
    out: dict[str, Any] = {"written": 0, "records": 0, "unchanged": 0, "skipped": 0, "job_seconds": 0.0}
    for value in values:
        value = value or {}
        out["written"] += int(value.get("written", 0))
        out["records"] += int(value.get("records", 0))
        out["unchanged"] += int(value.get("unchanged", 0))
        out["skipped"] += "skipped" in value
        out["job_seconds"] += float(value.get("seconds", 0.0))
    return out


def startup(runs: int, timeout: float) -> list[float]:
    """Burst workers on the empty queue: start-up, one empty poll and exit."""
    return [run_worker(f"empty-{n + 1}", timeout)[0] for n in range(runs)]


def fork_cost(samples: int = 200) -> dict[str, float]:
    """fork() + immediate _exit + wait in this process (the app loaded, as in the worker): a work horse's floor."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - started)
    rss_kb = 0
    with contextlib.suppress(OSError, ValueError, StopIteration):
        status = Path("/proc/self/status").read_text()
        rss_kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
    return {"median_ms": statistics.median(times) * 1000, "samples": samples, "rss_mb": rss_kb / 1024}


# --- report -------------------------------------------------------------------------------


def table(phases: dict[str, Phase], startup_s: float) -> str:
    header = (
        f"{'phase':<34} {'jobs':>5} {'seconds':>8} {'jobs/s':>7} {'min-max':>11} {'ms/job':>7} {'in job':>7} "
        f"{'between':>8} {'wall s':>7} {'wall jobs/s':>12}"
    )
    lines = [header, "-" * len(header)]
    for p in phases.values():
        jobs = p.drains[0].jobs
        span = p.median(lambda d: d.span_s)
        in_job = p.median(lambda d: d.in_job_s / d.jobs * 1000)
        wall = p.median(lambda d: d.wall_s)
        wall_rate = jobs / (wall - startup_s) if wall > startup_s else float("nan")
        spread = f"{min(d.rate for d in p.drains):.1f}-{max(d.rate for d in p.drains):.1f}"
        lines.append(
            f"{p.label:<34} {jobs:>5} {span:>8.2f} {p.rate:>7.1f} {spread:>11} {1000 / p.rate:>7.2f} "
            f"{in_job:>7.2f} {p.median(lambda d: d.between_ms):>8.2f} {wall:>7.2f} {wall_rate:>12.1f}"
        )
    return "\n".join(lines)


def write_json(
    args: argparse.Namespace, phases: dict[str, Phase], startups: list[float], fork: dict[str, float], ratio: float
) -> Path:
    data = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "database": {"name": db_name(args.database_url)},
        "redis": args.redis_url,
        "worker": WORKER_CLASS_NOTE,
        "method": "seconds = first job's started_at to last job's ended_at (RQ job data), medians over drains",
        "queue": QUEUE,
        "real_jobs": {"kind": args.real_jobs, "functions": list(REAL_FUNCS[args.real_jobs])},
        "repeat": args.repeat,
        "startup_s": startups,
        "startup_median_s": statistics.median(startups),
        "fork_exit_wait": fork,
        "phases": {
            k: {
                "label": p.label,
                "jobs_per_s": p.rate,
                "ms_per_job": 1000 / p.rate,
                "drains": [{**asdict(d), "jobs_per_s": d.rate, "between_ms": d.between_ms} for d in p.drains],
            }
            for k, p in phases.items()
        },
        "ratio_real_to_noop": ratio,
    }
    path = OUT / "jobs.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def report(args: argparse.Namespace, phases: dict[str, Phase], startups: list[float], fork: dict[str, float]) -> None:
    startup_s = statistics.median(startups)
    noop, real = phases["noop"], phases["real"]
    ratio = real.rate / noop.rate
    written = [d.results["written"] for d in real.drains]
    skipped = [d.results["skipped"] for d in real.drains]
    records = [d.results["records"] for d in real.drains]
    job_s = statistics.median(d.results["job_seconds"] / d.jobs * 1000 for d in real.drains)
    print()
    print(
        f"BetScore jobs bench: {os.cpu_count()} CPUs shared by the worker, PostgreSQL, Redis and this script; "
        f"median of {args.repeat} drain(s) per phase"
    )
    print(WORKER_CLASS_NOTE)
    print()
    print(table(phases, startup_s))
    print()
    print(
        f"ratio real / no-op: {ratio:.3f} (real refresh jobs run at {ratio * 100:.1f} % of the no-op ceiling: "
        f"{real.rate:.1f} vs {noop.rate:.1f} jobs/s)"
    )
    print(
        f"real jobs: {', '.join(REAL_FUNCS[args.real_jobs])} cycled over the five leagues; rows written per drain "
        f"{written}, skipped (already running) {skipped}, provider records read {records}; "
        f"the jobs' own timing (inside @job) {job_s:.1f} ms/job"
    )
    print(
        "seconds: first job's started_at to last job's ended_at, as the work horses stored them in RQ: every job "
        "and every gap between jobs, not the worker's start-up or exit"
    )
    print(
        "in job: ms per job between started_at and ended_at (the job function, in the horse); between: ms per gap "
        "from one job's end to the next one's start (success bookkeeping, horse exit, dequeue, fork, set-up)"
    )
    print(
        f"wall: worker process start to exit; wall jobs/s = jobs / (wall - start-up), start-up = a burst worker "
        f"on an empty queue: median {startup_s:.2f} s of {[round(s, 2) for s in startups]}"
    )
    print(
        f"for scale: fork + _exit + wait of this process (app loaded, RSS {fork['rss_mb']:.0f} MB) takes "
        f"{fork['median_ms']:.2f} ms (median of {fork['samples']})"
    )
    enq = statistics.median(d.jobs / d.enqueue_s for d in noop.drains)
    print(f"enqueueing (app.jobs.queues.enqueue, one call per job, not timed above): {enq:.0f} no-op jobs/s")
    path = write_json(args, phases, startups, fork, ratio)
    print(f"results: {path.relative_to(ROOT)}, worker logs: bench/out/jobs-worker-*.log")


# --- orchestration ------------------------------------------------------------------------


def bench(args: argparse.Namespace) -> None:
    configure_environment(args)
    app = prepare(args)
    startups = startup(args.startup_runs, args.worker_timeout)
    log(f"burst worker on an empty queue (start-up + exit): {', '.join(f'{s:.2f}' for s in startups)} s")
    phases = {
        "noop": Phase("noop", f"no-op ({NOOP})"),
        "real": Phase(
            "real", f"real ({'refresh_odds' if args.real_jobs == 'odds' else 'odds/tables/fixtures'} x 5 leagues)"
        ),
    }
    for n in range(args.repeat):
        tag = f"r{n + 1}"
        ids, enqueue_s = enqueue_noop(app, args.noop, tag)
        wall, logfile = run_worker(f"noop-{tag}", args.worker_timeout)
        drain = collect(app, f"noop-{tag}", ids, wall, enqueue_s, logfile, real=False)
        phases["noop"].drains.append(drain)
        log(
            f"no-op drain {n + 1}/{args.repeat}: {drain.jobs} jobs in {drain.span_s:.2f} s = {drain.rate:.1f} jobs/s "
            f"(wall {drain.wall_s:.2f} s, enqueued in {enqueue_s:.2f} s)"
        )
        ids, enqueue_s = enqueue_real(app, args.real, args.real_jobs, tag)
        wall, logfile = run_worker(f"real-{tag}", args.worker_timeout)
        drain = collect(app, f"real-{tag}", ids, wall, enqueue_s, logfile, real=True)
        phases["real"].drains.append(drain)
        log(
            f"real drain {n + 1}/{args.repeat}: {drain.jobs} jobs in {drain.span_s:.2f} s = {drain.rate:.1f} jobs/s "
            f"(wall {drain.wall_s:.2f} s), {drain.results['written']} rows written, "
            f"{drain.results['skipped']} skipped"
        )
    fork = fork_cost()
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    report(args, phases, startups, fork)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        bench(args)
        ok = True
    except BenchError as exc:
        print(f"\nbench-jobs FAILED: {exc}", file=sys.stderr)
    finally:
        if not args.keep_database:
            with contextlib.suppress(Exception):
                flush_redis(args.redis_url)
                drop_database(args.database_url)
                log(f"dropped database {db_name(args.database_url)}, flushed Redis {args.redis_url}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
