"""boto3 clients, made at first use (never at import) and shared within the process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cme.settings import get_settings


@lru_cache(maxsize=1)
def _session() -> Any:
    """One boto3 session per process: it caches the service models clients are built from."""
    import boto3

    return boto3.session.Session()


@lru_cache(maxsize=8)
def client(service: str) -> Any:
    """A client for ``service``; botocore honours AWS_ENDPOINT_URL[_<SERVICE>] by itself."""
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=10,
        # pre-signed S3 links: SigV4, whose X-Amz-Expires is what we sign (SigV2 is legacy)
        signature_version="s3v4" if service == "s3" else None,
    )
    return _session().client(service, region_name=get_settings().aws_region, config=config)


def reset_clients() -> None:
    client.cache_clear()
