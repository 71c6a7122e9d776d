"""Settings: defaults that run embedded, overridden from the environment (read only here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(text: str) -> tuple[int, ...]:
    """ "15,60,300" -> (15, 60, 300): whole seconds, at least one."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"expected comma-separated whole seconds, got {text!r}") from None
    if not values or min(values) < 0:
        raise ValueError(f"expected comma-separated whole seconds, got {text!r}")
    return values


def database_url(url: str | None) -> str:
    """The SQLAlchemy URL: SQLite under instance/ by default; PostgreSQL through psycopg2."""
    url = url or f"sqlite:///{ROOT / 'instance' / 'betscore.db'}"
    # Fly/Heroku style "postgres://" is refused by SQLAlchemy, and SQLAlchemy 2.1 maps a bare
    # "postgresql://" to psycopg 3; the stack ships psycopg2.
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg2://" + url.removeprefix(scheme)
    return url


def _replica_urls(text: str) -> tuple[str, ...]:
    """ "postgres://a/db,postgres://b/db" -> each as a SQLAlchemy URL; replicas are PostgreSQL streaming standbys."""
    urls = tuple(database_url(part.strip()) for part in text.split(",") if part.strip())
    if any(not url.startswith("postgresql") for url in urls):
        raise ValueError("DATABASE_REPLICA_URLS: every replica must be a postgres:// or postgresql:// URL")
    return urls


def _non_negative(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}: expected seconds, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise ValueError(f"{name}: expected 0 or more seconds, got {text!r}")
    return value


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """LOG_FORMAT and LOG_LEVEL, alone: the entry points (wsgi.py, worker.py, gunicorn's configuration) set up logging
    with them before the app exists. JSON lines in production, the readable text `make run` prints elsewhere."""
    env = os.environ if env is None else env
    production = env.get("BETSCORE_ENV", "development") == "production"
    fmt = (env.get("LOG_FORMAT") or ("json" if production else "text")).strip().lower()
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if fmt not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT is one of {', '.join(LOG_FORMATS)}, got {fmt!r}")
    if level not in LOG_LEVELS:
        raise ValueError(f"LOG_LEVEL is one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return {"LOG_FORMAT": fmt, "LOG_LEVEL": level}


def _sample_rate(text: str) -> float:
    rate = float(text)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"SENTRY_TRACES_SAMPLE_RATE is a share of requests and jobs, 0 to 1, got {text!r}")
    return rate


