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


class _Rows:
    """A fake of ``retry.transact`` for ``Group``: each commit's rows (what ``fill`` added), and
    ``refuse``: a commit holding one of these rows is cancelled by its condition."""

    def __init__(self, refuse: set[str] | None = None, error: Exception | None = None) -> None:
        self.commits: list[list[str]] = []
        self.refuse = refuse or set()
        self.error = error

    def transact(self, build: Any, what: str) -> None:
        rows: list[str] = []
        build(rows)
        self.commits.append(rows)
        if self.error is not None:
            raise self.error
        if self.refuse & set(rows):
            raise cancelled(*(retry.DECISION if r in self.refuse else None for r in rows))


def add(group: retry.Group, name: str, items: int, log: list[str], names: set[str] | None = None) -> None:
    group.add(
        items,
        names or {name},
        lambda tx: tx.append(name),
        lambda: log.append(f"written {name}"),
        lambda: log.append(f"alone {name}"),
    )


def test_a_group_commits_as_many_rows_as_fit_and_never_one_item_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Rows()
    monkeypatch.setattr(retry, "transact", fake.transact)
    group, log = retry.Group("rows", limit=10), []
    for n in range(7):  # 3 items a row: 3 rows fit in 10
        add(group, f"r{n}", 3, log)
    assert group.holds("r6") and not group.holds("r9")
    add(group, "again", 3, log, names={"r6"})  # an item r6 writes: r6's group commits first
    group.flush()
    assert fake.commits == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"], ["again"]]
    assert log == [f"written r{n}" for n in range(7)] + ["written again"]


def test_a_group_a_condition_cancels_writes_each_row_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Rows(refuse={"r1"})
    monkeypatch.setattr(retry, "transact", fake.transact)
    group, log = retry.Group("rows", limit=10), []
    for n in range(4):
        add(group, f"r{n}", 3, log)
    group.flush()
    group.flush()  # nothing pending: no call
    assert fake.commits == [["r0", "r1", "r2"], ["r3"]]
    assert log == ["alone r0", "alone r1", "alone r2", "written r3"]


def test_a_group_that_fails_otherwise_raises_and_settles_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Rows(error=cancelled(None, "ValidationError"))
    monkeypatch.setattr(retry, "transact", fake.transact)
    group, log = retry.Group("rows"), []
    add(group, "r0", 5, log)
    add(group, "r1", 5, log)
    with pytest.raises(TransactWriteError):
        group.flush()
    assert log == [] and not group.holds("r0")
