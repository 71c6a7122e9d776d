"""Error tracking: sentry-sdk with the Flask and RQ integrations, when SENTRY_DSN is set. No personal data: the SDK's
own (cookies, addresses, users) is off, and every event and transaction passes the logs' redaction before it leaves;
each is tagged with the request or job id its log lines carry, so an error leads to its lines and back."""

from __future__ import annotations

from typing import Any

from flask import Flask, request_started

from app.ops import logs, redaction


def scrubbed(event: Any, hint: Any = None) -> Any:
    """before_send and before_send_transaction: the event redacted (its message, traceback, frame variables, request
    data, query string and headers) and tagged with the request or job id."""
    clean = redaction.scrub(event)
    tags = clean.get("tags")
    clean["tags"] = {**(tags if isinstance(tags, dict) else {}), **logs.ids()}
    return clean


def tag_request(sender: Flask, **extra: Any) -> None:
    """The request's id on its Sentry scope: its transaction ends after the request log's context (before_send's tag)
    has gone, as the SDK's middleware wraps the app's."""
    import sentry_sdk

    sentry_sdk.set_tag("request_id", logs.ids().get("request_id"))


def init_app(app: Flask) -> None:
    if not app.config["SENTRY_DSN"]:
        return
    # Imported only when used: a process without a DSN never loads the SDK.
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.logging import ignore_logger
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        # Pages, and jobs on RQ workers (a failed job reported once, when no retry is left).
        # Transactions named by URL rule, as the request log's `route` field: one name to search both by.
        integrations=[FlaskIntegration(transaction_style="url"), RqIntegration()],
        # The deploy's release (SENTRY_RELEASE, e.g. the git sha), else the static assets' version (app/web/assets.py).
        release=app.config["SENTRY_RELEASE"] or app.extensions["betscore.asset_version"],
        environment=app.config["ENV_NAME"],
        # No personal data: send_default_pii stays unset, which is False (sentry-sdk 2.75 deprecates setting it for
        # data_collection, whose explicit form would also switch off the SDK's own scrubber of secret-named keys).
        before_send=scrubbed,
        before_send_transaction=scrubbed,
        # flask-sock reports every closed websocket as StopIteration (see STACK-NOTES).
        ignore_errors=[StopIteration],
        traces_sample_rate=app.config["SENTRY_TRACES_SAMPLE_RATE"],
    )
    request_started.connect(tag_request, app)
    # The job decorator logs every failed attempt with its traceback; as events they would report a job once per
    # retry. The RQ integration reports it once, when no retry is left.
    ignore_logger("betscore.jobs")