def load(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the settings dict from an environment mapping (os.environ by default)."""
    env = os.environ if env is None else env
    redis_url = env.get("REDIS_URL") or None
    production = env.get("BETSCORE_ENV", "development") == "production"
    settings: dict[str, Any] = {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        # A pooled connection is tested before use: a restarted server's old connections are replaced, not failed on.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # On PostgreSQL, seconds to wait for a new connection (libpq's connect_timeout) and for a free pooled one:
        # while the server restarts or cannot be reached, a request fails fast with a 503 instead of hanging.
        "DATABASE_CONNECT_TIMEOUT": int(env.get("DATABASE_CONNECT_TIMEOUT", "3")),
        "DATABASE_POOL_TIMEOUT": float(env.get("DATABASE_POOL_TIMEOUT", "5")),
        # Streaming replicas of DATABASE_URL that read-only pages read from (app/storage/replicas.py); one that is
        # down or more than REPLICA_MAX_LAG_SECONDS behind is skipped, looked at again after REPLICA_CHECK_SECONDS.
        "DATABASE_REPLICA_URLS": _replica_urls(env.get("DATABASE_REPLICA_URLS", "")),
        "REPLICA_MAX_LAG_SECONDS": _non_negative("REPLICA_MAX_LAG_SECONDS", env.get("REPLICA_MAX_LAG_SECONDS", "10")),
        "REPLICA_CHECK_SECONDS": _non_negative("REPLICA_CHECK_SECONDS", env.get("REPLICA_CHECK_SECONDS", "5")),
        "REDIS_URL": redis_url,
        # Redis down is a degraded mode: reads miss and pages render from the database (app/storage/cache_backend.py).
        "CACHE_TYPE": "app.storage.cache_backend.FailSoftRedisCache" if redis_url else "SimpleCache",
        "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0} if redis_url else {},
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DEFAULT_TIMEOUT": int(env.get("CACHE_DEFAULT_TIMEOUT", "300")),
        # Cached values are pickled by class path (app.football.services.MatchCard): a release that moves or renames a
        # cached class changes this, so it never reads what an older release stored (unpickling that is a 500).
        "CACHE_KEY_PREFIX": "betscore:c3:",
        # In-process cache only: past this many entries cachelib drops the oldest, never-expiring ones first.
        "CACHE_THRESHOLD": int(env.get("CACHE_THRESHOLD", "5000")),
        # Proxies in front of the app whose X-Forwarded-For and -Proto (and Fly-Client-IP) are believed: 1 on Fly. With
        # none trusted, those headers are the visitor's own words (app/web/proxy.py).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or "0"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        # One budget per visitor's address for the whole site, every route together (Flask-Limiter's application limit):
        # as a default per route it let one address spread its requests over five routes and get five budgets.
        "RATELIMIT_APPLICATION": env.get("RATELIMIT_DEFAULT", "200 per minute;2000 per hour"),
        # Sign-in, sign-up and password reset: per client address (RATELIMIT_LOGIN) and per account, keyed by the
        # email in the form (RATELIMIT_ACCOUNT); signed in, every user has RATELIMIT_USER for the whole site.
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN", "5 per minute;50 per hour"),
        "RATELIMIT_ACCOUNT": env.get("RATELIMIT_ACCOUNT", "5 per minute;20 per hour"),
        "RATELIMIT_USER": env.get("RATELIMIT_USER", "100 per minute;1000 per hour"),
        # Crest and badge images (/media): outside the budgets above (a page shows dozens), within one of their own.
        "RATELIMIT_MEDIA": env.get("RATELIMIT_MEDIA", "600 per minute"),
        # Real-user web vitals (app/ops/vitals.py): the share of page views whose browser measures and beacons them
        # (0 to 1; 0 sends nothing), and each address's budget of beacons (a page sends up to three).
        "VITALS_SAMPLE_RATE": float(env.get("VITALS_SAMPLE_RATE", "0.1")),
        "RATELIMIT_VITALS": env.get("RATELIMIT_VITALS", "60 per minute"),
        # No X-RateLimit-* headers: they cost every response a read of the limit's storage (Redis), and nothing reads
        # them. A 429 says when to come back in Retry-After and on its page (app/web/limits.py).
        "RATELIMIT_HEADERS_ENABLED": False,
        # While Redis is down, limits are counted per process instead of not at all, and no request fails for it.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0} if redis_url else {},
        # embedded: the periodic jobs run in a thread of this process; off: nobody runs them here.
        "SCHEDULER": env.get("SCHEDULER", "off" if redis_url else "embedded"),
        # A job that fails for a passing reason (provider, database) is retried after these many seconds.
        "JOB_RETRY_INTERVALS": _seconds(env.get("JOB_RETRY_INTERVALS", "15,60,300")),
        # A worker running a job says it is alive this often; a job whose worker has been silent for
        # JOB_ABANDONED_AFTER seconds is abandoned (the worker was killed): the schedule runs it again.
        "WORKER_HEARTBEAT_SECONDS": int(env.get("WORKER_HEARTBEAT_SECONDS", "15")),
        "JOB_ABANDONED_AFTER": int(env.get("JOB_ABANDONED_AFTER", "60")),
        # A provider's circuit opens after this many failed calls in a row, and is probed again after the cooldown.
        "BREAKER_THRESHOLD": int(env.get("BREAKER_THRESHOLD", "5")),
        "BREAKER_COOLDOWN": float(env.get("BREAKER_COOLDOWN", "60")),
        "DEMO_SEED": int(env.get("DEMO_SEED", "7")),
        "SEED_HISTORY_HOURS": int(env.get("SEED_HISTORY_HOURS", "48")),
        **log_settings(env),
        # Error tracking (app/ops/sentry.py): off without a DSN. The release defaults to the static assets' version.
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "SENTRY_RELEASE": env.get("SENTRY_RELEASE") or None,
        "SENTRY_TRACES_SAMPLE_RATE": _sample_rate(env.get("SENTRY_TRACES_SAMPLE_RATE") or "0"),
        # The app's own measurements (app/ops/metrics.py: the health dashboard and /metrics); off, nothing is recorded.
        "METRICS_ENABLED": _bool(env.get("METRICS_ENABLED"), True),
        # /metrics answers only a scraper sending "Authorization: Bearer <METRICS_TOKEN>"; unset, there is no /metrics.
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # Where each gunicorn worker keeps its Prometheus figures for /metrics to add up (prometheus-client reads the
        # variable too, at import). Unset: one process's own figures.
        "PROMETHEUS_MULTIPROC_DIR": env.get("PROMETHEUS_MULTIPROC_DIR") or None,
        # Providers: with no key set, the demo world serves everything.
        "ODDS_API_KEY": env.get("ODDS_API_KEY") or None,
        "API_FOOTBALL_KEY": env.get("API_FOOTBALL_KEY") or None,
        "RAPIDAPI_KEY": env.get("RAPIDAPI_KEY") or None,
        "FOOTBALL_DATA_KEY": env.get("FOOTBALL_DATA_KEY") or None,
        "ODDS_API_BASE_URL": env.get("ODDS_API_BASE_URL") or None,
        "API_FOOTBALL_BASE_URL": env.get("API_FOOTBALL_BASE_URL") or None,
        "FOOTBALL_DATA_BASE_URL": env.get("FOOTBALL_DATA_BASE_URL") or None,
        # The Odds API's plan: credits a month, and how many are kept back for closing lines.
        "ODDS_API_MONTHLY_CREDITS": int(env.get("ODDS_API_MONTHLY_CREDITS", "500")),
        "ODDS_API_CLOSING_RESERVE": int(env.get("ODDS_API_CLOSING_RESERVE", "60")),
        # API-Football's plan: calls a day, and how many live polling leaves for fixtures and tables.
        "API_FOOTBALL_DAILY_CALLS": int(env.get("API_FOOTBALL_DAILY_CALLS", "100")),
        "API_FOOTBALL_RESERVE": int(env.get("API_FOOTBALL_RESERVE", "10")),
        # Live pushes (app/live): caps per instance and per connection, heartbeat, where pages connect.
        # On a thread-per-connection server (gunicorn.conf.py's gthread web tier) each socket pins a thread: there
        # WEB_MAX_SOCKETS caps them per worker so pages and health checks always keep threads.
        "LIVE_MAX_CONNECTIONS": min(
            int(env.get("LIVE_MAX_CONNECTIONS", "10000")), int(env.get("WEB_MAX_SOCKETS") or "10000")
        ),
        # One client address cannot fill an instance: its sockets beyond this are closed with 1008.
        "LIVE_MAX_PER_ADDRESS": int(env.get("LIVE_MAX_PER_ADDRESS", "20")),
        "LIVE_MAX_MESSAGES_PER_MINUTE": int(env.get("LIVE_MAX_MESSAGES_PER_MINUTE", "100")),
        "LIVE_MAX_MESSAGE_BYTES": int(env.get("LIVE_MAX_MESSAGE_BYTES", "4096")),
        "LIVE_MAX_TOPICS": int(env.get("LIVE_MAX_TOPICS", "32")),
        "LIVE_OUTBOX": int(env.get("LIVE_OUTBOX", "64")),
        # A client that takes longer than this to accept one message has stopped reading: it is let go.
        "LIVE_SEND_TIMEOUT": float(env.get("LIVE_SEND_TIMEOUT", "10")),
        "LIVE_PING_SECONDS": float(env.get("LIVE_PING_SECONDS", "25")),
        "LIVE_HEARTBEAT_SECONDS": float(env.get("LIVE_HEARTBEAT_SECONDS", "15")),
        "LIVE_COMPRESSION": _bool(env.get("LIVE_COMPRESSION"), False),
        # Pages elsewhere than this site that may open the socket (the live service on its own host needs the site's).
        "LIVE_ORIGINS": tuple(o.strip() for o in env.get("LIVE_ORIGINS", "").split(",") if o.strip()),
        # Where pages connect: "" is this site's /live; "wss://live.example.com/live" for a separate socket service.
        "LIVE_URL": env.get("LIVE_URL", ""),
        # The model page's backtest: the JSON `flask predictions backtest --json` wrote (`make backtest`).
        "BACKTEST_REPORT": env.get("BACKTEST_REPORT") or str(ROOT / "app" / "predictions" / "backtest.json"),
        # Accounts' email (app/accounts/mail.py): with no MAIL_SERVER, development writes links to the
        # 'betscore.outbox' log and production sends nothing; with one, sign-up asks to confirm the address.
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or "587"),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": env.get("MAIL_FROM") or "BetScore <no-reply@localhost>",
        # Sign-in with Google (OpenID Connect) and GitHub (OAuth 2): each offered only when its client id is set.
        "GOOGLE_CLIENT_ID": env.get("GOOGLE_CLIENT_ID") or None,
        "GOOGLE_CLIENT_SECRET": env.get("GOOGLE_CLIENT_SECRET") or None,
        "GOOGLE_DISCOVERY_URL": env.get("GOOGLE_DISCOVERY_URL")
        or "https://accounts.google.com/.well-known/openid-configuration",
        "GITHUB_CLIENT_ID": env.get("GITHUB_CLIENT_ID") or None,
        "GITHUB_CLIENT_SECRET": env.get("GITHUB_CLIENT_SECRET") or None,
        # Where GitHub signs people in and answers its API: GitHub Enterprise's host (API under /api/v3), or a test's.
        "GITHUB_URL": env.get("GITHUB_URL") or "https://github.com",
        "GITHUB_API_URL": env.get("GITHUB_API_URL") or "https://api.github.com",
        # Server-side sessions (Flask-Session): in Redis when REDIS_URL is set, else files in this folder.
        "SESSION_FILE_DIR": env.get("SESSION_FILE_DIR") or str(ROOT / "instance" / "sessions"),
        "SESSION_PERMANENT": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Crests and badges (app/media): files under MEDIA_ROOT, or objects in MEDIA_BUCKET when it is set (an
        # S3-compatible store; credentials from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the role).
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(ROOT / "instance" / "media"),
        "MEDIA_BUCKET": env.get("MEDIA_BUCKET") or None,
        "MEDIA_S3_ENDPOINT_URL": env.get("MEDIA_S3_ENDPOINT_URL") or None,
        "MEDIA_S3_REGION": env.get("MEDIA_S3_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        "MEDIA_S3_PREFIX": env.get("MEDIA_S3_PREFIX", "media/"),
        # One image fetched from a provider: at most this many bytes, within this many seconds in all.
        "MEDIA_MAX_BYTES": int(env.get("MEDIA_MAX_BYTES", str(512 * 1024))),
        "MEDIA_FETCH_TIMEOUT": float(env.get("MEDIA_FETCH_TIMEOUT", "10")),
        # Images fetched per run of the crests job (the rest wait for the next run).
        "MEDIA_FETCH_BATCH": int(env.get("MEDIA_FETCH_BATCH", "40")),
        # Backups (`flask backup`, and the nightly job): dumps and their manifests in BACKUP_DIR, or in BACKUP_BUCKET
        # under BACKUP_S3_PREFIX when it is set (an S3-compatible store, by default the media's endpoint and region).
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(ROOT / "instance" / "backups"),
        "BACKUP_BUCKET": env.get("BACKUP_BUCKET") or None,
        "BACKUP_S3_PREFIX": env.get("BACKUP_S3_PREFIX", "backups/"),
        "BACKUP_S3_ENDPOINT_URL": env.get("BACKUP_S3_ENDPOINT_URL") or env.get("MEDIA_S3_ENDPOINT_URL") or None,
        "BACKUP_S3_REGION": env.get("BACKUP_S3_REGION")
        or env.get("MEDIA_S3_REGION")
        or env.get("AWS_DEFAULT_REGION")
        or None,
        # The folder of pg_dump and pg_restore; unset: Debian's of the server's version, else the PATH's.
        "BACKUP_PG_BIN": env.get("BACKUP_PG_BIN") or None,
        # The server verify creates its scratch database on (a role allowed to CREATE DATABASE); unset: DATABASE_URL's.
        "BACKUP_VERIFY_DATABASE_URL": database_url(env["BACKUP_VERIFY_DATABASE_URL"])
        if env.get("BACKUP_VERIFY_DATABASE_URL")
        else None,
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(64 * 1024))),
        "WTF_CSRF_TIME_LIMIT": None,
    }
    if settings["TRUSTED_PROXIES"] < 0:
        raise ValueError(f"TRUSTED_PROXIES counts proxies: 0 or more, got {settings['TRUSTED_PROXIES']}")
    if settings["DATABASE_REPLICA_URLS"] and not settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        raise ValueError("DATABASE_REPLICA_URLS needs DATABASE_URL to be their PostgreSQL primary")
    if not 0 <= settings["VITALS_SAMPLE_RATE"] <= 1:
        raise ValueError(f"VITALS_SAMPLE_RATE is a share of page views, 0 to 1, got {settings['VITALS_SAMPLE_RATE']}")
    if production and settings["SECRET_KEY"] == DEV_SECRET:
        raise RuntimeError("SECRET_KEY must be set when BETSCORE_ENV=production")
    return settings
