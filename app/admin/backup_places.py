"""Where backups are kept: a folder (BACKUP_DIR), or an S3-compatible bucket (BACKUP_BUCKET) under a prefix. Each
dump has its manifest beside it: `<name>.dump` and `<name>.manifest.json`."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from app.storage.dumps import BackupError
from app.storage.s3 import s3_client

S3 = "s3://"


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name.removesuffix(".dump") + ".manifest.json")


def read_manifest(dump: Path) -> dict[str, Any]:
    path = manifest_path(dump)
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        missing = f"no manifest beside {dump.name} (expected {path.name}): was it made by `flask backup create`?"
        raise BackupError(missing) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path.name} is not a readable manifest: {exc}") from None
    problem = _problem(manifest)
    if problem:
        raise BackupError(f"{path.name} is not a backup manifest: {problem}")
    return manifest


def _problem(manifest: Any) -> str | None:
    """What makes this JSON no manifest of `flask backup create`'s, or None."""
    if not isinstance(manifest, dict):
        return "not an object"
    if not isinstance(manifest.get("size"), int) or not isinstance(manifest.get("sha256"), str):
        return "no size and sha256 of the dump"
    tables, keys = manifest.get("tables"), manifest.get("key_tables")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return "no list of key tables"
    if not isinstance(tables, dict) or not tables:
        return "no tables"
    for name, figures in tables.items():
        rows = figures.get("rows") if isinstance(figures, dict) else None
        if type(rows) is not int or rows < 0 or not isinstance(figures.get("checksum", ""), str):
            return f"table {name[:60]!r} has no row count (or a checksum that is no text)"
    return None


def write_manifest(dump: Path, manifest: dict[str, Any]) -> Path:
    path = manifest_path(dump)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


class Place(Protocol):
    """Somewhere a dump and its manifest are kept, and fetched back from by their location."""

    # Where a dump is written before it is kept (None: the system's temporary folder).
    staging: Path | None

    def keep(self, dump: Path) -> str:
        """Keep the dump and its manifest (both written under `dump`'s folder); return the dump's location."""
        ...


class Folder:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.staging: Path | None = self.root  # on the same filesystem: keeping it is a rename

    def keep(self, dump: Path) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        kept = self.root / dump.name
        # The manifest last: a folder never shows a manifest whose dump is missing or half-moved.
        shutil.move(dump, kept)
        shutil.move(manifest_path(dump), manifest_path(kept))
        return str(kept)


class Bucket:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.staging: Path | None = None

    def keep(self, dump: Path) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            # The manifest last: a listing never shows a manifest whose dump is missing or half-written.
            self.client.upload_file(str(dump), self.bucket, self.prefix + dump.name)
            self.client.upload_file(str(manifest_path(dump)), self.bucket, self.prefix + manifest_path(dump).name)
        except (BotoCoreError, ClientError) as exc:
            raise BackupError(f"could not upload {dump.name} to s3://{self.bucket}/{self.prefix}: {exc}") from None
        return f"{S3}{self.bucket}/{self.prefix}{dump.name}"


def place(settings: Any) -> Place:
    """The bucket when BACKUP_BUCKET is set, else the BACKUP_DIR folder."""
    if settings["BACKUP_BUCKET"]:
        client = s3_client(settings["BACKUP_S3_ENDPOINT_URL"], settings["BACKUP_S3_REGION"])
        return Bucket(client, settings["BACKUP_BUCKET"], settings["BACKUP_S3_PREFIX"])
    return Folder(settings["BACKUP_DIR"])


@contextlib.contextmanager
def fetched(location: str, settings: Any) -> Iterator[Path]:
    """A local path to the dump (its manifest beside it): the file itself, or for s3://bucket/key a downloaded copy
    that is removed afterwards."""
    if not location.startswith(S3):
        yield Path(location)
        return
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = location.removeprefix(S3).partition("/")
    if not bucket or not key:
        raise BackupError(f"{location} names no object: expected s3://bucket/key.dump")
    client = s3_client(settings["BACKUP_S3_ENDPOINT_URL"], settings["BACKUP_S3_REGION"])
    with tempfile.TemporaryDirectory(prefix="betscore-backup-") as folder:
        local = Path(folder) / Path(key).name
        for remote, path in ((key, local), (str(manifest_path(Path(key))), manifest_path(local))):
            try:
                client.download_file(bucket, remote, str(path))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                    raise BackupError(f"no such object: s3://{bucket}/{remote}") from None
                raise BackupError(f"could not download s3://{bucket}/{remote}: {exc}") from None
            except BotoCoreError as exc:
                raise BackupError(f"could not download s3://{bucket}/{remote}: {exc}") from None
        yield local
