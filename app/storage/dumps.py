"""PostgreSQL dumps with pg_dump and pg_restore: a dump and the fingerprint of its key tables taken in one snapshot,
a restore, and scratch databases to restore into. No Flask: plain functions of a database URL.

A fingerprint is each table's row count and, for the key tables, the md5 of its rows (each row's text, its md5,
concatenated in primary-key order). It is taken inside the REPEATABLE READ transaction whose exported snapshot
pg_dump reads (`--snapshot`), so it describes exactly what the dump holds however busy the source is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# Users and their bets, the matches, prices and predictions they read, and the job log: what a restore must bring back.
KEY_TABLES = ("users", "bets", "matches", "current_prices", "odds_snapshots", "predictions", "job_runs")
# The same text of a row on every server and session: UTC, ISO dates, shortest exact floats, hex bytes.
SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
)
DEBIAN_BIN = Path("/usr/lib/postgresql")
# A restore into a live database waits this long for a table's lock, then fails instead of hanging.
LOCK_TIMEOUT = "30s"


class BackupError(Exception):
    """A backup step failed for a reason the operator can act on; the message says which and why."""


@dataclass(frozen=True)
class Database:
    """A PostgreSQL database as libpq programs take it: a URL without the password, the password in the environment
    (so it is never on a command line another user can read)."""

    url: str
    password: str | None
    name: str
    host: str

    @classmethod
    def from_url(cls, url: str | URL) -> Database:
        try:
            parsed = make_url(url) if isinstance(url, str) else url
        except ArgumentError:
            raise BackupError("not a database URL (expected postgresql://user@host:port/database)") from None
        backend = parsed.get_backend_name()
        if backend != "postgresql":
            hint = ": an embedded database is rebuilt with `flask seed`" if backend == "sqlite" else ""
            raise BackupError(f"backups need PostgreSQL (pg_dump), and this database is {backend}{hint}")
        # URL.set() leaves a field given as None unchanged: the password is dropped by building the URL anew.
        bare = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
        return cls(
            url=bare.render_as_string(hide_password=False),
            password=parsed.password,
            name=parsed.database or "",
            host=f"{parsed.host or 'localhost'}:{parsed.port or 5432}",
        )

    def sibling(self, name: str) -> Database:
        """Another database on the same server, reached with the same credentials."""
        url = make_url(self.url).set(database=name, password=self.password)
        return Database.from_url(url)

    def connect(self) -> Any:
        try:
            return psycopg2.connect(self.url, password=self.password, connect_timeout=5)
        except psycopg2.OperationalError as exc:
            raise BackupError(f"cannot connect to database {self.name} on {self.host}: {_first_line(exc)}") from None

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def __str__(self) -> str:
        return f"{self.name} on {self.host}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def server_major(conn: Any) -> int:
    with conn.cursor() as cur:
        cur.execute("SHOW server_version_num")
        return int(cur.fetchone()[0]) // 10000


def tool(name: str, major: int, configured: str | None = None) -> str:
    """pg_dump or pg_restore able to read a server of this major version: from BACKUP_PG_BIN, else Debian's programs
    of the server's version, else the PATH's; an older one refuses the server, so it is refused here, clearly."""
    candidates = [Path(configured) / name] if configured else [DEBIAN_BIN / str(major) / "bin" / name]
    found = next((str(p) for p in candidates if p.is_file()), None) or (None if configured else shutil.which(name))
    if found is None:
        where = f" in {configured}" if configured else ""
        raise BackupError(f"{name} not found{where}: install postgresql-client-{major} or set BACKUP_PG_BIN")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    if match is None or int(match.group(1)) < major:
        raise BackupError(
            f"{found} is {version.strip() or 'unknown'}, older than the PostgreSQL {major} server: "
            f"install postgresql-client-{major} or set BACKUP_PG_BIN"
        )
    return found


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(conn: Any, key_tables: tuple[str, ...] = KEY_TABLES) -> dict[str, dict[str, Any]]:
    """Every table's row count, and the key tables' checksums, as this connection's transaction sees them."""
    with conn.cursor() as cur:
        for statement in SESSION:
            cur.execute(statement)
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cur.fetchall()]
        found: dict[str, dict[str, Any]] = {}
        for table in tables:
            name = sql.Identifier("public", table)
            if table in key_tables:
                order = sql.SQL(", ").join(sql.Identifier("t", c) for c in _primary_key(cur, table))
                cur.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY {}), '')) FROM {} AS t"
                    ).format(order, name)
                )
                rows, checksum = cur.fetchone()
                found[table] = {"rows": rows, "checksum": checksum}
            else:
                cur.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
                found[table] = {"rows": cur.fetchone()[0]}
        return found


