# What people type. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app:create_app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run live test lint audit chromium bench bench-tools bench-live bench-model backtest worker scheduler install install-dev migrate seed clean pwa-images health-screenshot

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

## Serve BetScore on the embedded default (SQLite, in-process jobs, demo data).
run: seed
	$(VENV)/bin/flask --app wsgi run --host $(HOST) --port $(PORT) --no-reload --with-threads

## The live socket service alone (gevent, gunicorn.live.conf.py) on LIVE_PORT (8001); needs REDIS_URL to hear
## what other processes publish. Pages find it through LIVE_URL, e.g. ws://127.0.0.1:8001/live.
live: install
	$(VENV)/bin/gunicorn -c gunicorn.live.conf.py wsgi:app

## The whole suite; PostgreSQL and Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set.
test: install-dev chromium
	$(PY) -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests and the audit; as root it is installed when missing.
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || { echo 'installing Chromium'; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Lighthouse (mobile) on /, a match, /leagues/epl and /model, served on the embedded default with demo data; prints
## the four scores, LCP and CLS per page. Not a test. Lighthouse 12 from npm into .lighthouse/ once (13 needs Node 22).
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE):
	npm install --prefix .lighthouse --save-exact --no-audit --no-fund lighthouse@12.2.3

audit: install chromium $(LIGHTHOUSE)
	CHROME_PATH=/usr/bin/chromium $(PY) bench/audit.py --lighthouse $(LIGHTHOUSE)

## Style, types, the architecture's import contracts (pyproject.toml) and the Dockerfile (hadolint, .hadolint.yaml);
## CI runs it before the tests.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile

## Benchmarks: the pages under the production server, side by side with a bare baseline;
## then the matches page with the app's metrics on, beside metrics off;
## then one large odds response ingested into PostgreSQL, side by side with a plain COPY;
## then no-op jobs through one RQ worker (the queue's ceiling), beside real demo refresh jobs;
## then 1,000-10,000 websockets on the live service, beside a bare flask-sock app;
## then the model: one league's fit beside penaltyblog's, and the five-league walk-forward.
bench: install-dev bench-tools
	$(PY) bench/run.py && $(PY) bench/metrics.py && $(PY) bench/ingest.py && $(PY) bench/jobs.py && $(PY) bench/live.py && $(PY) bench/model.py

## wrk loads the pages; as root it is installed from Debian's packages when missing.
bench-tools:
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || { echo 'installing wrk for the benchmarks'; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v wrk >/dev/null || { echo 'make bench needs wrk: apt-get install wrk'; exit 1; }

## The model alone: one league's fit and the walk-forward, beside penaltyblog (installed into its own venv once).
bench-model: install-dev
	$(PY) bench/model.py

## The live sockets alone: connect rate, broadcast delivery, memory per 1,000, page p99 beside 10,000 sockets.
bench-live: install-dev bench-tools
	$(PY) bench/live.py

## The model's walk-forward on football-data.co.uk CSVs (<DIV>/<yyyy-yy>.csv under BACKTEST_DATA), against the
## closing market and a reference Dixon-Coles; writes the report the model page shows.
BACKTEST_DATA ?= ../shared/data/football-data
backtest: install
	SCHEDULER=off DATABASE_URL=sqlite:// $(FLASK) predictions backtest --data $(BACKTEST_DATA) \
	  --json app/predictions/backtest.json

## The app's PNG icons, drawn from their SVGs, and the manifest's screenshots of the demo world (Debian's Chromium
## through Playwright), written under static/ to be committed: again after the icon or the pages change.
pwa-images: install-dev chromium
	$(PY) -m scripts.pwa_images

## Production's background processes (need REDIS_URL; DATABASE_URL for PostgreSQL):
## an RQ worker on the queues live, default, low; and the scheduler that enqueues app/jobs/schedule.py.
worker: install
	$(PY) worker.py

scheduler: install
	$(PY) worker.py --scheduler

clean:
	rm -rf $(VENV) .venv-penaltyblog instance .pytest_cache .hypothesis

## docs/admin-health-1280.png: the health page with live figures, from a demo world served as `make run` serves it,
## after a browser's visits (web vitals) and some plain traffic (bench/health_screenshot.py).
health-screenshot: install-dev chromium
	$(PY) bench/health_screenshot.py
