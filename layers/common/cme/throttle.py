"""Throttling with DynamoDB counters in fixed windows, all scopes in one round trip.

Each scope (e.g. ``sign-in:email:<sha256>``) has a counter per window. Two ways to count:

- ``hit``: every attempt counts (lookups, account creation): one transaction increments all
  scopes on the condition that each is under its limit, so it costs one call.
- ``check`` + ``record_failure``: only failures count (sign-in, per NIST SP 800-63B, so a
  learner who signs in often is never locked out): one BatchGetItem before, and one
  transaction after a failure.

Keys hold hashes, never the raw email, phone or address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError

from cme import clock
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


@dataclass(frozen=True)
class _Window:
    number: int
    retry_after: int
    expires: datetime


def _window(now: float | None) -> _Window:
    length = get_settings().throttle_window_seconds
    current = clock.now().timestamp() if now is None else now
    number = int(current // length)
    end = (number + 1) * length
    return _Window(number, max(1, int(end - current)), datetime.fromtimestamp(end + length, UTC))


def hit(*scopes: Scope, now: float | None = None) -> None:
    """Count one attempt against every scope; raise TooManyAttempts if any is spent."""
    window = _window(now)
    try:
        with transaction() as tx:
            for scope in scopes:
                tx.update(
                    RateCounter(_key(scope, window.number)),
                    actions=[RateCounter.hits.add(1), RateCounter.expires_at.set(window.expires)],
                    condition=RateCounter.hits.does_not_exist() | (RateCounter.hits < scope.limit),
                )
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
            raise TooManyAttempts(retry_after=window.retry_after) from exc
        raise


def check(*scopes: Scope, now: float | None = None) -> None:
    """Raise TooManyAttempts if any scope has spent its failures in this window."""
    window = _window(now)
    limits = {_key(scope, window.number): scope.limit for scope in scopes}
    for counter in RateCounter.batch_get(list(limits), consistent_read=True):
        if counter.hits >= limits[counter.key]:
            raise TooManyAttempts(retry_after=window.retry_after)


def record_failure(*scopes: Scope, now: float | None = None) -> None:
    """Count one failure against every scope (one transaction)."""
    window = _window(now)
    with transaction() as tx:
        for scope in scopes:
            tx.update(
                RateCounter(_key(scope, window.number)),
                actions=[RateCounter.hits.add(1), RateCounter.expires_at.set(window.expires)],
            )
