"""create_app(): the table of contents. Nothing runs at import, and nothing is imported with the package: `app.model`
and `app.providers` are plain Python, and importing them must not load Flask or the app's features."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app import config

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    from flask import Flask

    app = Flask(
        __name__,
        instance_path=str(config.ROOT / "instance"),
        template_folder=str(config.ROOT / "templates"),
        static_folder=str(config.ROOT / "static"),
    )
    app.config.update(config.load())
    app.config.update(overrides or {})
    _init_extensions(app)
    _init_features(app)
    _init_ops(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.extensions import cache, csrf, db, limiter, login, migrate, sock
    from app.ops import instrument, metrics
    from app.providers import registry
    from app.storage import database, replicas
    from app.web import compression, proxy, security

    proxy.init_app(app)
    metrics.init_app(app)
    database.configure(app)
    db.init_app(app)
    database.init_app(app)
    replicas.init_app(app)  # with DATABASE_REPLICA_URLS: read-only pages read from a replica
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True)
    login.init_app(app)
    login.login_view = "accounts.login"
    login.login_message = "Please sign in to see that page."
    limiter.init_app(app)
    cache.init_app(app)
    sock.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    compression.init_app(app)

    def clock() -> datetime:
        pinned = app.config.get("CLOCK")
        return pinned() if pinned else datetime.now(UTC)

    # Measured: requests, cache reads, queries (app/ops/instrument.py), provider calls through the registry's callback.
    instrument.init_app(app)
    app.extensions["betscore.providers"] = registry.build(app.config, clock, on_call=instrument.provider_called)
    app.extensions["betscore.demo"] = registry.is_demo(app.extensions["betscore.providers"])


def _init_features(app: Flask) -> None:
    from app import cli
    from app.accounts import routes as accounts
    from app.accounts.account import bp as account_bp
    from app.admin import dashboard
    from app.admin.routes import bp as admin_bp
    from app.bets import jobs as bet_jobs
    from app.bets.routes import bp as bets_bp
    from app.favourites import receivers as favourites
    from app.favourites.routes import bp as favourites_bp
    from app.live import route as live_route
    from app.matches import push
    from app.matches.routes import bp as matches_bp
    from app.media.routes import bp as media_bp
    from app.odds import history
    from app.odds.routes import bp as odds_bp
    from app.ops import prometheus, vitals
    from app.predictions import models as _prediction_models  # noqa: F401  (its tables and freeze guard)
    from app.predictions.routes import bp as predictions_bp
    from app.refresh import usage
    from app.web import assets, conditional, errors, limits, preferences, pwa, site, viewer

    viewer.init_app(app)
    assets.init_app(app)
    conditional.init_app(app)
    pwa.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    # Server-side sessions, Google and GitHub sign-in, and no secret in the logs.
    accounts.init_app(app)
    for blueprint in (
        site.bp,
        preferences.bp,
        matches_bp,
        odds_bp,
        predictions_bp,
        accounts.bp,
        account_bp,
        admin_bp,
        favourites_bp,
        bets_bp,
        media_bp,
    ):
        app.register_blueprint(blueprint)
    dashboard.init_app(app)
    # /metrics for Prometheus, behind METRICS_TOKEN; quota left read from the providers' usage.
    prometheus.init_app(app, quota=usage.quota_left)
    # Browsers' web vitals (LCP, CLS, INP) for the health page, and the kind of page each view draws.
    vitals.init_app(app)
    live_route.init_app(app)
    # After each job's commit (app.jobs.signals): open pages get what changed, bets on finished matches settle;
    # nightly, old prices are thinned and missed bets settled.
    push.init_app(app)
    history.init_app(app)
    # Followers' pages hear when their matches score; the planner counts followed matches as watched.
    favourites.init_app(app)
    # Bets settle when a result is final, and are archived nightly.
    bet_jobs.init_app(app)


def _init_ops(app: Flask) -> None:
    from app.ops import logs, sentry

    # Last: the request log wraps every other middleware, so every response carries its request id; Sentry's release
    # defaults to the static assets' version, known once they are.
    logs.init_app(app)
    sentry.init_app(app)
