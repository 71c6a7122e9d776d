"""Friendly error pages: every failure a visitor can cause gets a page, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.web.htmx import is_htmx

log = logging.getLogger("betscore.errors")
ErrorPage = tuple[str | Response, int]
# The database is restarting or cannot be reached (refused, timed out, connection lost, no pooled connection free
# in time): the visitor is told to come back shortly, not shown a failure of ours.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 5


# Werkzeug's own words for the errors a visitor meets most, said as BetScore says things. A view's own description
# (abort(404, "There is no league 'xyz'.")) is kept: it knows better.
OUR_WORDS = {
    400: ("That request didn’t make sense to us", "Something in the address or the form was not what we expected."),
    404: (
        "We can’t find that page",
        "The link may be old, or the address mistyped. The matches and the model are where they always are.",
    ),
    405: ("That can’t be done here", "This page cannot be used that way. Try it from the page itself."),
}


def render_error(error: HTTPException) -> ErrorPage:
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    code = error.code or 500
    title, message = error.name, error.description
    if code in OUR_WORDS:
        title = OUR_WORDS[code][0]
        if message == type(error).description:
            message = OUR_WORDS[code][1]
    try:
        return render_template(template, code=code, title=title, message=message), code
    except Exception:  # the page around the message failed too: the message still gets out, never a bare 500
        log.exception("the error page for a %s failed to render on %s %s", code, request.method, request.path)
        return Response(f"{code} {error.name}: {error.description}\n", mimetype="text/plain"), code


def _csrf(error: CSRFError) -> ErrorPage:
    error.description = "Your form expired or came from another site. Reload the page and try again."
    return render_error(error)


def _database_unavailable(error: Exception) -> tuple[str | Response, int, dict[str, str]]:
    log.warning("database unavailable on %s %s: %s", request.method, request.path, str(error).splitlines()[0])
    if "_login_user" not in g:
        # The page's menu must not ask the database who is signed in: this page is shown as to a visitor.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    body, code = render_error(
        ServiceUnavailable("BetScore cannot reach its database for a moment. Try again in a few seconds.")
    )
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _unexpected(error: Exception) -> ErrorPage:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError("Something went wrong on our side. It has been logged."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, render_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
