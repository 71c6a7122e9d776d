"""Media fixtures: real image files, a real HTTP server on loopback serving them, and a real S3-compatible server
(moto in server mode) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.providers.conftest import ProviderServer

IMAGES = Path(__file__).resolve().parent / "images"


def image(name: str) -> bytes:
    """A real image file from images/ (see images/SOURCES.md)."""
    return (IMAGES / name).read_bytes()


@pytest.fixture
def image_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server of the test run's own on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3's usual environment credentials, as production sets them (moto accepts any)."""
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test-key"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("AWS_SESSION_TOKEN", "test-token"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ):
        monkeypatch.setenv(name, value)


@pytest.fixture
def bucket(s3_endpoint: str, s3_credentials: None, request: pytest.FixtureRequest) -> str:
    """A new empty bucket on the loopback S3 server."""
    from app.media.store import s3_client

    name = "crests-" + str(abs(hash(request.node.nodeid)) % 10**10)
    client: Any = s3_client(s3_endpoint, "eu-west-1")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return name
