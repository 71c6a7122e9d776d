"""Media fixtures: real image files, a real HTTP server on loopback serving them, and a real S3-compatible server
(moto in server mode) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.providers.conftest import ProviderServer
from tests.s3 import bucket, s3_credentials, s3_endpoint  # noqa: F401  (fixtures)

IMAGES = Path(__file__).resolve().parent / "images"


def image(name: str) -> bytes:
    """A real image file from images/ (see images/SOURCES.md)."""
    return (IMAGES / name).read_bytes()


@pytest.fixture
def image_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    yield server
    server.close()
