"""Backups as an operator runs them, on a real PostgreSQL database of this module's own (the demo world, a user and
a bet): `flask backup create`, `verify` (a restore into a scratch database), `restore`, the nightly job, a bucket on a
loopback S3 server, and every bad input's one clear error."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import config, create_app
from app.accounts.services import create_user
from app.admin import backups
from app.admin.backup_places import manifest_path, read_manifest
from app.admin.backups import BackupRun, last_verified
from app.bets.models import Bet
from app.extensions import db
from app.football.models import Match
from app.jobs.runs import JobRun, run_scheduled
from app.jobs.schedule import find
from app.odds.models import Bookmaker
from app.storage import dumps
from app.storage.dumps import BackupError, Database
from app.storage.s3 import s3_client
from tests.conftest import IN_PROCESS, NOW, Clock
from tests.drills import free_port

SERVER = os.environ.get("TEST_DATABASE_URL")
needs_postgres = pytest.mark.skipif(not SERVER, reason="needs PostgreSQL: set TEST_DATABASE_URL")


def settings_for(url: str, tmp: Path, **more: Any) -> dict[str, Any]:
    return {
        **IN_PROCESS,
        "TESTING": True,
        "SCHEDULER": "off",
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": config.database_url(url),
        "BACKUP_DIR": str(tmp / "backups"),
        "MEDIA_ROOT": str(tmp / "media"),
        "SESSION_FILE_DIR": str(tmp / "sessions"),
        **more,
    }


def run(app: Flask, *args: str, answer: str | None = None):
    """A `flask` command as an operator types it; whatever goes wrong, it ends by its own exit, never a crash."""
    result = app.test_cli_runner().invoke(args=list(args), input=answer)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def execute(url: str, statement: str) -> list[tuple]:
    """One statement on a connection of its own, committed (what pg_dump sees)."""
    conn = Database.from_url(config.database_url(url)).connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def databases_named(prefix: str) -> set[str]:
    assert SERVER
    return {r[0] for r in execute(SERVER, f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'")}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[Flask]:
    """A database of this module's own on the test server: migrated, the demo world seeded, one user with one bet."""
    from app.cli import seed_all

    assert SERVER
    name = f"betscore_bk_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    url = str(Database.from_url(config.database_url(SERVER)).sibling(name).url)
    clock.now = NOW
    app = create_app({**settings_for(url, tmp_path_factory.mktemp("backups")), "CLOCK": clock})
    with app.app_context():
        upgrade()
        seed_all(0)
        user = create_user("saver@example.com", "a long enough secret")
        match = db.session.scalars(select(Match).order_by(Match.id).limit(1)).one()
        book = db.session.scalars(select(Bookmaker).order_by(Bookmaker.id).limit(1)).one()
        db.session.flush()
        db.session.add(
            Bet(
                user_id=user.id,
                match_id=match.id,
                market_kind="1x2",
                selection="home",
                bookmaker_id=book.id,
                bookmaker_name=book.name,
                price=2.1,
                stake_cents=1000,
                placed_at=NOW - timedelta(days=1),
                kickoff_at=match.kickoff_at,
            )
        )
        db.session.commit()
    app.config["SOURCE_URL"] = url
    yield app
    with app.app_context():
        db.engine.dispose()
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(statement: str) -> None:
    assert SERVER
    conn = Database.from_url(config.database_url(SERVER)).connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def ctx(source: Flask) -> Iterator[Flask]:
    with source.app_context():
        yield source


def made(result) -> Path:
    """The dump `flask backup create` printed (its first word)."""
    assert result.exit_code == 0, result.output
    path = Path(result.output.split()[0])
    assert path.is_file() and manifest_path(path).is_file()
    return path


