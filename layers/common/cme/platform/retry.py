"""Retrying DynamoDB writes with jittered exponential backoff ("full jitter").

DynamoDB cancels a TransactWriteItems that touches an item another transaction is writing at
the same moment (``TransactionConflict``); a plain write to such an item fails with
``TransactionConflictException``. botocore's retry modes retry neither: a cancelled transaction
is a 400 that only the caller can judge. Throttling that outlasts botocore's own attempts lands
here as well. A ``ConditionalCheckFailed`` is never retried: it is a decision (already claimed,
already taken), and the caller acts on it.

``call(operation, what)`` runs ``operation`` until it succeeds, fails for a reason not worth
retrying, or has had ``ATTEMPTS`` tries; ``transact(build, what)`` does the same for a write
transaction that ``build`` fills; a ``Group`` commits many rows' writes in as few transactions
as fit, each row alone again when a condition cancels its group. Retries are counted in this
process (``stats()``, read by the tests and ``make bench``) and as the Powertools metric ``DynamoDBRetries``.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from cme.platform.observability import logger

if TYPE_CHECKING:
    from pynamodb.transactions import TransactWrite

T = TypeVar("T")

#: tries of a conditional write or transaction: at a 25% conflict rate (the surge tests' injected
#: rate, far above what per-learner and per-email items meet in AWS) one gives up once in 0.25**10,
#: about 1 in a million (8 tries: 1.5 in 100,000, which a surge of 300 sign-ins and 300 claims met
#: about once in a hundred runs); the backoffs add up to at most 4.6 s (capped at 1 s each)
ATTEMPTS = 10
BASE_SECONDS = 0.025
CAP_SECONDS = 1.0

#: whole-request error codes (``exc.cause_response_code``) that a later attempt can pass
RETRYABLE_CAUSES = frozenset(
    {
        "TransactionConflictException",
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
    }
)
#: per-item cancellation reasons of a cancelled transaction that a later attempt can pass
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
DECISION = "ConditionalCheckFailed"
#: the most items one TransactWriteItems takes
TRANSACTION_ITEMS = 100
WRITE_ERRORS = (PutError, UpdateError, DeleteError, TransactWriteError)

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_jitter = random.Random()  # noqa: S311 - spreads retries apart; nothing secret


def reseed() -> None:
    """Seed the jitter again from os.urandom: after a SnapStart restore (cme.runtime.snapstart), so
    environments restored from one snapshot do not back off in step."""
    _jitter.seed()


def reasons_by_item(exc: BaseException) -> list[str | None]:
    """The cancellation reason of each item of a cancelled transaction, in the request's order
    (None for an item that was not the cause): which item's condition decided."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [reason.code if reason is not None else None for reason in reasons]


def reason_codes(exc: BaseException) -> list[str]:
    """The cancellation reasons of a cancelled transaction ("None" entries left out)."""
    return [code for code in reasons_by_item(exc) if code is not None]


def retryable(exc: BaseException) -> str | None:
    """Why ``exc`` is worth another attempt (a reason or error code), or None when it is not."""
    if not isinstance(exc, WRITE_ERRORS):
        return None
    codes = reason_codes(exc)
    if DECISION in codes:
        return None  # the condition decided; retrying would only decide the same way
    conflict = next((code for code in codes if code in RETRYABLE_REASONS), None)
    if conflict is not None:
        return conflict
    cause = exc.cause_response_code
    return cause if cause in RETRYABLE_CAUSES else None


