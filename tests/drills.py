"""Fault drills' own servers: each test starts and stops its own, never the machine's shared ones."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
# The production web server, as the platform starts it (gunicorn.conf.py reads BIND, WEB_CONCURRENCY, WEB_THREADS).
WEB_SERVER = [
    str(Path(sys.executable).parent / "gunicorn"),
    "-c",
    "gunicorn.conf.py",
    "--no-control-socket",
    "wsgi:app",
]


def spawn(command: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A process of the drill's own, started in the repository and in a session of its own, its output in `log`."""
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test stops and starts."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=20)


def postgres_bin() -> Path | None:
    """The directory of Debian's PostgreSQL server programs (initdb, pg_ctl), the newest installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb into a directory of its own), on a free port, that the test
    stops and starts, then removes. The server refuses to run as root, so as root it runs as the postgres user (in a
    directory outside pytest's, which only root may enter)."""

    def __init__(self, standby_of: PostgresCluster | None = None) -> None:
        """A new primary (initdb); or, with `standby_of`, a streaming replica of that running cluster: a copy of it
        taken with `pg_basebackup -R`, which writes the standby.signal and primary_conninfo that make it follow."""
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="betscore-pg-"))
        self.data = self.workdir / "data"
        self.bin = postgres_bin()
        assert self.bin is not None, "PostgreSQL's server programs are not installed"
        self._as_owner = [] if os.getuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if os.getuid() == 0:
            shutil.chown(self.workdir, "postgres")
        if standby_of is None:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
            # Replicas may copy it and stream from it (initdb's defaults allow this today; said here, not assumed).
            with open(self.data / "pg_hba.conf", "a") as hba:
                hba.write("host replication postgres 127.0.0.1/32 trust\n")
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write("wal_level = replica\nmax_wal_senders = 10\n")
        else:
            self._run(
                "pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(standby_of.port), "-U", "postgres"),
                *("-D", str(self.data), "-R", "-X", "stream", "--no-sync", "-c", "fast"),
            )
            # Restarted, it asks the primary for WAL again at once, not after the default 5 seconds.
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write("wal_retrieve_retry_interval = 100ms\n")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        assert self.bin is not None
        subprocess.run([*self._as_owner, str(self.bin / program), *args], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.workdir / "server.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart does it: open sessions are ended, new connections refused."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", f'CREATE DATABASE "{name}"'],
            check=True,
            capture_output=True,
        )
        return self.url(name)
