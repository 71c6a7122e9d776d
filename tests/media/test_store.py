"""The two stores keep the same promise: bytes in under a key, the same bytes out; nothing under a bad key. The
local folder is tested on the filesystem, the bucket against a real S3-compatible server on loopback (moto)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.media.images import key_for
from app.media.store import IMMUTABLE, LocalStorage, S3Storage, Storage, storage
from app.storage.s3 import s3_client
from tests.media.conftest import image

PNG = image("python.png")
SVG = image("icon.svg")
HOSTILE = ["../../etc/passwd", "a" * 64 + ".exe", "", "/" + "a" * 64 + ".png", "A" * 64 + ".png", "..", "x.png"]


def check_round_trip(store: Storage) -> None:
    key, other = key_for(PNG), key_for(SVG)
    assert store.get(key) is None
    store.put(key, PNG)
    store.put(other, SVG)
    store.put(key, PNG)  # a key is written once; writing it again changes nothing
    assert store.get(key) == PNG and store.get(other) == SVG
    for bad in HOSTILE:
        with pytest.raises(ValueError, match="not a media key"):
            store.get(bad)
        with pytest.raises(ValueError, match="not a media key"):
            store.put(bad, PNG)


def test_local_folder(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "media")
    check_round_trip(store)
    key = key_for(PNG)
    assert (tmp_path / "media" / key[:2] / key).read_bytes() == PNG
    assert not list((tmp_path / "media").rglob(".part-*"))  # no half-written file left behind


def test_s3_bucket_on_loopback(s3_endpoint: str, bucket: str) -> None:
    client = s3_client(s3_endpoint, "eu-west-1")
    store = S3Storage(client, bucket, "media/")
    check_round_trip(store)
    head = client.head_object(Bucket=bucket, Key="media/" + key_for(SVG))
    assert head["ContentType"] == "image/svg+xml" and head["CacheControl"] == IMMUTABLE
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(["media/" + key_for(PNG), "media/" + key_for(SVG)])


def test_a_missing_bucket_is_an_error_not_a_missing_image(s3_endpoint: str, s3_credentials: None) -> None:
    from botocore.exceptions import ClientError

    store = S3Storage(s3_client(s3_endpoint, "eu-west-1"), "no-such-bucket-here")
    with pytest.raises(ClientError):
        store.get(key_for(PNG))


def test_settings_choose_the_store(tmp_path: Path, s3_endpoint: str, bucket: str) -> None:
    local = create_app({"TESTING": True, "SCHEDULER": "off", "MEDIA_ROOT": str(tmp_path)})
    assert isinstance(storage(local), LocalStorage) and storage(local) is storage(local)
    s3 = create_app(
        {
            "TESTING": True,
            "SCHEDULER": "off",
            "MEDIA_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
            "MEDIA_S3_REGION": "eu-west-1",
        }
    )
    store = storage(s3)
    assert isinstance(store, S3Storage)
    store.put(key_for(PNG), PNG)
    assert S3Storage(s3_client(s3_endpoint, "eu-west-1"), bucket, "media/").get(key_for(PNG)) == PNG
