"""`flask backup create | verify FILE | restore FILE`: what an operator types, with one clear line when it cannot."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.admin import backups
from app.admin.backup_places import S3
from app.storage.dumps import BackupError, Database

backup = AppGroup("backup", help="Backups of the PostgreSQL database: make, prove by a restore, restore.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@backup.command("create")
def backup_create() -> None:
    """Dump the database (pg_dump custom format) with a manifest of its key tables' figures; print where it is."""
    try:
        location, manifest = backups.create()
    except BackupError as exc:
        _fail(str(exc))
        return
    click.echo(f"{location}  {manifest['size']} bytes  sha256 {manifest['sha256']}")


@backup.command("verify")
@click.argument("file")
def backup_verify(file: str) -> None:
    """Restore FILE (a path, or s3://bucket/key) into a scratch database and compare it with its manifest."""
    report = backups.verify(file)
    click.echo(report.text(), nl=False)
    if not report.ok:
        sys.exit(1)


@backup.command("restore")
@click.argument("file")
@click.option("--target", metavar="URL", help="The database to restore into (default: DATABASE_URL).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(file: str, target: str | None, yes: bool) -> None:
    """Replace the target database's tables with those of FILE, all or nothing; asks first unless --yes."""
    try:
        database = Database.from_url(target or current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as exc:
        _fail(str(exc))
        return
    if not file.startswith(S3) and not Path(file).is_file():
        _fail(f"no such backup file: {file}")
    if not yes and not click.confirm(
        f"Replace the tables of database {database} with those of {file}? What they hold now is lost"
    ):
        _fail("nothing restored")
    report = backups.restore(file, database)
    click.echo(report.text(), nl=False)
    if not report.ok:
        sys.exit(1)
