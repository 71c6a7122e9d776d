# syntax=docker/dockerfile:1
# Production image: one image, four process types (web, live, worker, scheduler), chosen by the command (fly.toml).
# Two stages: the build stage installs the pinned runtime requirements into a virtualenv (with a compiler at hand
# for any package without a wheel); the final stage copies that virtualenv and the app, and nothing of the build:
# no compiler, no pip cache, no test or development tools (requirements-dev.txt never enters the image).
# The base is pinned to a Python patch release and a Debian release; bump both on purpose. `make lint` runs hadolint.

FROM python:3.11.15-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# requirements.txt is the whole runtime lock (every package pinned), so nothing unpinned comes along.
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11.15-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    BETSCORE_ENV=production \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/betscore-metrics
# pg_dump and pg_restore for `flask backup` (their major version must be at least the server's: Debian bookworm
# ships 15; for a newer server install postgresql-client-<major> from apt.postgresql.org instead).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin betscore
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/betscore
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY wsgi.py worker.py gunicorn.conf.py gunicorn.live.conf.py ./
# instance/: the app's own files; the metrics folder: each gunicorn worker's Prometheus figures, which /metrics adds
# up (emptied when gunicorn starts; it must exist for the other processes, which load the same app).
RUN mkdir -p instance "$PROMETHEUS_MULTIPROC_DIR" && chown 10001:10001 instance "$PROMETHEUS_MULTIPROC_DIR"
USER 10001:10001

EXPOSE 8000 8001
# Liveness of the web process (/healthz asks nothing but the process). Python's own urllib: the slim image has no
# curl. The live, worker and scheduler processes serve no /healthz on $PORT: run them with --no-healthcheck (Fly
# ignores HEALTHCHECK and uses fly.toml's checks).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
# Web by default; the live sockets run `gunicorn -c gunicorn.live.conf.py wsgi:app` (gevent, port 8001),
# the other two process types `python worker.py` (an RQ worker) and `python worker.py --scheduler`.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
