"""Backups of the PostgreSQL database: made, proven by a restore, restored; the nightly run of both, and its log.

`create` dumps the database with the fingerprint of the same snapshot (app/storage/dumps.py) and keeps both where the
settings say (app/admin/backup_places.py). `verify` restores a dump into a scratch database and compares it with that
fingerprint. The nightly job does both and records a BackupRun; `last_verified()` is the newest proven backup.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import BigInteger, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.admin.backup_places import fetched, manifest_path, place, read_manifest, write_manifest
from app.admin.backup_report import Report, check_file, compare_tables
from app.extensions import Model, db
from app.jobs.job import job
from app.storage import dumps
from app.storage.columns import UTCDateTime
from app.storage.dumps import BackupError, Database

log = logging.getLogger("betscore.backups")
REPORT_CHARS = 20_000


class BackupRun(Model):
    """One nightly backup: the file it made and whether a restore of it matched the source."""

    __tablename__ = "backup_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    file: Mapped[str | None] = mapped_column(String(500))  # a path, or s3://bucket/key
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    verified: Mapped[str | None] = mapped_column(String(8))  # ok or failed; None while it runs
    report: Mapped[str | None] = mapped_column(Text)  # the verify report, or why there is none


def last_verified() -> BackupRun | None:
    """The newest backup whose restore matched the source (what the health dashboard shows)."""
    return db.session.scalar(
        select(BackupRun).where(BackupRun.verified == "ok").order_by(BackupRun.finished_at.desc()).limit(1)
    )


def source() -> Database:
    """The app's own database (DATABASE_URL); a clear error when it is SQLite."""
    return Database.from_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def create() -> tuple[str, dict[str, Any]]:
    """Dump the app's database with its manifest; return where they are kept and the manifest."""
    settings = current_app.config
    database = source()
    where = place(settings)
    if where.staging is not None:
        where.staging.mkdir(parents=True, exist_ok=True)
    # A half-written dump stays in a hidden folder that is removed, never under the name of a backup.
    with tempfile.TemporaryDirectory(dir=where.staging, prefix=".partial-") as folder:
        # UTC, in lower case and digits (the log's redaction masks long mixed-case words as possible secrets).
        name = f"{database.name}-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}.dump"
        path = Path(folder) / name
        manifest = dumps.dump(database, path, settings["BACKUP_PG_BIN"])
        write_manifest(path, manifest)
        location = where.keep(path)
    log.info("backup %s: %s bytes, sha256 %s", location, manifest["size"], manifest["sha256"])
    return location, manifest


def verify(location: str) -> Report:
    """Restore the dump into a scratch database and compare it with its manifest; the report says what matched."""
    report = Report(f"Backup verify: {location}")
    try:
        with fetched(location, current_app.config) as path:
            _verify(path, report)
    except BackupError as exc:
        report.fail(str(exc))
    return report


def _server() -> Database:
    url = current_app.config["BACKUP_VERIFY_DATABASE_URL"] or current_app.config["SQLALCHEMY_DATABASE_URI"]
    return Database.from_url(url)


def _verify(path: Path, report: Report) -> None:
    pg_bin = current_app.config["BACKUP_PG_BIN"]
    server = _server()
    conn = server.connect()
    try:
        major = dumps.server_major(conn)
    finally:
        conn.close()
    dumps.check_archive(path, pg_bin, major)
    manifest = read_manifest(path)
    check_file(report, manifest, path.stat().st_size, dumps.sha256(path))
    started = time.perf_counter()
    with dumps.scratch(server) as copy:
        dumps.restore(path, copy, pg_bin)
        conn = copy.connect()
        try:
            restored = dumps.fingerprint(conn, tuple(manifest.get("key_tables", dumps.KEY_TABLES)))
            revision = dumps.schema_revision(conn)
        finally:
            conn.close()
    report.lines.append(
        f"  restored   into scratch database {copy.name} on {copy.host} in {time.perf_counter() - started:.1f} s,"
        " then dropped"
    )
    if revision != manifest.get("schema_revision"):
        report.differences.append(f"schema revision {revision}, the source {manifest.get('schema_revision')}")
    compare_tables(report, manifest, restored)


def restore(location: str, target: Database) -> Report:
    """Replace the target's tables with the dump's (all or nothing), then check the result against the manifest."""
    report = Report(f"Backup restore: {location} into {target}")
    try:
        with fetched(location, current_app.config) as path:
            conn = target.connect()
            try:
                major = dumps.server_major(conn)
            finally:
                conn.close()
            dumps.check_archive(path, current_app.config["BACKUP_PG_BIN"], major)
            manifest = read_manifest(path) if manifest_path(path).exists() else None
            if manifest is not None:
                check_file(report, manifest, path.stat().st_size, dumps.sha256(path))
                if not report.ok:
                    report.fail("refused: the file is not the one its manifest describes; nothing was restored")
                    return report
            dumps.restore(path, target, current_app.config["BACKUP_PG_BIN"], replace=True)
            conn = target.connect()
            try:
                restored = dumps.fingerprint(conn)
            finally:
                conn.close()
    except BackupError as exc:
        report.fail(str(exc))
        return report
    if manifest is None:
        report.lines.append("  no manifest beside the dump: restored without a check of what arrived")
        report.lines += [f"  {table:<24}{found['rows']:>12,} rows" for table, found in sorted(restored.items())]
    else:
        compare_tables(report, manifest, {t: f for t, f in restored.items() if t in manifest["tables"]})
    return report


@job
def backup_nightly() -> dict[str, Any]:
    """Make tonight's backup and prove it by a restore; a BackupRun records both, and a failure fails the job."""
    try:
        source()
    except BackupError as exc:
        return {"skipped": str(exc), "written": 0}
    run = BackupRun(started_at=clock.now())
    db.session.add(run)
    db.session.commit()  # seen as running while it runs; a worker killed mid-run leaves it unfinished, never lost
    try:
        location, manifest = create()
        run.file, run.size, run.sha256 = location, manifest["size"], manifest["sha256"]
        report = verify(location)
    except Exception as exc:  # recorded first: the run log and the dashboard both say why
        report = Report("Backup create")
        report.fail(f"{type(exc).__name__}: {exc}" if not isinstance(exc, BackupError) else str(exc))
    text = report.text()
    run.finished_at, run.verified = clock.now(), "ok" if report.ok else "failed"
    run.report = text if len(text) <= REPORT_CHARS else text[: REPORT_CHARS - 20] + "\n… (cut)\n"
    # Committed here, not by the job decorator: when the backup failed the job raises, and the record must stay.
    db.session.commit()
    if not report.ok:
        raise BackupError(f"backup {run.file or '(none made)'} failed: {text.strip().splitlines()[-1]}")
    return {"file": run.file, "size": run.size, "sha256": run.sha256, "verified": "ok", "written": 1}
