"""AWS clients, made at first use (never at import) and shared within the process.

They are botocore clients, made from one botocore session: the same clients boto3 would make
(boto3's are botocore's), without importing boto3 itself, which brings s3transfer and
multiprocessing along (about 17 ms of every function's first request; nothing here uses a
boto3-only feature: no resources, no managed transfers)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cme.platform.settings import get_settings

#: botocore's own attempts (standard mode: throttling and 5xx, with backoff) per DynamoDB call.
#: At a 10% throttle rate all eight fail once in 10**8 calls; cme.platform.retry handles the rest.
DYNAMODB_ATTEMPTS = 8


@lru_cache(maxsize=1)
def _session() -> Any:
    """One botocore session per process: it caches the service models clients are built from."""
    import botocore.session

    return botocore.session.get_session()


def botocore_session() -> Any:
    """The botocore session under every client of this process, PynamoDB's too (cme.platform.models.base):
    each service model is loaded once."""
    return _session()


@lru_cache(maxsize=8)
def client(service: str, attempts: int | None = None) -> Any:
    """A client for ``service``; botocore honours AWS_ENDPOINT_URL[_<SERVICE>] by itself.

    ``attempts``: botocore's own tries per call (standard mode), by default DYNAMODB_ATTEMPTS
    for DynamoDB and 4 for the rest; 1 for a caller that paces and retries itself (cme.platform.pacing).
    """
    from botocore.config import Config

    if attempts is None:
        attempts = DYNAMODB_ATTEMPTS if service == "dynamodb" else 4
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=3,
        read_timeout=10,
        # pre-signed S3 links: SigV4, whose X-Amz-Expires is what we sign (SigV2 is legacy)
        signature_version="s3v4" if service == "s3" else None,
    )
    made = _session().create_client(service, region_name=get_settings().aws_region, config=config)
    _MADE[(service, attempts)] = made
    return made


#: the clients made so far, by (service, attempts) (cme.runtime.snapstart drops their pooled connections at a restore)
_MADE: dict[tuple[str, int], Any] = {}


def made_clients() -> list[Any]:
    return list(_MADE.values())


def reset_clients() -> None:
    client.cache_clear()
    _MADE.clear()
