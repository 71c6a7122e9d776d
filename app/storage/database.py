"""Engine set-up that differs by database, and whether the schema is migrated to the code's head."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url

from app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("betscore.database")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin: pysqlite's own handling
    # breaks SAVEPOINT and transactional DDL (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets pages read while the embedded scheduler writes; wait rather than fail on a lock.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def configure(app: Flask) -> None:
    """Engine options that depend on the database, set before Flask-SQLAlchemy makes the engine: on PostgreSQL a
    bounded wait for a connection, so a restarting or unreachable server fails a request fast (errors.py: 503)."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options.setdefault("pool_timeout", app.config["DATABASE_POOL_TIMEOUT"])
    # libpq counts whole seconds and treats 1 as 2.
    connect_args = {"connect_timeout": max(2, int(app.config["DATABASE_CONNECT_TIMEOUT"]))}
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def end_session(_error: BaseException | None = None) -> None:
    """Close the request's or job's session, even when the server went away under it: ending the transaction then
    fails ("server closed the connection"), SQLAlchemy has already invalidated that connection, and the session is
    forgotten. Without this the failure surfaces after the response is made, as the server's bare 500."""
    try:
        db.session.remove()
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        log.warning("database connection lost while closing a session: %s", str(exc).splitlines()[0])
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(end_session)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        os.makedirs(os.path.dirname(uri.removeprefix("sqlite:///")) or ".", exist_ok=True)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)


def schema_behind() -> bool:
    """Whether the database lacks migrations the code has (a fresh clone before `flask db upgrade`, say)."""
    migrations = current_app.extensions["migrate"].directory
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != _code_heads(migrations)


@functools.cache
def _code_heads(migrations: str) -> frozenset[str]:
    """The migrations' heads, read once per process: the code does not change under it, and /readyz asks often."""
    return frozenset(ScriptDirectory(migrations).get_heads())


def migrated(command: F) -> F:
    """A command that reads or writes the tables: on an unmigrated database it says so in one line and exits 2,
    instead of a database traceback."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if schema_behind():
            click.echo("The database is not migrated to this version: run `flask db upgrade` first.", err=True)
            sys.exit(2)
        return command(*args, **kwargs)

    return checked  # type: ignore[return-value]
