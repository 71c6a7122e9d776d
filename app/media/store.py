"""Where stored images live: a folder (embedded mode) or an S3-compatible bucket (production), chosen by settings.

Both hold immutable objects under their content address (app/media/images.py): a key is written once, and
writing it again writes the same bytes. Only a well-formed key ever reaches the filesystem or the bucket.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.media.images import content_type
from app.storage.s3 import s3_client

if TYPE_CHECKING:
    from flask import Flask

IMMUTABLE = "public, max-age=31536000, immutable"


class Storage(Protocol):
    """A store of images by key."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The image's bytes, or None when nothing is stored under the key."""
        ...


def _checked(key: str) -> str:
    if content_type(key) is None:
        raise ValueError(f"not a media key: {key!r}")
    return key


class LocalStorage:
    """Files under one folder, spread over subfolders by the key's first two characters."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / _checked(key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a reader sees the whole file or none.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None


class S3Storage:
    """Objects in an S3-compatible bucket under a prefix, each with its Content-Type and immutable caching."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + _checked(key),
            Body=data,
            ContentType=content_type(key),
            CacheControl=IMMUTABLE,
        )

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        data: bytes = answer["Body"].read()
        return data


def storage(app: Flask) -> Storage:
    """The app's image store, built once: the bucket when MEDIA_BUCKET is set, else the MEDIA_ROOT folder."""
    store: Storage | None = app.extensions.get("betscore.media")
    if store is None:
        settings = app.config
        if settings["MEDIA_BUCKET"]:
            client = s3_client(settings["MEDIA_S3_ENDPOINT_URL"], settings["MEDIA_S3_REGION"])
            store = S3Storage(client, settings["MEDIA_BUCKET"], settings["MEDIA_S3_PREFIX"])
        else:
            store = LocalStorage(settings["MEDIA_ROOT"])
        app.extensions["betscore.media"] = store
    return store
