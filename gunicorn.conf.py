"""Production server configuration (gunicorn), shared by the Dockerfile, fly.toml and `make bench`.

gthread: measured here as the fastest for Jinja and ORM pages (../shared/STACK-NOTES.md). Websockets are
served by their own process group, gevent workers configured in gunicorn.live.conf.py.
"""

import multiprocessing
import os

# Private names: gunicorn reads every public name of this file as a setting (`config` is one).
from app.config import log_settings as _log_settings
from app.ops.logs import gunicorn_config as _gunicorn_config

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "8"))
# A websocket opened here (LIVE_URL unset, or an attacker) holds a thread for as long as it is open: at most half the
# threads may, so no number of sockets stops pages and health checks. The live service (gunicorn.live.conf.py) is
# where sockets belong; it is not limited by this. Read by app/config.py in each worker.
os.environ.setdefault("WEB_MAX_SOCKETS", str(max(1, threads // 2)))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then as a guard against slow leaks; rarely enough that a reboot
# (about a second of re-import) never lands in the middle of ordinary traffic.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
# gunicorn's own lines through the app's log handler: one format (LOG_FORMAT) and the redaction for every line.
logconfig_dict = _gunicorn_config(_log_settings(), access=accesslog is not None)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# /metrics adds up every worker's figures from files in this folder (app/ops/prometheus.py); unset, each worker's own.
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def on_starting(server):
    from app.ops import multiprocess

    multiprocess.prepare(METRICS_DIR)


def child_exit(server, worker):
    from app.ops import multiprocess

    multiprocess.forget(worker.pid, METRICS_DIR)