def delay(retry: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first): uniform in
    [0, min(CAP_SECONDS, BASE_SECONDS * 2**retry)], so colliding writers spread apart."""
    return (rng or _jitter).uniform(0.0, min(CAP_SECONDS, BASE_SECONDS * 2**retry))


def call(
    operation: Callable[[], T],
    what: str,
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], Any] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """``operation()``, retried with backoff while it fails for a reason ``retryable`` accepts.

    The last failure is raised as it is (after ``attempts`` tries), as is any other exception.
    """
    for attempt in range(attempts):
        try:
            return operation()
        except Exception as exc:
            reason = retryable(exc)
            if reason is None:
                raise
            if attempt + 1 >= attempts:
                _count("exhausted", reason)
                logger.warning("write retries exhausted", extra={"write": what, "reason": reason, "attempts": attempts})
                metric("DynamoDBRetriesExhausted")
                raise
            _count("retries", reason)
            metric("DynamoDBRetries")
            sleep(delay(attempt, rng))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def transact(build: Callable[[TransactWrite], None], what: str, **options: Any) -> None:
    """Commit the write transaction that ``build(tx)`` fills, retried as ``call`` does.

    ``build`` runs again for each attempt, so it must only add writes to ``tx``.
    """
    from cme.platform.models import transaction

    def attempt() -> None:
        with transaction() as tx:
            build(tx)

    call(attempt, what, **options)


@dataclass
class _Member:
    fill: Callable[[TransactWrite], None]
    written: Callable[[], None]
    alone: Callable[[], None]


@dataclass
class Group:
    """Rows' writes committed together: as many rows as fit in one transaction (``limit`` items;
    no item twice in one transaction), so a batch of rows costs a transaction per ``limit`` items
    rather than one per row.

    ``add`` takes a row: its item count, the identities of its items (any strings that name them:
    a row naming one already in the group commits the group first), ``fill`` (adds the row's
    writes to a transaction, with the conditions a transaction of the row alone would have),
    ``written`` (called once the group is committed) and ``alone`` (writes the row by itself and
    decides its outcome, as if there were no group). A group that a condition cancels (an item's
    reason ``ConditionalCheckFailed``) is not retried: each of its rows is handed to its ``alone``,
    in the order added. Conflicts and throttles are retried as ``transact`` retries them; any other
    failure is raised. ``holds`` tells whether a row's reads depend on a write still pending (then
    ``flush`` before reading them); ``flush`` commits what is pending.
    """

    what: str
    limit: int = TRANSACTION_ITEMS
    _members: list[_Member] = field(default_factory=list)
    _items: int = 0
    _names: set[str] = field(default_factory=set)

    def holds(self, *names: str) -> bool:
        return any(name in self._names for name in names)

    def add(
        self,
        items: int,
        names: set[str],
        fill: Callable[[TransactWrite], None],
        written: Callable[[], None],
        alone: Callable[[], None],
    ) -> None:
        if self._items + items > self.limit or not self._names.isdisjoint(names):
            self.flush()
        self._members.append(_Member(fill, written, alone))
        self._items += items
        self._names |= names

    def flush(self) -> None:
        members, self._members, self._items, self._names = self._members, [], 0, set()
        if not members:
            return

        def build(tx: TransactWrite) -> None:
            for member in members:
                member.fill(tx)

        try:
            transact(build, self.what)
        except TransactWriteError as exc:
            if DECISION not in reasons_by_item(exc):
                raise
            for member in members:
                member.alone()
            return
        for member in members:
            member.written()


def _count(kind: str, reason: str) -> None:
    with _lock:
        _counts[kind] += 1
        _counts[f"{kind}:{reason}"] += 1


def stats() -> dict[str, int]:
    """What this process retried: ``retries``, ``exhausted``, and each by reason
    (``retries:TransactionConflict``, ...)."""
    with _lock:
        return {"retries": 0, "exhausted": 0, **_counts}


def reset_stats() -> None:
    with _lock:
        _counts.clear()


def metric(name: str) -> None:
    """One count of ``name``; a metric never fails the write it describes."""
    try:
        from aws_lambda_powertools.metrics import MetricUnit
        from aws_lambda_powertools.metrics.functions import is_metrics_disabled

        if is_metrics_disabled():  # the local stack and the tests: nothing to publish to
            return
        from cme.platform.observability import metrics

        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    except Exception:  # pragma: no cover - metrics are best effort
        logger.debug("metric not recorded", extra={"metric": name})