def copied(dump: Path, folder: Path) -> Path:
    """The dump and its manifest copied into another folder, to alter there."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(manifest_path(dump), manifest_path(folder / dump.name))
    return Path(shutil.copy(dump, folder / dump.name))


# --- create, then verify --------------------------------------------------------------------------


@needs_postgres
def test_create_then_verify_restores_a_scratch_copy_that_matches(source: Flask) -> None:
    dump = made(run(source, "backup", "create"))
    assert dump.parent == Path(source.config["BACKUP_DIR"]) and dump.name.endswith(".dump")
    assert not [p for p in dump.parent.iterdir() if p.name.startswith(".partial-")]  # nothing half-written left
    manifest = read_manifest(dump)
    assert manifest["size"] == dump.stat().st_size and manifest["sha256"] == dumps.sha256(dump)
    url = source.config["SOURCE_URL"]
    for table in ("users", "bets", "matches", "current_prices", "predictions", "job_runs"):
        assert manifest["tables"][table]["rows"] == execute(url, f"SELECT count(*) FROM {table}")[0][0]
        assert len(manifest["tables"][table]["checksum"]) == 32
    assert manifest["tables"]["users"]["rows"] == 1 and manifest["tables"]["bets"]["rows"] == 1

    result = run(source, "backup", "verify", str(dump))
    assert result.exit_code == 0, result.output
    assert "RESULT: OK" in result.output and "matches the manifest" in result.output
    for table in ("users", "bets", "matches", "odds_snapshots"):
        assert f"{manifest['tables'][table]['checksum']} ok" in result.output
    scratch = next(w for w in result.output.split() if w.startswith("betscore_verify_"))
    assert databases_named(scratch) == set()  # created, then dropped


@needs_postgres
def test_a_busy_source_still_verifies(ctx: Flask) -> None:
    """Rows committed while the backup runs: the manifest and the dump both hold the snapshot's, none of the later."""
    url = ctx.config["SOURCE_URL"]
    wrote, stop = threading.Event(), threading.Event()

    def write() -> None:
        conn = Database.from_url(config.database_url(url)).connect()
        try:
            while not stop.is_set():
                with conn, conn.cursor() as cur:
                    cur.execute(
                        "INSERT INTO job_runs (name, trigger, state, queued_at, attempt, written, requests, credits)"
                        " VALUES ('busy', 'test', 'queued', now(), 0, 0, 0, 0)"
                    )
                wrote.set()
        finally:
            conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert wrote.wait(30)
        before = execute(url, "SELECT count(*) FROM job_runs")[0][0]
        location, manifest = backups.create()
        after = execute(url, "SELECT count(*) FROM job_runs")[0][0]
    finally:
        stop.set()
        writer.join()
    assert before <= manifest["tables"]["job_runs"]["rows"] < after
    report = backups.verify(location)
    assert report.ok, report.text()


