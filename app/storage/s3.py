"""The S3-compatible object store's client, shared by what keeps objects there (crests and badges, backups)."""

from __future__ import annotations

from typing import Any


def s3_client(endpoint_url: str | None, region: str | None) -> Any:
    """A boto3 S3 client with short timeouts; credentials come from boto3's usual chain (AWS_* variables, role)."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
