"""cme.platform.retry: which failures are retried, the backoff, the counts (pure logic, no network)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from pynamodb.exceptions import (
    CancellationReason,
    DeleteError,
    GetError,
    PutError,
    TransactWriteError,
    UpdateError,
    VerboseClientError,
)

from cme.platform import retry


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    retry.reset_stats()
    yield
    retry.reset_stats()


def cause(code: str, reasons: tuple[str | None, ...] = ()) -> VerboseClientError:
    return VerboseClientError(
        {"Error": {"Code": code, "Message": "m"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=r) if r else None for r in reasons],
    )


def cancelled(*reasons: str | None) -> TransactWriteError:
    return TransactWriteError("cancelled", cause=cause("TransactionCanceledException", reasons))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (cancelled(None, "TransactionConflict"), "TransactionConflict"),
        (cancelled("TransactionConflict", None, None), "TransactionConflict"),
        (cancelled(None, "ThrottlingError"), "ThrottlingError"),
        (cancelled("ConditionalCheckFailed", "TransactionConflict"), None),  # a decision wins
        (cancelled("ConditionalCheckFailed", None), None),
        (cancelled("ValidationError"), None),
        (TransactWriteError("t", cause=cause("ThrottlingException")), "ThrottlingException"),
        (PutError("p", cause=cause("TransactionConflictException")), "TransactionConflictException"),
        (
            UpdateError("u", cause=cause("ProvisionedThroughputExceededException")),
            "ProvisionedThroughputExceededException",
        ),
        (DeleteError("d", cause=cause("RequestLimitExceeded")), "RequestLimitExceeded"),
        (PutError("p", cause=cause("InternalServerError")), "InternalServerError"),
        (UpdateError("u", cause=cause("ConditionalCheckFailedException")), None),
        (PutError("p", cause=cause("ValidationException")), None),
        (GetError("g", cause=cause("ThrottlingException")), None),  # reads: botocore's business
        (ValueError("not DynamoDB"), None),
    ],
)
def test_what_is_retried(error: Exception, reason: str | None) -> None:
    assert retry.retryable(error) == reason


def test_full_jitter_grows_to_the_cap() -> None:
    rng = random.Random(1)
    for attempt in range(12):
        ceiling = min(retry.CAP_SECONDS, retry.BASE_SECONDS * 2**attempt)
        samples = [retry.delay(attempt, rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > 0.8 * ceiling  # spread over the whole range, not a fixed step
    assert retry.BASE_SECONDS * 2 ** (retry.ATTEMPTS - 1) >= retry.CAP_SECONDS  # the cap is reached


def test_conflicts_are_retried_until_the_write_passes() -> None:
    outcomes: list[Any] = [cancelled(None, "TransactionConflict"), cancelled("TransactionConflict"), "done"]
    slept: list[float] = []

    def operation() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    assert retry.call(operation, "test", sleep=slept.append, rng=random.Random(3)) == "done"
    assert len(slept) == 2 and slept[0] <= retry.BASE_SECONDS and slept[1] <= 2 * retry.BASE_SECONDS
    assert retry.stats() == {"retries": 2, "exhausted": 0, "retries:TransactionConflict": 2}


def test_a_decision_is_raised_at_once() -> None:
    calls = []

    def operation() -> None:
        calls.append(1)
        raise cancelled("ConditionalCheckFailed", "TransactionConflict")

    with pytest.raises(TransactWriteError):
        retry.call(operation, "test", sleep=lambda _: None)
    assert len(calls) == 1 and retry.stats()["retries"] == 0


def test_gives_up_after_the_attempts_with_the_last_error() -> None:
    errors = [PutError("p", cause=cause("ThrottlingException")) for _ in range(retry.ATTEMPTS)]
    slept: list[float] = []

    def operation() -> None:
        raise errors.pop(0)

    with pytest.raises(PutError) as raised:
        retry.call(operation, "test", sleep=slept.append)
    assert not errors and raised.value.cause_response_code == "ThrottlingException"
    assert len(slept) == retry.ATTEMPTS - 1
    assert sum(slept) <= sum(min(retry.CAP_SECONDS, retry.BASE_SECONDS * 2**n) for n in range(retry.ATTEMPTS - 1))
    assert retry.stats()["exhausted"] == 1 and retry.stats()["exhausted:ThrottlingException"] == 1
    assert retry.stats()["retries"] == retry.ATTEMPTS - 1


def test_other_errors_pass_through_untouched() -> None:
    with pytest.raises(KeyError):
        retry.call(lambda: {}["x"], "test", sleep=lambda _: None)
    assert retry.stats() == {"retries": 0, "exhausted": 0}
