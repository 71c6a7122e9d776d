"""Production server configuration (gunicorn), shared by the Dockerfile, fly.toml and `make bench`.

gthread: measured here as the fastest for Jinja and ORM pages (../shared/STACK-NOTES.md). Websockets are
served by their own process group, gevent workers configured in gunicorn.live.conf.py.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then as a guard against slow leaks; rarely enough that a reboot
# (about a second of re-import) never lands in the middle of ordinary traffic.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
