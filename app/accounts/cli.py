"""`flask users create-admin EMAIL`: the first administrator, password asked for, never echoed."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import services
from app.extensions import db
from app.storage.database import migrated

users = AppGroup("users", help="User accounts.")


@users.command("create-admin")
@click.argument("email")
@click.password_option(prompt="Password", help="Read from the prompt when not given.")
@migrated
def create_admin(email: str, password: str) -> None:
    """Create an administrator account."""
    try:
        user = services.create_user(email, password, admin=True)
        db.session.commit()
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created administrator {user.email}.")
