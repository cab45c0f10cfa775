"""Throttling with DynamoDB counters in fixed windows, all scopes in one round trip.

Each scope (e.g. ``sign-in:email:<sha256>``) has a counter per window, incremented with a
condition that it is under its limit. The scopes of one request go in one transaction, so a
request costs one DynamoDB call and is refused when any scope is spent. Keys hold hashes,
never the raw email, phone or address.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError

from cme.errors import TooManyAttempts
from cme.models import RateCounter, transaction
from cme.settings import get_settings


@dataclass(frozen=True)
class Scope:
    name: str  # e.g. "sign-in:email"
    value: str  # what is counted (hashed before it is stored)
    limit: int


def _key(scope: Scope, window: int) -> str:
    digest = hashlib.sha256(scope.value.encode()).hexdigest()[:32]
    return f"{scope.name}:{digest}:{window}"


def hit(*scopes: Scope, now: float | None = None) -> None:
    """Count one attempt against every scope; raise TooManyAttempts if any is spent."""
    settings = get_settings()
    length = settings.throttle_window_seconds
    current = time.time() if now is None else now
    window = int(current // length)
    window_end = (window + 1) * length
    expires = datetime.fromtimestamp(window_end + length, UTC)
    try:
        with transaction() as tx:
            for scope in scopes:
                tx.update(
                    RateCounter(_key(scope, window)),
                    actions=[RateCounter.hits.add(1), RateCounter.expires_at.set(expires)],
                    condition=RateCounter.hits.does_not_exist() | (RateCounter.hits < scope.limit),
                )
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
            raise TooManyAttempts(retry_after=max(1, int(window_end - current))) from exc
        raise
