# Production image: one image, four process types (web, live, worker, scheduler), chosen by the command.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BETSCORE_ENV=production

WORKDIR /srv/betscore
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY app ./app
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY wsgi.py worker.py gunicorn.conf.py gunicorn.live.conf.py ./

RUN useradd --system --uid 10001 betscore && mkdir -p instance && chown betscore instance
USER betscore

EXPOSE 8000 8001
# Web by default; the live sockets run `gunicorn -c gunicorn.live.conf.py wsgi:app` (gevent, port 8001),
# the other two process types `python worker.py` (an RQ worker) and `python worker.py --scheduler`
# (see fly.toml [processes]).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
