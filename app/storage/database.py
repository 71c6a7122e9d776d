"""Engine set-up that differs by database, and whether the schema is migrated to the code's head."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection

from app.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


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


def init_app(app: Flask) -> None:
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
    return current != set(ScriptDirectory(migrations).get_heads())


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