@needs_postgres
def test_a_tampered_dump_fails_verify(source: Flask, tmp_path: Path) -> None:
    dump = copied(made(run(source, "backup", "create")), tmp_path)
    data = bytearray(dump.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    dump.write_bytes(bytes(data))
    result = run(source, "backup", "verify", str(dump))
    assert result.exit_code == 1
    assert "DIFFERS from the manifest" in result.output and "RESULT: FAILED" in result.output

    # Its manifest rewritten to match: the damage itself is still found, by the restore.
    manifest = read_manifest(dump)
    manifest.update(size=dump.stat().st_size, sha256=dumps.sha256(dump))
    manifest_path(dump).write_text(json.dumps(manifest))
    result = run(source, "backup", "verify", str(dump))
    assert result.exit_code == 1 and "RESULT: FAILED" in result.output
    assert "matches the manifest" in result.output


@needs_postgres
def test_a_row_changed_after_the_manifest_is_reported(ctx: Flask, tmp_path: Path) -> None:
    """The reason the manifest is taken in the dump's own snapshot: a figure from another moment is a difference."""
    url = ctx.config["SOURCE_URL"]
    src = Database.from_url(config.database_url(url))
    before = dumps.dump(src, tmp_path / "before.dump")
    match_id, home = execute(url, "SELECT id, home_score FROM matches ORDER BY id LIMIT 1")[0]
    try:
        execute(url, f"UPDATE matches SET home_score = coalesce(home_score, 0) + 1 WHERE id = {match_id}")
        after = tmp_path / "after.dump"
        dumps.dump(src, after)
    finally:
        execute(url, f"UPDATE matches SET home_score = {home if home is not None else 'NULL'} WHERE id = {match_id}")
    # The file is what the manifest says (size, sha256); its figures are from before the change.
    manifest = {**before, "file": after.name, "size": after.stat().st_size, "sha256": dumps.sha256(after)}
    manifest_path(after).write_text(json.dumps(manifest))

    report = backups.verify(str(after))
    assert not report.ok
    assert report.differences == ["matches checksum differs"]
    text = report.text()
    assert "DIFFERS from " + before["tables"]["matches"]["checksum"] in text
    assert f"{before['tables']['users']['checksum']} ok" in text  # the other tables still match


# --- restore --------------------------------------------------------------------------------------


@needs_postgres
def test_restore_asks_first_and_brings_the_backup_back(source: Flask) -> None:
    url = source.config["SOURCE_URL"]
    dump = made(run(source, "backup", "create"))
    execute(url, "DELETE FROM bets")
    execute(url, "UPDATE users SET session_epoch = 99 WHERE TRUE")

    refused = run(source, "backup", "restore", str(dump), answer="n\n")
    assert refused.exit_code == 1 and "Replace the tables of database" in refused.output
    assert "nothing restored" in refused.output
    assert execute(url, "SELECT count(*) FROM bets") == [(0,)]  # untouched

    accepted = run(source, "backup", "restore", str(dump), answer="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "RESULT: OK" in accepted.output
    assert execute(url, "SELECT count(*) FROM bets") == [(1,)]
    assert execute(url, "SELECT count(*) FROM users WHERE session_epoch = 99") == [(0,)]

    execute(url, "DELETE FROM bets")
    unasked = run(source, "backup", "restore", str(dump), "--yes")
    assert unasked.exit_code == 0 and "Replace the tables" not in unasked.output
    assert execute(url, "SELECT count(*) FROM bets") == [(1,)]


@needs_postgres
def test_restore_into_another_database_with_target(source: Flask) -> None:
    dump = made(run(source, "backup", "create"))
    name = f"betscore_bk_target_{secrets.token_hex(3)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        target = Database.from_url(config.database_url(SERVER or "")).sibling(name)
        result = run(source, "backup", "restore", str(dump), "--target", target.url, "--yes")
        assert result.exit_code == 0, result.output
        assert execute(target.url, "SELECT count(*) FROM bets") == [(1,)]
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@needs_postgres
def test_restore_refuses_a_file_its_manifest_does_not_describe(source: Flask, tmp_path: Path) -> None:
    dump = copied(made(run(source, "backup", "create")), tmp_path)
    with open(dump, "ab") as f:
        f.write(b"appended")
    execute(source.config["SOURCE_URL"], "DELETE FROM bets")
    result = run(source, "backup", "restore", str(dump), "--yes")
    assert result.exit_code == 1 and "refused" in result.output and "nothing was restored" in result.output
    assert execute(source.config["SOURCE_URL"], "SELECT count(*) FROM bets") == [(0,)]
    assert run(source, "backup", "restore", str(made(run(source, "backup", "create"))), "--yes").exit_code == 0


# --- the nightly job ------------------------------------------------------------------------------


@needs_postgres
def test_the_nightly_job_makes_and_proves_a_backup_and_records_it(ctx: Flask) -> None:
    summary = run_scheduled(find("backup"))
    assert summary["verified"] == "ok"
    newest = db.session.scalars(select(BackupRun).order_by(BackupRun.id.desc()).limit(1)).one()
    assert newest.verified == "ok" and newest.finished_at is not None and newest.file == summary["file"]
    assert newest.size == Path(newest.file).stat().st_size and newest.sha256 == dumps.sha256(Path(newest.file))
    assert newest.report is not None and "RESULT: OK" in newest.report
    assert last_verified() == newest
    job = db.session.scalars(select(JobRun).where(JobRun.name == "backup").order_by(JobRun.id.desc())).first()
    assert job is not None and job.state == "ok"


@needs_postgres
def test_a_failed_nightly_backup_is_recorded_and_fails_its_job(ctx: Flask, tmp_path: Path, monkeypatch) -> None:
    run_scheduled(find("backup"))
    good = last_verified()
    monkeypatch.setitem(ctx.config, "BACKUP_PG_BIN", str(tmp_path))  # a folder without pg_dump
    with pytest.raises(BackupError, match="pg_dump not found"):
        run_scheduled(find("backup"))
    failed = db.session.scalars(select(BackupRun).order_by(BackupRun.id.desc()).limit(1)).one()
    assert failed.verified == "failed" and failed.file is None
    assert failed.report is not None and "pg_dump not found in " + str(tmp_path) in failed.report
    assert last_verified() == good  # the dashboard still shows the last good one
    job = db.session.scalars(select(JobRun).where(JobRun.name == "backup").order_by(JobRun.id.desc())).first()
    assert job is not None and job.state == "failed"


# --- a bucket -------------------------------------------------------------------------------------


@needs_postgres
def test_backups_in_a_bucket(source: Flask, s3_endpoint: str, bucket: str, monkeypatch) -> None:
    for name, value in (
        ("BACKUP_BUCKET", bucket),
        ("BACKUP_S3_ENDPOINT_URL", s3_endpoint),
        ("BACKUP_S3_REGION", "eu-west-1"),
        ("BACKUP_S3_PREFIX", "nightly/"),
    ):
        monkeypatch.setitem(source.config, name, value)
    result = run(source, "backup", "create")
    assert result.exit_code == 0, result.output
    location = result.output.split()[0]
    assert location.startswith(f"s3://{bucket}/nightly/") and location.endswith(".dump")
    client = s3_client(s3_endpoint, "eu-west-1")
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"])
    name = location.rsplit("/", 1)[1]
    assert keys == ["nightly/" + name, "nightly/" + name.removesuffix(".dump") + ".manifest.json"]
    assert not list(Path(source.config["BACKUP_DIR"]).glob(name))  # kept in the bucket only

    verified = run(source, "backup", "verify", location)
    assert verified.exit_code == 0 and "RESULT: OK" in verified.output, verified.output
    missing = run(source, "backup", "verify", f"s3://{bucket}/nightly/none.dump")
    assert missing.exit_code == 1 and f"no such object: s3://{bucket}/nightly/none.dump" in missing.output
    assert "s3:// names no object: expected s3://bucket/key.dump" in run(source, "backup", "verify", "s3://").output


# --- bad inputs -----------------------------------------------------------------------------------


@needs_postgres
def test_bad_files_get_one_clear_reason(source: Flask, tmp_path: Path) -> None:
    not_dump = tmp_path / "notes.dump"
    not_dump.write_text("not a dump at all")
    no_manifest = copied(made(run(source, "backup", "create")), tmp_path / "alone")
    manifest_path(no_manifest).unlink()
    bad_manifest = copied(made(run(source, "backup", "create")), tmp_path / "bad")
    manifest_path(bad_manifest).write_text("{not json")
    cases = {
        str(tmp_path / "missing.dump"): "no such backup file",
        str(not_dump): "is not a pg_dump custom-format archive",
        str(no_manifest): "no manifest beside",
        str(bad_manifest): "is not a readable manifest",
    }
    for file, reason in cases.items():
        result = run(source, "backup", "verify", file)
        assert result.exit_code == 1, file
        assert reason in result.output
    gone = run(source, "backup", "restore", str(tmp_path / "missing.dump"), "--yes")
    assert gone.exit_code == 1 and gone.output.strip() == f"Error: no such backup file: {tmp_path / 'missing.dump'}"


@needs_postgres
def test_an_unreachable_database_is_named(tmp_path: Path) -> None:
    port = free_port()
    app = create_app(settings_for(f"postgresql://postgres@127.0.0.1:{port}/gone", tmp_path))
    result = run(app, "backup", "create")
    assert result.exit_code == 1
    assert f"Error: cannot connect to database gone on 127.0.0.1:{port}" in result.output
    verified = run(app, "backup", "verify", str(tmp_path / "x.dump"))
    assert verified.exit_code == 1 and f"cannot connect to database gone on 127.0.0.1:{port}" in verified.output
    for target, reason in (
        ("not a url", "Error: not a database URL (expected postgresql://user@host:port/database)"),
        ("mysql://someone@db/betscore", "Error: backups need PostgreSQL (pg_dump), and this database is mysql"),
    ):
        restored = run(app, "backup", "restore", str(tmp_path), "--yes", "--target", target)
        assert restored.exit_code == 1
        assert restored.output.strip() == reason


def test_sqlite_says_so_in_one_line(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'embedded.db'}", tmp_path))
    for args in (("create",), ("verify", str(tmp_path / "x.dump")), ("restore", str(tmp_path / "x.dump"), "--yes")):
        result = run(app, "backup", *args)
        assert result.exit_code == 1, args
        lines = [line for line in result.output.splitlines() if line.strip() and not line.startswith("Backup")]
        assert any("backups need PostgreSQL (pg_dump), and this database is sqlite" in line for line in lines)
    assert run(app, "backup", "create").output.count("\n") == 1
    with app.app_context():
        from flask_migrate import upgrade as migrate

        migrate()
        assert backups.backup_nightly()["skipped"].startswith("backups need PostgreSQL")
        assert last_verified() is None


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_beside_a_dump_is_a_manifest_or_a_clear_error(tmp_path: Path, value: Any) -> None:
    dump = tmp_path / "any.dump"
    manifest_path(dump).write_text(json.dumps(value))
    try:
        manifest = read_manifest(dump)
    except BackupError as exc:
        assert str(exc).startswith("any.manifest.json is not a backup manifest")
        return
    for figures in manifest["tables"].values():  # what verify reads of it
        assert isinstance(figures["rows"], int)


def test_the_password_stays_off_the_command_line() -> None:
    """The URL the app is given (postgres://, postgresql://) reaches pg_dump as plain postgresql:// without the
    password, which goes in the environment (a command line is readable by every user of the machine)."""
    for given_url in (
        "postgres://u:secret@db.internal:5433/betscore",
        "postgresql://u:secret@db.internal:5433/betscore",
    ):
        target = Database.from_url(config.database_url(given_url))
        assert target.url == "postgresql://u@db.internal:5433/betscore" and target.password == "secret"
        assert "secret" not in target.url and target.env()["PGPASSWORD"] == "secret"
