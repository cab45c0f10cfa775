"""Throttling with DynamoDB counters in fixed windows, one plain write per scope.

Each scope (e.g. ``sign-in:email:<sha256>``) has a counter per window. Two ways to count:

- ``hit``: every attempt counts (lookups, account creation): one conditional UpdateItem per
  scope adds 1 while the scope is under its limit.
- ``check`` + ``record_failure``: only failures count (sign-in, per NIST SP 800-63B, so a
  learner who signs in often is never locked out): one BatchGetItem before, and one UpdateItem
  per scope after a failure.

A counter is shared by a crowd (everyone behind a hospital's address, everyone at one event),
so it is never written in a transaction: concurrent transactions on one item are cancelled
(TransactionConflict), while single-item ADDs on it simply queue. Each write is retried with
backoff (cme.retry). Keys hold hashes, never the raw email, phone or address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import PynamoDBException, UpdateError
from pynamodb.expressions.update import Action

from cme import clock, retry
from cme.errors import TooManyAttempts
from cme.models import RateCounter
from cme.observability import logger
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


def _add(key: str, window: _Window, amount: int = 1, limit: int | None = None) -> None:
    """Add ``amount`` to one counter (conditionally: while under ``limit``), with retries."""
    counter = RateCounter(key)
    actions: list[Action] = [RateCounter.hits.add(amount), RateCounter.expires_at.set(window.expires)]
    if limit is None:
        retry.call(lambda: counter.update(actions=actions), "rate counter")
    else:
        condition = RateCounter.hits.does_not_exist() | (RateCounter.hits < limit)
        retry.call(lambda: counter.update(actions=actions, condition=condition), "rate counter")


def hit(*scopes: Scope, now: float | None = None) -> None:
    """Count one attempt against every scope; raise TooManyAttempts if any is spent.

    One conditional UpdateItem per scope, in order. A refused attempt counts against no scope:
    when a later scope is spent, the earlier ones it was added to are given their 1 back.
    """
    window = _window(now)
    counted: list[str] = []
    for scope in scopes:
        key = _key(scope, window.number)
        try:
            _add(key, window, limit=scope.limit)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            _give_back(counted, window)
            raise TooManyAttempts(retry_after=window.retry_after) from exc
        counted.append(key)


def _give_back(keys: list[str], window: _Window) -> None:
    for key in keys:
        try:
            _add(key, window, amount=-1)
        except PynamoDBException:  # the attempt is refused either way; the scope just counts one more
            logger.warning("rate counter not given back", extra={"scope": key.rsplit(":", 2)[0]})


def check(*scopes: Scope, now: float | None = None) -> None:
    """Raise TooManyAttempts if any scope has spent its failures in this window."""
    window = _window(now)
    limits = {_key(scope, window.number): scope.limit for scope in scopes}
    for counter in RateCounter.batch_get(list(limits), consistent_read=True):
        if counter.hits >= limits[counter.key]:
            raise TooManyAttempts(retry_after=window.retry_after)


def record_failure(*scopes: Scope, now: float | None = None) -> None:
    """Count one failure against every scope (one UpdateItem each)."""
    window = _window(now)
    for scope in scopes:
        _add(_key(scope, window.number), window)
