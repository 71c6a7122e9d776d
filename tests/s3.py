"""A real S3-compatible server (moto in server mode) on loopback, and the credentials boto3 reads: fixtures for every
test of something kept in a bucket (crests and badges, backups). A conftest imports the ones it uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
    """A new empty bucket on the loopback S3 server, named after the test."""
    from app.storage.s3 import s3_client

    name = "test-" + str(abs(hash(request.node.nodeid)) % 10**10)
    s3_client(s3_endpoint, "eu-west-1").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return name
