"""infra/local/faults.py answers as DynamoDB does, and botocore and PynamoDB read it so (no network:
the injector answers before anything is sent)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError

from infra.local.faults import FaultInjector, install_from_env, parse

NOWHERE = "http://127.0.0.1:9"  # never reached: the socket is blocked in unit tests


def _items(n: int) -> list[dict[str, Any]]:
    return [{"Put": {"TableName": "T", "Item": {"pk": {"S": f"k{i}"}}}} for i in range(n)]


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")


def test_a_cancelled_transaction_as_aws_sends_it(credentials: None) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=NOWHERE)
    with FaultInjector(conflict=1.0, seed=3) as faults, pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=_items(3))
    answer = raised.value.response
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answer["Error"]["Code"] == "TransactionCanceledException"
    codes = [r["Code"] for r in answer["CancellationReasons"]]
    assert sorted(codes) == ["None", "None", "TransactionConflict"]
    assert answer["Error"]["Message"] == (
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{', '.join(codes)}]"
    )
    assert faults.counts() == {
        "calls": 1,
        "transactions": 1,
        "conflicts": 1,
        "write_conflicts": 0,
        "throttles": 0,
        **{"ses_sends": 0, "ses_throttles": 0, "ses_quota": 0},
    }


def test_pynamodb_reads_the_cancellation_reasons(credentials: None) -> None:
    connection = Connection(region="us-east-1", host=NOWHERE)
    with FaultInjector(conflict=1.0), pytest.raises(TransactWriteError) as raised:
        connection.transact_write_items([], [], [item["Put"] for item in _items(2)], [])
    assert raised.value.cause_response_code == "TransactionCanceledException"
    reasons = raised.value.cancellation_reasons
    assert len(reasons) == 2 and [r.code for r in reasons if r is not None] == ["TransactionConflict"]


def test_a_single_write_conflict(credentials: None) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=NOWHERE)
    with FaultInjector(write_conflict=1.0), pytest.raises(ClientError) as raised:
        client.put_item(TableName="T", Item={"pk": {"S": "k"}})
    assert raised.value.response["Error"]["Code"] == "TransactionConflictException"


def test_the_environment_switch() -> None:
    assert parse("conflict=0.2, throttle=0.1,seed=7") == {"conflict": 0.2, "throttle": 0.1, "seed": 7}
    assert parse("write_conflict=0.05") == {"write_conflict": 0.05}
    assert parse("ses_throttle=0.4,ses_quota=0.01") == {"ses_throttle": 0.4, "ses_quota": 0.01}
    with pytest.raises(ValueError, match="unknown option"):
        parse("conflicts=0.2")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultInjector(throttle=2)
    assert install_from_env({}) is None
    injector = install_from_env({"CME_INJECT_FAULTS": "conflict=0.5,seed=1"})
    assert injector is not None
    try:
        assert (injector.conflict, injector.throttle, injector.seed) == (0.5, 0.0, 1)
        with pytest.raises(RuntimeError, match="already installed"):
            FaultInjector().install()
    finally:
        injector.uninstall()
    FaultInjector().install().uninstall()  # free again


def test_ses_throttling_as_ses_sends_it(credentials: None) -> None:
    """SES's query-protocol refusals, parsed by botocore: both are ``Throttling``; only the
    message tells the send rate from the daily quota. Other SES calls pass untouched."""
    from cme.platform import pacing

    one_attempt = Config(retries={"mode": "standard", "total_max_attempts": 1})  # botocore's retries sleep
    client = boto3.client("ses", region_name="us-east-1", endpoint_url=NOWHERE, config=one_attempt)
    raw = {"Source": "a@example.org", "Destinations": ["b@example.org"], "RawMessage": {"Data": b"x"}}
    with FaultInjector(ses_throttle=1.0) as faults, pytest.raises(ClientError) as rate:
        client.send_raw_email(**raw)
    assert rate.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert rate.value.response["Error"] == {
        "Type": "Sender",
        "Code": "Throttling",
        "Message": "Maximum sending rate exceeded.",
    }
    assert (faults.counts()["ses_sends"], faults.counts()["ses_throttles"], faults.counts()["calls"]) == (1, 1, 0)
    assert pacing.transient(rate.value) == "rate" and not pacing.quota_exceeded(rate.value)

    with FaultInjector(ses_quota=1.0) as faults, pytest.raises(ClientError) as quota:
        client.send_raw_email(**raw)
    assert quota.value.response["Error"]["Message"] == "Daily message quota exceeded."
    assert pacing.transient(quota.value) is None and pacing.quota_exceeded(quota.value)
    assert faults.counts()["ses_quota"] == 1
