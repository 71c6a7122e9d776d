"""The live socket service's gunicorn configuration (gevent): `make live`, fly.toml's `live` group, bench/live.py.

Pages stay on gunicorn.conf.py (gthread: every open websocket would pin one of its threads,
../shared/STACK-NOTES.md). This process group serves only `/live`: one gevent worker holds
LIVE_MAX_CONNECTIONS sockets (10,000 by default), each a pair of greenlets.

- psycopg2 blocks the whole gevent hub during a query unless psycogreen patches it after the fork.
- gunicorn's gevent worker stops on SIGTERM by waiting `graceful_timeout` for its handlers to end,
  and a socket handler never ends on its own: a watcher greenlet closes every socket with 1001
  ("going away", the page reconnects, to another instance if this one is gone) as soon as the
  worker stops being alive. A quick shutdown (SIGINT/SIGQUIT, Fly's default kill signal) does the
  same through `worker_int`, within a shorter wait.
"""

import os
import resource

# Private names: gunicorn reads every public name of this file as a setting (`config` is one).
from app.config import log_settings as _log_settings
from app.ops.logs import gunicorn_config as _gunicorn_config

_port = os.environ.get("LIVE_PORT", "8001")
bind = os.environ.get("LIVE_BIND", f"0.0.0.0:{_port}")
worker_class = "gevent"
workers = int(os.environ.get("LIVE_WORKERS", "1"))
# One pool slot per socket. Past the app's cap (LIVE_MAX_CONNECTIONS) a socket is still accepted
# and answered 1013 "full, try again" instead of waiting unanswered in the listen backlog.
LIVE_HEADROOM = int(os.environ.get("LIVE_HEADROOM", "500"))
worker_connections = int(os.environ.get("LIVE_MAX_CONNECTIONS", "10000")) + LIVE_HEADROOM
backlog = 4096  # reconnect storms after a deploy arrive all at once
timeout = 30  # the worker's heartbeat: a hub blocked that long (a CPU-bound loop) gets it restarted
graceful_timeout = 20
keepalive = 5
max_requests = 0  # never recycle: a restart drops every socket
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
# gunicorn's own lines through the app's log handler: one format (LOG_FORMAT) and the redaction for every line.
logconfig_dict = _gunicorn_config(_log_settings(), access=accesslog is not None)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Each socket brings ~100 objects the cycle collector tracks; at 10,000 sockets a full collection
# stops every socket for ~0.5 s. Collecting the oldest generation 100x less often (700,10,1000 instead
# of 700,10,10) took the 10,000-socket delivery p99 from 2.6-2.9x the bare app to 1.4x (bench/live.py);
# memory per 1,000 sockets did not change. LIVE_GC_THRESHOLDS="" keeps Python's defaults.
GC_THRESHOLDS = tuple(int(n) for n in os.environ.get("LIVE_GC_THRESHOLDS", "700,10,1000").split(",") if n.strip())
SHUTDOWN_WAIT_S = 10.0  # SIGTERM: seconds the handlers get to send their close frames (< graceful_timeout)
QUICK_SHUTDOWN_WAIT_S = 2.0  # SIGINT/SIGQUIT: gunicorn exits the worker right after worker_int


# /metrics of the live service adds up its workers' figures here: a folder of its own, not the web service's.
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def child_exit(server, worker):
    from app.ops import multiprocess

    multiprocess.forget(worker.pid, METRICS_DIR)


def on_starting(server):
    """Raise the open-files limit (inherited by the workers) to what the sockets need, as far as allowed; empty the
    metrics folder of an earlier run."""
    from app.ops import multiprocess

    multiprocess.prepare(METRICS_DIR)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = workers * worker_connections + 1024
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < workers * worker_connections + 256:
        server.log.warning(
            "live: open files limited to %d, below %d sockets: raise `ulimit -n`", want, workers * worker_connections
        )


def post_fork(server, worker):
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()


def _close_all_sockets(worker, wait):
    from app.live.hub import GOING_AWAY, shutdown_all

    closed = shutdown_all(GOING_AWAY, wait=wait)
    if closed:  # the watcher and worker_int may both run: the second finds nothing left
        worker.log.info("live: closed %d sockets with %d (going away)", closed, GOING_AWAY)


def post_worker_init(worker):
    import gc

    import gevent

    if GC_THRESHOLDS:
        gc.set_threshold(*GC_THRESHOLDS)

    def watch():
        while worker.alive:
            gevent.sleep(0.2)
        _close_all_sockets(worker, SHUTDOWN_WAIT_S)

    gevent.spawn(watch)


def worker_int(worker):
    _close_all_sockets(worker, QUICK_SHUTDOWN_WAIT_S)