def _primary_key(cur: Any, table: str) -> list[str]:
    cur.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
        (f"public.{table}",),
    )
    columns = [row[0] for row in cur.fetchall()]
    if not columns:
        raise BackupError(f"key table {table} has no primary key to order its rows by")
    return columns


def schema_revision(conn: Any) -> str | None:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT version_num FROM alembic_version")
        row = cur.fetchone()
        return row[0] if row else None


def dump(source: Database, path: Path, pg_bin: str | None = None) -> dict[str, Any]:
    """pg_dump's custom format into `path`, and the manifest describing it: the fingerprint of the same snapshot."""
    conn = source.connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot(), split_part(current_setting('server_version'), ' ', 1)")
            snapshot, version = cur.fetchone()
        major = server_major(conn)
        pg_dump = tool("pg_dump", major, pg_bin)
        started = datetime.now(UTC)
        tables = fingerprint(conn)
        revision = schema_revision(conn)
        # While this transaction is open its snapshot can be imported: pg_dump reads exactly what was fingerprinted.
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={path}", source.url], source, "pg_dump")
        conn.rollback()
    finally:
        conn.close()
    return {
        "format": 1,
        "file": path.name,
        "created_at": started.isoformat(timespec="seconds"),
        "database": source.name,
        "host": source.host,
        "server_version": version,
        "schema_revision": revision,
        "snapshot": snapshot,
        "size": path.stat().st_size,
        "sha256": sha256(path),
        "key_tables": list(KEY_TABLES),
        "tables": tables,
    }


def restore(path: Path, target: Database, pg_bin: str | None = None, replace: bool = False) -> None:
    """pg_restore into `target`, all or nothing; with `replace`, the dump's tables are dropped and made anew."""
    conn = target.connect()
    try:
        major = server_major(conn)
    finally:
        conn.close()
    options = ["--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    if replace:
        options += ["--clean", "--if-exists"]
    env = {**target.env(), "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT}"}
    _run([tool("pg_restore", major, pg_bin), *options, f"--dbname={target.url}", str(path)], target, "pg_restore", env)


def check_archive(path: Path, pg_bin: str | None, major: int) -> None:
    """The file is a pg_dump archive pg_restore can read (its table of contents), or a clear error."""
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    with open(path, "rb") as f:
        if f.read(5) != b"PGDMP":
            raise BackupError(f"{path} is not a pg_dump custom-format archive (no PGDMP header)")
    _run([tool("pg_restore", major, pg_bin), "--list", str(path)], None, "pg_restore --list")


def _run(command: list[str], db: Database | None, what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env or (db.env() if db else None), check=False)
    if done.returncode != 0:
        detail = " / ".join(line for line in done.stderr.strip().splitlines()[:3]) or f"exit status {done.returncode}"
        raise BackupError(f"{what} failed{f' on {db}' if db else ''}: {detail}")


@contextlib.contextmanager
def scratch(server: Database) -> Iterator[Database]:
    """A new empty database of a unique name on the server, dropped afterwards whatever happens."""
    name = f"betscore_verify_{datetime.now(UTC):%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    admin = server.connect()
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except psycopg2.Error as exc:
        admin.close()
        raise BackupError(f"cannot create a scratch database on {server.host}: {_first_line(exc)}") from None
    try:
        yield server.sibling(name)
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()
