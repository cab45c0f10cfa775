"""boto3 clients, made at first use (never at import) and shared within the process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cme.settings import get_settings


@lru_cache(maxsize=8)
def client(service: str) -> Any:
    """A client for ``service``; botocore honours AWS_ENDPOINT_URL[_<SERVICE>] by itself."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=10,
    )
    session: Any = boto3.session.Session()
    return session.client(service, region_name=get_settings().aws_region, config=config)


def reset_clients() -> None:
    client.cache_clear()
